"""The live chat's rules as pure functions (B4): opening hours in the
store's zone, when a waiting chat is offered to become a ticket, card
numbers masked before anything is stored, and which pasted links are this
store's own pages."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from camshaft.core.business_days import STORE_ZONE, is_business_day

#: B4: a chat nobody has answered after this long is offered as a ticket.
NO_ANSWER_WITHIN = timedelta(minutes=2)
#: The largest message the chat carries (characters).
MAX_MESSAGE = 2000
#: An agent's desk page counts as online while it has been seen this recently.
AGENT_SEEN_WITHIN = timedelta(seconds=90)
#: Opening hours of the chat in the store's zone (US Eastern), by weekday
#: (Monday is 0); a closed day is absent. Holidays of the business calendar
#: are closed days.
OPENING_HOURS: dict[int, tuple[time, time]] = {
    0: (time(8), time(20)),
    1: (time(8), time(20)),
    2: (time(8), time(20)),
    3: (time(8), time(20)),
    4: (time(8), time(20)),
    5: (time(9), time(17)),
}
CARD_MASK = "[card number removed]"
#: 13 to 19 digits, spaces or dashes allowed between them.
DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
#: An email address as people write one ("pat.lee@example.co.uk").
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
#: At most this many addresses of one message are remembered.
MAX_ADDRESSES = 5
#: An absolute http(s) address, or a path standing on its own ("see /cart/").
URL = re.compile(r"(?:https?://[^\s<>\"']+|(?:(?<=\s)|^)/[^\s<>\"']*)")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    had_card: bool


def mask_card_numbers(text: str) -> Masked:
    """Replace every digit run that passes the Luhn check and has a card's
    length (13-19 digits) so a card number never reaches the database."""
    found = False

    def replace(match: re.Match) -> str:
        nonlocal found
        digits = re.sub(r"\D", "", match[0])
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found = True
            return CARD_MASK
        return match[0]

    masked = DIGIT_RUN.sub(replace, text)
    return Masked(masked, found)


@dataclass(frozen=True, slots=True)
class Hours:
    is_open: bool
    today: str  # "8:00 AM – 8:00 PM ET" or "closed today"


def hours_at(now: datetime, *, opening_hours=None) -> Hours:
    """Whether the chat is open at `now`, judged in the store's zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    hours = OPENING_HOURS if opening_hours is None else opening_hours
    local = now.astimezone(STORE_ZONE)
    holiday = local.weekday() < 5 and not is_business_day(local.date())
    span = None if holiday else hours.get(local.weekday())
    if span is None:
        return Hours(is_open=False, today="closed today")
    start, end = span
    label = f"{_clock(start)} – {_clock(end)} ET"
    return Hours(is_open=start <= local.time().replace(tzinfo=None) < end, today=label)


def _clock(at: time) -> str:
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def offer_ticket(
    *,
    is_open: bool,
    agents_online: int,
    waiting_since: datetime | None,
    answered: bool,
    now: datetime,
) -> bool:
    """B4: outside opening hours, with nobody online, or when nobody has
    answered within two minutes, the chat offers to become a ticket."""
    if not is_open or agents_online == 0:
        return True
    if answered or waiting_since is None:
        return False
    return now - waiting_since >= NO_ANSWER_WITHIN


def store_path(url: str, *, hosts: set[str]) -> str | None:
    """The path of `url` when it is a page of this store (a relative path,
    or an absolute address on one of `hosts`), else None. Only the path and
    query are kept, so a link can never leave the store."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc and parts.netloc.lower() not in hosts:
        return None
    if parts.scheme and not parts.netloc:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def urls_in(text: str) -> list[str]:
    return [match.rstrip(".,;:!?)") for match in URL.findall(text)]


def emails_in(text: str) -> list[str]:
    """The email addresses written in `text`, lower-cased, each once."""
    found = (match.strip(".").lower() for match in EMAIL.findall(text))
    return list(dict.fromkeys(found))[:MAX_ADDRESSES]
