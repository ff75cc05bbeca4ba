"""Checkout: from a cart to a placed order (K2-K4)."""
