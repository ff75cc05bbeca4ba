"""camshaft reindex: rebuild this host's search index from the database.

It repairs a missing or damaged index (search is degraded until then) and,
when SEARCH_SNAPSHOT_DIR is set, publishes the result for new hosts."""

import sys
import time

from django.core.management import BaseCommand

from camshaft.search import selectors, services


class Command(BaseCommand):
    help = "Rebuild this host's search index from the database and swap it in atomically."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        started = time.monotonic()
        services.rebuild_index(progress=not opts["no_progress"] and sys.stderr.isatty())
        counts = ", ".join(f"{n:,} {kind}s" for kind, n in selectors.indexed_counts().items())
        self.stdout.write(f"Indexed {counts or 'nothing'} in {time.monotonic() - started:.1f} s")
        applied = services.sync_index()  # what changed while it was building
        if applied:
            self.stdout.write(f"Applied {applied:,} changes made meanwhile")
        if snapshot := services.publish_snapshot():
            self.stdout.write(f"Snapshot for new hosts: {snapshot}")
