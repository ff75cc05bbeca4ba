"""Storefront pages of the payments app."""

urlpatterns: list = []
