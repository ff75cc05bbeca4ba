"""Keeping each host's search index in step with the catalogue (C5, B3).

Writers of parts, fitment and stock call `queue_reindex` inside their
transaction: it adds entries to the change log in the database. Every app
host applies the whole log to its own index (`sync_index`, run by its
worker about twice a second and after commits), remembering how far it
got; a host with no usable index starts from the newest snapshot or
rebuilds (`rebuild_index`), then catches up. Entries every live host has
applied are pruned.
"""

import logging
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import close_old_connections, transaction
from django_tasks import task
from tqdm import tqdm

from camshaft.search import backend, changelog, sources
from camshaft.search.documents import Lookups, docs_for_parts, iter_all_docs

log = logging.getLogger(__name__)
# The worker applies the log this often; readers reload every
# backend.RELOAD_INTERVAL_SECONDS, so a change shows on every host in about a second.
FOLLOW_INTERVAL_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
# A moved position is reported at most this often: on PostgreSQL the report
# itself is a transaction, which moves the next position on.
REPORT_MOVES_EVERY_SECONDS = 1.0
PRUNE_INTERVAL_SECONDS = 30.0
SNAPSHOT_EVERY_SECONDS = 3600.0


def queue_reindex(part_ids: Iterable[int], *, kind: str = "part") -> None:
    """Record in the change log that these parts' documents (or those of the
    rows of another `kind`, registered in `sources`) are stale, in the
    caller's transaction, and ask for a sync once it commits."""
    if changelog.record(part_ids, kind=kind):
        transaction.on_commit(_request_sync)


def _request_sync() -> None:
    try:
        sync_search_index.enqueue()
    except Exception:  # the worker's own polling still picks the log up
        log.exception("could not enqueue a search index sync")


@task()
def sync_search_index() -> int:
    """Apply the change log to the index of the host whose worker runs this.
    Non-blocking: when another process of this host is writing, it will."""
    return sync_index(blocking=False)


@dataclass
class _Follower:
    """What this process remembers between syncs of one index directory."""

    # Log ids applied whose key is at or above the position (PostgreSQL reads them again).
    applied: set[int] = field(default_factory=set)
    reported_at: float = 0.0
    reported_position: int | None = None
    pruned_at: float = 0.0


_followers: dict[str, _Follower] = {}


def _follower() -> _Follower:
    return _followers.setdefault(str(backend.root()), _Follower())


def host_name() -> str:
    return f"{socket.gethostname()}:{backend.root()}"


def sync_index(*, blocking: bool = True, start_from_nothing: bool = True) -> int:
    """Bring this host's index up to the change log; returns how many parts
    were rewritten. A host with no usable index starts from a snapshot or
    rebuilds first (unless start_from_nothing is False: then it does
    nothing). When another process is writing and blocking is False,
    leaves the work to it."""
    with backend.writer_lock(blocking=blocking) as acquired:
        if not acquired:
            return 0
        if not start_from_nothing and _usable_generation() is None:
            return 0
        return _sync_locked()


def has_usable_index() -> bool:
    """This host has an index that opens and knows its place in the log."""
    return _usable_generation() is not None


def _usable_generation() -> tuple[Path, int] | None:
    generation = backend.current_generation()
    if generation is None:
        return None
    position = backend.read_position(generation)
    if position is None:
        return None
    try:
        backend.index()
    except backend.IndexUnavailable:
        return None
    return generation, position


def _sync_locked() -> int:
    done = 0
    usable = _usable_generation()
    if usable is None:
        done += _start_from_nothing()
        usable = _usable_generation()
        if usable is None:  # rebuilt, yet unreadable: the disk is the problem
            raise backend.IndexUnavailable("the rebuilt search index cannot be opened")
    generation, position = usable
    follower = _follower()
    taken = changelog.position_now()
    read_again_from = max(position, taken)
    lookups = None
    last = None
    still_pending: set[int] = set()
    for batch in changelog.read_from(position):
        last = batch[-1]
        fresh = [e for e in batch if e.id not in follower.applied]
        still_pending.update(e.id for e in batch if e.key >= read_again_from)
        if fresh:
            lookups = lookups or Lookups.load()
            done += _apply(fresh, lookups)
    if changelog.pruned_below() > position:
        # Entries this host still needed were pruned while it read: it had
        # been dropped from the reckoning (gone too long). Start again.
        log.warning("search index: the change log moved on without this host; rebuilding")
        return done + _rebuild_locked(progress=False)
    new_position = changelog.next_position(position, taken, [last] if last else [])
    follower.applied = still_pending
    if new_position != position:
        backend.write_position(generation, new_position)
    _keep_in_reckoning(new_position)
    backend.refresh()
    return done


def _apply(entries: list[changelog.Entry], lookups: Lookups) -> int:
    """Rewrite the documents `entries` name, in one commit: each part's,
    and each row's of another kind (with those that hold a part's data,
    such as listings inheriting its fitment). A kind no source registers
    in this process is skipped."""
    by_kind: dict[str, set[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, set()).add(entry.part_id)
    part_ids = sorted(by_kind.pop("part", set()))
    writer = backend.index().writer(heap_size=50_000_000, num_threads=1)
    done = 0
    if part_ids:
        docs, _gone = docs_for_parts(part_ids, lookups)
        writer.delete_documents_by_query(
            tantivy.Query.term_set_query(backend.SCHEMA, "pid", part_ids)
        )
        for doc in docs:
            writer.add_document(doc.to_tantivy(lookups.category_tree))
        done += len(part_ids)
    for source in sources.registered():
        ids = by_kind.get(source.kind, set())
        if part_ids:
            ids |= set(source.depending_on_parts(part_ids))
        if not ids:
            continue
        ordered = sorted(ids)
        writer.delete_documents_by_query(_kind_rows(source.code, ordered))
        for doc in source.documents(ordered, lookups):
            writer.add_document(doc.to_tantivy(source.code, lookups.category_tree))
        done += len(ordered)
    writer.commit()
    writer.wait_merging_threads()
    return done


def _kind_rows(code: int, ids: list[int]) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.term_query(backend.SCHEMA, "kind", code)),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(backend.SCHEMA, "ref", ids)),
        ]
    )


