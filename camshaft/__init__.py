"""Camshaft, an online parts store."""
