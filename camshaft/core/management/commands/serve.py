"""camshaft serve: everything a fresh machine needs to show a working store."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, call_command

DEMO_STAFF_EMAIL = "staff@example.com"
DEMO_STAFF_PASSWORD = "camshaft-demo-staff"  # noqa: S105 - printed for the demo store only


class Command(BaseCommand):
    help = "Migrate, create a demo store if the database is empty, run gunicorn and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument(
            "--demo-parts",
            type=int,
            default=5000,
            help="size of the demo catalogue made when the store is empty",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, **opts):
        from camshaft.accounts.models import User
        from camshaft.accounts.roles import ADMINISTRATOR, grant_role
        from camshaft.catalog.models import Part
        from camshaft.pricing.services import seed_demo_rates
        from camshaft.tax.services import seed_demo_tax

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Part.objects.exists():
            self.stdout.write(
                f"Empty store: building a demo catalogue of {opts['demo_parts']} parts"
            )
            call_command("demo", parts=opts["demo_parts"])
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
            staff = User.objects.create_user(DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD)
            grant_role(user=staff, role=ADMINISTRATOR)
            self.stdout.write(
                f"Demo staff account: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD} (change it)"
            )
        children = []
        if not opts["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "camshaft.cli", "worker"]))
        bind = f"{opts['host']}:{opts['port']}"
        self.stdout.write(f"Camshaft is at http://{bind}/  (back office: /staff/)")
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "camshaft.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(opts["workers"]),
                "--access-logfile",
                "-",
                "--timeout",
                "60",
            ],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
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