def _keep_in_reckoning(position: int) -> None:
    """Tell the others our position when it moves (at most every
    REPORT_MOVES_EVERY_SECONDS), else a heartbeat every HEARTBEAT_SECONDS;
    prune every PRUNE_INTERVAL_SECONDS."""
    follower = _follower()
    now = time.monotonic()
    since = now - follower.reported_at
    moved = position != follower.reported_position
    if (
        not follower.reported_at
        or since >= HEARTBEAT_SECONDS
        or (moved and since >= REPORT_MOVES_EVERY_SECONDS)
    ):
        host = backend.host_id()
        if not changelog.report(host_id=host, position=position):
            changelog.join(host_id=host, name=host_name(), position=position)
        follower.reported_at, follower.reported_position = now, position
    if now - follower.pruned_at >= PRUNE_INTERVAL_SECONDS or not follower.pruned_at:
        pruned = changelog.prune()
        for name in pruned.dropped_hosts:
            log.warning("search index: host %s not seen for long, dropped from the log", name)
        follower.pruned_at = now


def _start_from_nothing() -> int:
    """A host with no usable index: the newest snapshot the log still
    covers, else a rebuild from the database."""
    if backend.current_generation() is None and settings.SEARCH_SNAPSHOT_DIR:
        for snapshot in backend.snapshots(Path(settings.SEARCH_SNAPSHOT_DIR)):
            position = backend.read_position(snapshot)
            if not changelog.join(host_id=backend.host_id(), name=host_name(), position=position):
                break  # older snapshots are further behind still
            try:
                path = backend.install_snapshot(snapshot)
            except backend.IndexUnavailable as problem:
                log.warning("search index: %s", problem)
                continue
            backend.publish_generation(path)
            _follower().applied = set()
            log.info("search index: started from snapshot %s", snapshot.name)
            return 0
    log.warning("search index: none usable on this host; rebuilding from the database")
    return _rebuild_locked(progress=False)


def rebuild_index(*, progress: bool = False) -> int:
    """Build a new index generation from the database (the parts and every
    registered source's documents: returns how many) and swap it in.
    Changes committed while it runs are in the log after its position and
    are applied by the next sync."""
    with backend.writer_lock():
        return _rebuild_locked(progress=progress)


def _rebuild_locked(*, progress: bool) -> int:
    from camshaft.catalog.models import Part

    # Taken before reading the catalogue: whatever commits later is in the log after it.
    position = max(changelog.position_now(), changelog.pruned_below())
    changelog.join(host_id=backend.host_id(), name=host_name(), position=position)
    lookups = Lookups.load()
    path = backend.new_generation_dir()
    index = tantivy.Index(backend.SCHEMA, path=str(path))
    writer = index.writer(heap_size=backend.WRITER_HEAP_BYTES, num_threads=2)
    total = Part.objects.filter(is_active=True).count()
    count = 0
    bar = tqdm(total=total, desc="search index", unit="part", disable=not progress)
    for doc in iter_all_docs(lookups):
        writer.add_document(doc.to_tantivy(lookups.category_tree))
        count += 1
        if count % 10_000 == 0:
            bar.update(10_000)
    bar.update(count % 10_000)
    bar.close()
    for source in sources.registered():
        bar = tqdm(total=source.count(), desc=f"search index: {source.kind}s", disable=not progress)
        added = 0
        for doc in source.all_documents(lookups):
            writer.add_document(doc.to_tantivy(source.code, lookups.category_tree))
            added += 1
            if added % 10_000 == 0:
                bar.update(10_000)
        bar.update(added % 10_000)
        bar.close()
        count += added
    writer.commit()
    writer.wait_merging_threads()
    backend.write_position(path, position)
    backend.publish_generation(path)
    _follower().applied = set()
    return count


def publish_snapshot() -> Path | None:
    """Copy this host's index into SEARCH_SNAPSHOT_DIR for new hosts to start
    from; None when no folder is set or there is no usable index."""
    if not settings.SEARCH_SNAPSHOT_DIR:
        return None
    with backend.writer_lock():
        usable = _usable_generation()
        if usable is None:
            return None
        return backend.copy_snapshot(usable[0], Path(settings.SEARCH_SNAPSHOT_DIR))


def _snapshot_due() -> bool:
    if not settings.SEARCH_SNAPSHOT_DIR:
        return False
    newest = backend.snapshots(Path(settings.SEARCH_SNAPSHOT_DIR))
    if not newest:
        return True
    made_ns = int(newest[0].name.split("-")[2])
    return time.time() - made_ns / 1e9 >= SNAPSHOT_EVERY_SECONDS


def follow_change_log(stop: threading.Event, *, interval: float = FOLLOW_INTERVAL_SECONDS) -> None:
    """The worker's loop keeping this host's index current until `stop` is
    set; it also publishes a snapshot when the newest is an hour old."""
    failures = 0
    while not stop.is_set():
        try:
            sync_index(blocking=False)
            if _snapshot_due():
                publish_snapshot()
            failures = 0
        except Exception:  # the database or the disk is away: try again, more slowly
            failures += 1
            log.exception("search index sync failed")
        finally:
            close_old_connections()
        stop.wait(min(interval * 2**failures, 30.0))
