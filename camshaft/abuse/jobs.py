"""Scheduled jobs of the abuse app, run by `camshaft jobs` (B3)."""

from datetime import datetime

from camshaft.abuse import services


def purge_abuse_records(*, now: datetime) -> str:
    deleted = services.purge_old_records(now=now)
    days = services.RECORD_RETENTION.days
    return f"deleted {deleted} record(s) of clients quiet for {days} days"
