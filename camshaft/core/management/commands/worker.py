"""camshaft worker: runs queued tasks (django-tasks-db), keeps this host's search index
current from the change log and delivers the mail outbox."""

import logging
import threading
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
        if not opts["once"]:
            # This host's index follows the change log in a thread of its own,
            # so a slow task never holds search back (B3: every host, ~1 s).
            stop = threading.Event()
            threading.Thread(
                target=search_services.follow_change_log,
                args=(stop,),
                name="search-index-follower",
                daemon=True,
            ).start()
        while True:
            try:
                call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
                if opts["once"]:
                    search_services.sync_index()
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
