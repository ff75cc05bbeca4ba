"""camshaft worker: runs queued tasks (django-tasks-db), keeps the search index current
and delivers the mail outbox."""

import logging
import time

from django.core.management import BaseCommand, call_command
from django.db import close_old_connections

log = logging.getLogger("camshaft.worker")
POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = "Run queued tasks, apply search index updates, send due mail; --once to drain and exit."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is queued and exit")
        parser.add_argument("--interval", type=float, default=POLL_SECONDS)

    def handle(self, *args, **opts):
        from camshaft.notifications import services as notification_services
        from camshaft.search import services as search_services

        self.stdout.write("Camshaft worker started")
        while True:
            try:
                call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
                # Updates a busy writer left queued are applied here at the latest.
                search_services.sync_index(blocking=False)
            except Exception:  # keep serving: one bad task must not stop the worker
                log.exception("worker cycle failed")
            try:
                # Retries come due without anyone enqueueing a task for them.
                notification_services.deliver_due_messages()
            except Exception:  # nor must a mail problem stop the index sync
                log.exception("outbox delivery failed")
            finally:
                close_old_connections()
            if opts["once"]:
                return
            time.sleep(opts["interval"])
