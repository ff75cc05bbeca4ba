"""Storefront pages of the analytics app."""

from django.urls import path

from camshaft.analytics import views

urlpatterns = [path("privacy/cookies/", views.cookie_settings, name="cookie-settings")]
