"""Cookie consent (V2) and aggregate analytics recorded only with consent (V9)."""
