"""The ordered change log in the database that every host's search index follows.

A position means "every entry whose key is below it has been applied".
On SQLite the key is the entry's id: writers commit one at a time, each
holding the write lock from its first insert to its commit, so ids become
visible in order and AUTOINCREMENT never hands one out twice.

PostgreSQL hands ids out before commit: a transaction holding id 7 can
commit after one holding id 8 has been read, and a reader that moved past
8 would never see 7. There the key is `txid`, the writing transaction's
id, and a reader's next position is the oldest transaction still running
when it looked (`pg_snapshot_xmin`): every transaction below it had ended,
so all of its entries were visible to the read that followed, and whatever
commits later has a txid at or above it. Entries of transactions still
running then are read again next time; applying an entry twice is harmless
(it rewrites the part's document from the database).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from camshaft.search.models import IndexHost, IndexLogHorizon, PendingIndexUpdate

READ_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    part_id: int  # the row's id, of the kind below
    key: int
    kind: str = "part"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _key_field() -> str:
    return "txid" if _postgresql() else "id"


def _scalar(sql: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row else None


def record(part_ids: Iterable[int], *, kind: str = "part") -> int:
    """Add an entry per part (or row of `kind`), in the caller's transaction
    (or one of its own)."""
    ids = list(dict.fromkeys(part_ids))
    if not ids:
        return 0
    with transaction.atomic():
        # The id of the transaction the rows commit in: taken inside it.
        txid = _scalar("SELECT pg_current_xact_id()::text::bigint") if _postgresql() else None
        PendingIndexUpdate.objects.bulk_create(
            [PendingIndexUpdate(part_id=pid, kind=kind, txid=txid) for pid in ids], batch_size=5_000
        )
    return len(ids)


def position_now() -> int:
    """A position every entry committed so far is below, or will be read from:
    taken before reading the log, it is where the next read may start."""
    if _postgresql():
        # Our own transaction (a test's, or a caller's) may hold entries
        # still uncommitted to everyone else: never move past it.
        return _scalar(
            "SELECT LEAST(pg_snapshot_xmin(pg_current_snapshot()), "
            "COALESCE(pg_current_xact_id_if_assigned(), "
            "pg_snapshot_xmin(pg_current_snapshot())))::text::bigint"
        )
    newest = PendingIndexUpdate.objects.order_by("-id").values_list("id", flat=True).first()
    return (newest or 0) + 1


def read_from(position: int) -> Iterator[list[Entry]]:
    """The log's entries whose key is at or after `position`, in batches,
    in key order."""
    if _postgresql():
        after = (position, 0)  # ids start at 1: (txid, id) > (position, 0) is txid >= position
        while batch := [
            Entry(r.id, r.part_id, r.txid, r.kind)
            for r in PendingIndexUpdate.objects.raw(
                "SELECT id, part_id, kind, txid FROM search_pendingindexupdate "
                "WHERE (txid, id) > (%s, %s) ORDER BY txid, id LIMIT %s",
                [*after, READ_BATCH],
            )
        ]:
            yield batch
            after = (batch[-1].key, batch[-1].id)
        return
    after_id = position - 1
    while batch := [
        Entry(i, pid, i, kind)
        for i, pid, kind in PendingIndexUpdate.objects.filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", "part_id", "kind")[:READ_BATCH]
    ]:
        yield batch
        after_id = batch[-1].id


def next_position(position: int, taken_before_read: int, entries_read: list[Entry]) -> int:
    """Where the next read starts. On SQLite, after the last entry read; on
    PostgreSQL, the oldest transaction running before the read began."""
    if _postgresql():
        return max(position, taken_before_read)
    if entries_read:
        return max(position, entries_read[-1].id + 1)
    return position


def pruned_below() -> int:
    return IndexLogHorizon.objects.filter(pk=1).values_list("pruned_below", flat=True).first() or 0


def host_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SEARCH_HOST_TIMEOUT_SECONDS)


@transaction.atomic
def join(*, host_id: str, name: str, position: int) -> bool:
    """Count this host, at `position`, among those the log is kept for.
    False when entries it still needs are already pruned: it must rebuild.
    Serialised with `prune` by the horizon's row lock."""
    horizon, _ = IndexLogHorizon.objects.select_for_update().get_or_create(pk=1)
    if position < horizon.pruned_below:
        IndexHost.objects.filter(host_id=host_id).delete()
        return False
    IndexHost.objects.update_or_create(
        host_id=host_id,
        defaults={"name": name[:300], "position": position, "seen_at": timezone.now()},
    )
    return True


def report(*, host_id: str, position: int) -> bool:
    """A live host's heartbeat with its position; False when it had been
    dropped (the caller joins again, or rebuilds)."""
    return bool(
        IndexHost.objects.filter(host_id=host_id).update(position=position, seen_at=timezone.now())
    )


@dataclass(frozen=True, slots=True)
class Pruned:
    entries: int
    dropped_hosts: list[str]
    pruned_below: int


@transaction.atomic
def prune(*, now: datetime.datetime | None = None) -> Pruned:
    """Delete the entries every live host has applied; drop the hosts not
    seen for SEARCH_HOST_TIMEOUT from that reckoning (they rebuild when
    they come back)."""
    now = now or timezone.now()
    horizon, _ = IndexLogHorizon.objects.select_for_update().get_or_create(pk=1)
    stale = IndexHost.objects.filter(seen_at__lt=now - host_timeout())
    dropped = list(stale.values_list("name", flat=True))
    stale.delete()
    lowest = IndexHost.objects.aggregate(m=Min("position"))["m"]
    if lowest is None or lowest <= horizon.pruned_below:
        return Pruned(0, dropped, horizon.pruned_below)
    deleted, _ = PendingIndexUpdate.objects.filter(**{f"{_key_field()}__lt": lowest}).delete()
    horizon.pruned_below = lowest
    horizon.save(update_fields=["pruned_below"])
    return Pruned(deleted, dropped, lowest)


def lag(position: int) -> int:
    """How many entries are at or after `position` (not applied yet, or being
    read again)."""
    return PendingIndexUpdate.objects.filter(**{f"{_key_field()}__gte": position}).count()
