"""camshaft reindex: rebuild the search index from the database."""

import sys
import time

from django.core.management import BaseCommand

from camshaft.search import services


class Command(BaseCommand):
    help = "Rebuild the search index from the database and swap it in atomically."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        started = time.monotonic()
        count = services.rebuild_index(progress=not opts["no_progress"] and sys.stderr.isatty())
        self.stdout.write(f"Indexed {count:,} parts in {time.monotonic() - started:.1f} s")
