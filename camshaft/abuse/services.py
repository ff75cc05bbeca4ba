"""Rate limits and penalties (V11): how often a client may knock at each
door, what happens when it knocks too often or fills a honeypot, and the
record of abusive clients.

Counters live in Django's cache (django-ratelimit's fixed windows): local
memory per process by default, shared through Redis at scale. The record
and its penalty live in the database, so every worker slows a client that
any one of them caught."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

from camshaft.abuse import selectors
from camshaft.abuse.clients import client_key
from camshaft.abuse.models import AbusiveClient
from camshaft.accounts.services import account_digest

# Doors: the places a bot knocks at. Newsletter sign-up and the contact form
# are public forms like the guest order lookup.
SIGN_IN = "sign_in"
REGISTRATION = "registration"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a door's name, not a password
SEARCH = "search"
# Suggestions come a few per keystroke, so their door is wider than search's.
SUGGEST = "suggest"
ORDER_LOOKUP = "order_lookup"
NEWSLETTER = "newsletter"
CONTACT = "contact"
#: Live chat messages (a person types a few a minute; a script many).
CHAT = "chat"
PRICE_MATCH = "price_match"
#: Reports of marketplace listings, which guests may send too (M5).
MARKETPLACE_REPORT = "marketplace_report"
#: Door name under which filled honeypots are recorded, e.g. "honeypot:sign_in".
HONEYPOT = "honeypot"


@dataclass(frozen=True)
class Limit:
    """At most `count` requests per `seconds`-long window."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


MINUTE = 60
HOUR = 60 * MINUTE
PUBLIC_FORM_LIMIT = Limit(10, 10 * MINUTE)

#: Requests one client (IPv4 address or IPv6 /64) may make at each door.
CLIENT_LIMITS: dict[str, Limit] = {
    SIGN_IN: Limit(30, 10 * MINUTE),
    REGISTRATION: Limit(10, HOUR),
    PASSWORD_RESET: Limit(5, HOUR),
    SEARCH: Limit(120, MINUTE),
    SUGGEST: Limit(600, MINUTE),
    ORDER_LOOKUP: PUBLIC_FORM_LIMIT,
    NEWSLETTER: PUBLIC_FORM_LIMIT,
    CONTACT: PUBLIC_FORM_LIMIT,
    CHAT: Limit(30, MINUTE),
    PRICE_MATCH: PUBLIC_FORM_LIMIT,
    MARKETPLACE_REPORT: PUBLIC_FORM_LIMIT,
}
#: Requests about one account, from any client: password guessing spread
#: over many addresses, and reset mail sent to one inbox over and over.
ACCOUNT_LIMITS: dict[str, Limit] = {
    SIGN_IN: Limit(10, 10 * MINUTE),
    PASSWORD_RESET: Limit(3, HOUR),
}

# Penalties: the first offence slows a client for a minute (or until its
# window ends, if later); each further offence within a day doubles it.
BASE_PENALTY = timedelta(minutes=1)
MAX_PENALTY = timedelta(hours=24)
FORGIVE_AFTER = timedelta(hours=24)
#: Records of clients quiet this long are deleted by the purge job.
RECORD_RETENTION = timedelta(days=30)

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": 24 * HOUR}


def parse_limit(text: str) -> Limit:
    """Parse "30/10m": 30 per 10 minutes (units s, m, h, d), as settings write it."""
    match = _RATE.match(text)
    if not match or int(match[1]) < 1:
        raise ValueError(f"Not a rate limit: {text!r} (write it like '30/10m').")
    count, multiple, unit = match.groups()
    return Limit(int(count), int(multiple or 1) * _UNITS[unit])


def require_door(door: str) -> str:
    """`door`, if it is one of CLIENT_LIMITS' doors; a typo fails at import."""
    if door not in CLIENT_LIMITS:
        raise ValueError(f"Unknown door {door!r}; add it to CLIENT_LIMITS.")
    return door


def limit_for(door: str, *, per_account: bool = False) -> Limit | None:
    """The limit in force: settings.CAMSHAFT_RATE_LIMITS (keys "door" and
    "door:account") overrides the tables above."""
    table = ACCOUNT_LIMITS if per_account else CLIENT_LIMITS
    override = settings.CAMSHAFT_RATE_LIMITS.get(f"{door}:account" if per_account else door)
    return parse_limit(override) if override else table.get(door)


