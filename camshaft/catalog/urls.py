"""Storefront pages of the catalog app."""

urlpatterns: list = []
