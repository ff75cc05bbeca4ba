"""Keeping the search index in step with the catalogue (C5).

Writers of parts, fitment and stock call `queue_reindex` inside their
transaction; `sync_index` (the worker, and right after commit when the index
is free) rewrites those documents; `rebuild_index` starts from scratch.
"""

import logging
from collections.abc import Iterable

import tantivy
from django.db import transaction
from django.db.models import Max
from django_tasks import task
from tqdm import tqdm

from camshaft.search import backend
from camshaft.search.documents import Lookups, docs_for_parts, iter_all_docs
from camshaft.search.models import PendingIndexUpdate

log = logging.getLogger(__name__)
SYNC_BATCH = 5_000


def queue_reindex(part_ids: Iterable[int]) -> None:
    """Record that these parts' documents are stale, in the caller's
    transaction, and ask for a sync once it commits."""
    rows = [PendingIndexUpdate(part_id=pid) for pid in dict.fromkeys(part_ids)]
    if not rows:
        return
    PendingIndexUpdate.objects.bulk_create(rows, batch_size=5_000)
    transaction.on_commit(_request_sync)


def _request_sync() -> None:
    try:
        sync_search_index.enqueue()
    except Exception:  # the worker's periodic sync still picks the queue up
        log.exception("could not enqueue a search index sync")


@task()
def sync_search_index() -> int:
    """The background task that applies queued index updates. Non-blocking:
    when another worker holds the index it will drain the queue."""
    return sync_index(blocking=False)


def sync_index(*, blocking: bool = True) -> int:
    """Apply queued updates; returns how many parts were rewritten. When
    another process is writing and blocking is False, leaves the work to it."""
    done = 0
    with backend.writer_lock(blocking=blocking) as acquired:
        if not acquired:
            return 0
        lookups = None
        while True:
            pending = list(PendingIndexUpdate.objects.values_list("id", "part_id")[:SYNC_BATCH])
            if not pending:
                break
            lookups = lookups or Lookups.load()
            part_ids = list(dict.fromkeys(pid for _, pid in pending))
            docs, _gone = docs_for_parts(part_ids, lookups)
            writer = backend.index().writer(heap_size=50_000_000, num_threads=1)
            writer.delete_documents_by_query(
                tantivy.Query.term_set_query(backend.SCHEMA, "pid", part_ids)
            )
            for doc in docs:
                writer.add_document(doc.to_tantivy(lookups.category_tree))
            writer.commit()
            writer.wait_merging_threads()
            PendingIndexUpdate.objects.filter(id__lte=pending[-1][0]).delete()
            done += len(part_ids)
        backend.refresh()
    return done


def rebuild_index(*, progress: bool = False) -> int:
    """Build a new index generation from the database and swap it in.
    Updates queued while it runs stay queued and are applied by the next sync."""
    from camshaft.catalog.models import Part

    with backend.writer_lock():
        high_water = PendingIndexUpdate.objects.aggregate(m=Max("id"))["m"] or 0
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
        writer.commit()
        writer.wait_merging_threads()
        bar.close()
        backend.publish_generation(path)
        PendingIndexUpdate.objects.filter(id__lte=high_water).delete()
    return count
