"""Bots and abuse (V11): rate limits, honeypots, records of abusive clients."""
