"""Storefront pages of the privacy app."""

from django.urls import path

from camshaft.privacy import views

urlpatterns = [
    path("privacy/sharing/", views.sharing_register, name="privacy_sharing"),
    path("privacy/", views.policy, name="privacy_policy"),
    path("account/data/", views.download_my_data, name="download_my_data"),
    path("account/delete/", views.delete_my_account, name="delete_my_account"),
]
