"""The support desk's rules as pure functions (B4): what a ticket reference
looks like, and when a ticket has waited on us too long.

"More than one business day" is counted on the store's calendar (US
Eastern, business days of `core.business_days`): a question asked on a
business day is late once the same time of the next business day has
passed; one asked on a weekend or a holiday once the first business day
after it is over."""

import re
import secrets
from datetime import datetime, time

from camshaft.core.business_days import STORE_ZONE, is_business_day, next_business_day
from camshaft.orders.rules import ORDER_NUMBER_ALPHABET

#: B4: a ticket waiting on us longer than this many business days is highlighted.
ANSWER_WITHIN_BUSINESS_DAYS = 1
MAX_SUBJECT = 200
MAX_MESSAGE = 5000
MAX_NAME = 150
#: How long the link in a ticket's mail opens the ticket without signing in.
GUEST_LINK_DAYS = 90

REFERENCE_PREFIX = "T"
REFERENCE_LENGTH = 8  # 30**8 ≈ 6.6e11, like an order number: not guessable
#: A reference anywhere in a mail subject ("Re: [T-ABCD-EFGH] Brake pads").
REFERENCE_IN_TEXT = re.compile(
    rf"\b{REFERENCE_PREFIX}-([{ORDER_NUMBER_ALPHABET}]{{4}})-([{ORDER_NUMBER_ALPHABET}]{{4}})\b",
    re.IGNORECASE,
)


def new_reference() -> str:
    """Easy to read aloud on the phone, impossible to guess from another."""
    body = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def reference_in(subject: str) -> str | None:
    """The ticket reference a mail subject carries, upper-cased, if any."""
    match = REFERENCE_IN_TEXT.search(subject or "")
    return f"{REFERENCE_PREFIX}-{match[1]}-{match[2]}".upper() if match else None


def answer_due(waiting_since: datetime) -> datetime:
    """When a ticket waiting on us since `waiting_since` becomes late."""
    if waiting_since.tzinfo is None:
        raise ValueError("waiting_since must be timezone-aware")
    local = waiting_since.astimezone(STORE_ZONE)
    day = local.date()
    if is_business_day(day):
        due_day, clock = day, local.time().replace(tzinfo=None)
    else:  # the whole of the next business day counts
        due_day, clock = next_business_day(day), time(0)
    for _ in range(ANSWER_WITHIN_BUSINESS_DAYS):
        due_day = next_business_day(due_day)
    return datetime.combine(due_day, clock, tzinfo=STORE_ZONE)


def is_late(*, status: str, waiting_since: datetime | None, now: datetime) -> bool:
    """B4: the ticket waits on us, for more than one business day."""
    return status == "open" and waiting_since is not None and now > answer_due(waiting_since)
