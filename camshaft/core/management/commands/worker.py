"""camshaft worker: runs queued tasks (django-tasks-db) and keeps the search index current."""

from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Run the task worker (search index updates, mail)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process what is queued and exit")

    def handle(self, *args, **opts):
        from camshaft.search import services as search_services

        search_services.sync_index()
        if opts["once"]:
            call_command("db_worker", batch=True)
            return
        call_command("db_worker")
