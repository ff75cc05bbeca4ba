"""Storefront pages of the notifications app."""

from django.urls import path

from camshaft.notifications import views

urlpatterns = [
    path("newsletter/", views.subscribe, name="newsletter_subscribe"),
    path("newsletter/confirm/<segment:token>/", views.confirm, name="newsletter_confirm"),
    path(
        "newsletter/unsubscribe/<segment:token>/", views.unsubscribe, name="newsletter_unsubscribe"
    ),
    path("account/email-preferences/", views.preferences, name="email_preferences"),
]
