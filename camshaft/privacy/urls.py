"""Storefront pages of the privacy app."""

from django.urls import path

from camshaft.privacy import views

urlpatterns = [
    path("privacy/sharing/", views.sharing_register, name="privacy_sharing"),
]
