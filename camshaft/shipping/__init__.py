"""Shipping: methods and their prices (S1-S3)."""
