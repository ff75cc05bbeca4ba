"""camshaft worker: runs queued tasks (django-tasks-db) and keeps the search index current."""

import logging
import time

from django.core.management import BaseCommand, call_command
from django.db import close_old_connections

log = logging.getLogger("camshaft.worker")
POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = "Run queued tasks and apply search index updates; --once to drain and exit."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is queued and exit")
        parser.add_argument("--interval", type=float, default=POLL_SECONDS)

    def handle(self, *args, **opts):
        from camshaft.search import services as search_services

        self.stdout.write("Camshaft worker started")
        while True:
            try:
                call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
                # Updates a busy writer left queued are applied here at the latest.
                search_services.sync_index(blocking=False)
            except Exception:  # keep serving: one bad task must not stop the worker
                log.exception("worker cycle failed")
            finally:
                close_old_connections()
            if opts["once"]:
                return
            time.sleep(opts["interval"])
