"""Storefront pages of the fitment app."""

urlpatterns: list = []
