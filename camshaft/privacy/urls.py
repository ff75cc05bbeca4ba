"""Storefront pages of the privacy app."""

urlpatterns: list = []