def penalty_for(offences: int) -> timedelta:
    """How long the `offences`-th offence in a row slows a client."""
    if offences < 1:
        return timedelta(0)
    return min(BASE_PENALTY * 2 ** min(offences - 1, 32), MAX_PENALTY)


def _seconds(delta: timedelta) -> int:
    """Whole seconds to wait, rounded up: a client told 0 would retry at once."""
    return max(1, -int(-delta.total_seconds() // 1))


@dataclass
class RateLimited(Exception):
    """A client, or requests about an account, went over a limit."""

    retry_after: int

    @property
    def message(self) -> str:
        return f"Too many requests. Please wait {_wait_words(self.retry_after)} and try again."


def _wait_words(seconds: int) -> str:
    for unit, size in (("hour", HOUR), ("minute", MINUTE)):
        if seconds >= size:
            amount = -(-seconds // size)
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _count(request: HttpRequest, *, group: str, value: str, limit: Limit) -> dict | None:
    return get_usage(
        request,
        group=group,
        key=lambda _group, _request: value,
        rate=(limit.count, limit.seconds),
        increment=True,
    )


def check_client(*, request: HttpRequest, door: str, now: datetime | None = None) -> None:
    """Count this request against the client's limit at `door`. Raises
    RateLimited while the client is slowed, or when this request is one too
    many, which is an offence and slows it for longer each time."""
    require_door(door)
    now = now or timezone.now()
    client = client_key(request)
    standing = selectors.standing_of(client=client)
    if standing and standing.slowed_until > now:
        raise RateLimited(_seconds(standing.slowed_until - now))
    limit = limit_for(door)
    usage = _count(request, group=door, value=client, limit=limit)
    if not usage or not usage["should_limit"]:
        return
    if standing and standing.forgiven_at(now=now, window=limit.seconds):
        return  # staff cleared the client: counts from before do not hold
    record = record_offence(
        client=client, door=door, now=now, at_least=timedelta(seconds=usage["time_left"])
    )
    raise RateLimited(_seconds(record.slowed_until - now))


def check_account(*, request: HttpRequest, door: str, account: str) -> None:
    """Count a request about `account` (an email) against the account's
    limit at `door`, whichever client sends it. Raises RateLimited; the
    client is not recorded, as it may be the account's owner."""
    limit = limit_for(door, per_account=True)
    if limit is None:
        raise ValueError(f"Door {door!r} has no per-account limit.")
    usage = _count(request, group=f"{door}:account", value=account_digest(account), limit=limit)
    if usage and usage["should_limit"]:
        raise RateLimited(_seconds(timedelta(seconds=usage["time_left"])))


@transaction.atomic
def record_offence(
    *, client: str, door: str, now: datetime, at_least: timedelta = timedelta(0)
) -> AbusiveClient:
    """Record an offence of `client` at `door` and slow it: for the penalty
    its run of offences has earned, and at least `at_least`."""
    record, created = AbusiveClient.objects.select_for_update().get_or_create(
        client_digest=client,
        defaults={"first_seen": now, "last_seen": now, "slowed_until": now},
    )
    if not created and record.slowed_until > now:
        return record  # another worker caught the same burst a moment ago
    if not created and now - record.last_seen > FORGIVE_AFTER:
        record.offences = 0
    record.offences += 1
    record.total_offences += 1
    record.doors = {**record.doors, door: record.doors.get(door, 0) + 1}
    record.last_door = door
    record.last_seen = now
    record.slowed_until = now + max(penalty_for(record.offences), at_least)
    record.save()
    return record


def record_honeypot(*, request: HttpRequest, door: str, now: datetime | None = None):
    """A form's honeypot came back filled: people never see it, bots do."""
    return record_offence(
        client=client_key(request), door=f"{HONEYPOT}:{door}", now=now or timezone.now()
    )


@transaction.atomic
def clear(*, record: AbusiveClient, now: datetime | None = None) -> AbusiveClient:
    """Staff lift a client's penalty and forget its run of offences; the
    history (first seen, doors, total) stays for the record. Counts already
    made in the current windows are forgiven too."""
    now = now or timezone.now()
    AbusiveClient.objects.filter(pk=record.pk).update(offences=0, slowed_until=now, cleared_at=now)
    record.refresh_from_db()
    return record


def purge_old_records(*, now: datetime) -> int:
    """Delete the records of clients that have been quiet for
    RECORD_RETENTION and are not slowed; returns how many."""
    deleted, _ = AbusiveClient.objects.filter(
        last_seen__lt=now - RECORD_RETENTION, slowed_until__lte=now
    ).delete()
    return deleted
