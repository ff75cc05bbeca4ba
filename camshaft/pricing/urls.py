"""Storefront pages of the pricing app."""

urlpatterns: list = []
