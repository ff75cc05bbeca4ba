"""Storefront pages of the search app."""

urlpatterns: list = []
