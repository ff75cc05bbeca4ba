"""The display currency a shopper chose travels in a cookie (P1)."""

COOKIE = "currency"
# A preference, not tracking: a strictly necessary cookie that needs no consent.
MAX_AGE = 365 * 24 * 60 * 60
