"""Background work for search: applying queued index updates."""

from django_tasks import task


@task()
def sync_search_index() -> int:
    from camshaft.search.services import sync_index

    # Non-blocking: when another worker holds the index it will drain the queue.
    return sync_index(blocking=False)
