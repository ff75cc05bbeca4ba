"""camshaft serve: everything a fresh machine needs to show a working store.

In the embedded default an empty store gets a demo catalogue and a demo
administrator with a random password, printed once. In production
(CAMSHAFT_ENV=production) it writes no demo data and makes no account: the
operator imports the catalogue and invites the first administrator."""

import secrets
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from camshaft.core import serving

DEMO_STAFF_EMAIL = "staff@example.com"
DEFAULT_DEMO_PARTS = 5000


class Command(BaseCommand):
    help = "Migrate, create a demo store if the database is empty, run gunicorn and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers",
            type=int,
            default=3,
            help="gunicorn worker processes (one without REDIS_URL, see docs/chat.md)",
        )
        parser.add_argument(
            "--demo-parts",
            type=int,
            default=None,
            help=f"size of the demo catalogue made when the store is empty "
            f"(default {DEFAULT_DEMO_PARTS}; refused in production)",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
        parser.add_argument(
            "--setup-only",
            action="store_true",
            help="migrate and prepare the store, then exit without serving",
        )

    def handle(self, *args, **opts):
        if settings.PRODUCTION and opts["demo_parts"] is not None:
            raise CommandError(
                "--demo-parts builds a demo catalogue, and a production store "
                "(CAMSHAFT_ENV=production) never gets demo data. Import your catalogue with "
                "`camshaft import FILE`, or try the demo on a store without "
                "CAMSHAFT_ENV=production."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self._disarm_default_passwords()
        if settings.PRODUCTION:
            self._greet_production_store()
        else:
            self._seed_demo_store(opts["demo_parts"] or DEFAULT_DEMO_PARTS)
        self._catch_up_search_index()
        if opts["setup_only"]:
            return
        self._serve(opts)

    def _catch_up_search_index(self) -> None:
        """Before serving, this host's search index applies the change log
        (B3: a host that was down shows what changed meanwhile from its first
        answer). A host without a usable one serves at once, search degraded,
        while the worker starts it from a snapshot or rebuilds it."""
        from camshaft.search import services as search_services

        try:
            search_services.sync_index(start_from_nothing=False)
        except Exception as error:  # serve anyway: search degrades, /healthz says why
            self.stderr.write(f"The search index could not be brought up to date: {error}")
            return
        if not search_services.has_usable_index():
            self.stdout.write(
                "This host has no search index yet: the worker builds it now (from a "
                "snapshot in SEARCH_SNAPSHOT_DIR, or from the database). Until then search "
                "finds exact part numbers only, and /healthz says so."
            )

    def _disarm_default_passwords(self) -> None:
        from camshaft.accounts.services import disarm_default_passwords

        for user in disarm_default_passwords():
            self.stdout.write(
                f"{user.email} had a published default password: it no longer works, nor do "
                "its authenticators and API tokens. Invite its owner again with "
                f"`camshaft createstaff {user.email} --role ROLE`."
            )

    def _greet_production_store(self) -> None:
        from camshaft.accounts.models import User
        from camshaft.catalog.models import Part

        if not Part.objects.exists():
            self.stdout.write(
                "The catalogue is empty. Import yours with `camshaft import FILE` "
                "(CSV or JSON Lines, see docs/import-format.md) or add parts in the back "
                "office at /staff/catalog/part/."
            )
        if not User.objects.filter(is_staff=True).exists():
            self.stdout.write(
                "No staff account yet. Invite the first administrator with "
                "`camshaft createstaff EMAIL --role administrator`."
            )

    def _seed_demo_store(self, demo_parts: int) -> None:
        from camshaft.accounts.models import User
        from camshaft.accounts.roles import ADMINISTRATOR, grant_role
        from camshaft.catalog.models import Part
        from camshaft.pricing.services import seed_demo_rates
        from camshaft.tax.services import seed_demo_tax

        if not Part.objects.exists():
            self.stdout.write(f"Empty store: building a demo catalogue of {demo_parts} parts")
            call_command("demo", parts=demo_parts)
            if seeded := seed_demo_rates():
                self.stdout.write(
                    f"Demo exchange rates for {', '.join(seeded)}: set real ones at "
                    "/staff/pricing/exchangerate/"
                )
            if taxes := seed_demo_tax():
                self.stdout.write(
                    f"Demo tax rates for the demo warehouses' states and countries "
                    f"({len(taxes)}): check them at /staff/tax/taxjurisdiction/"
                )
        if not User.objects.filter(is_staff=True).exists():
            # A2/A4: random, shown once, kept only as its hash.
            password = secrets.token_urlsafe(15)
            staff = User.objects.create_user(DEMO_STAFF_EMAIL, password)
            grant_role(user=staff, role=ADMINISTRATOR)
            self.stdout.write(
                f"Demo staff account (administrator) for /staff/: {DEMO_STAFF_EMAIL}\n"
                f"  password: {password}\n"
                "  It is shown only now and kept only as a hash. The first sign-in asks for a "
                f"code mailed to {DEMO_STAFF_EMAIL}: this demo store writes its mail to files "
                f"in {settings.MAIL_DIR}."
            )

    def _serve(self, opts) -> None:
        children = []
        if not opts["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "camshaft.cli", "worker"]))
        bind = f"{opts['host']}:{opts['port']}"
        workers = serving.app_workers(opts["workers"])
        if workers < opts["workers"]:
            self.stdout.write(
                "One app worker: the live chat's sockets meet in the process without "
                "REDIS_URL (set it to run several; docs/chat.md)."
            )
        self.stdout.write(f"Camshaft is at http://{bind}/  (back office: /staff/)")
        gunicorn = subprocess.Popen(
            serving.gunicorn_command(bind=bind, workers=workers), env=serving.server_env()
        )
        children.append(gunicorn)

        def stop(*_):
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            gunicorn.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                child.wait()
