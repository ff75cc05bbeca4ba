"""camshaft loadtest: many shoppers at once through gunicorn (B3); see camshaft/bench/load.py."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command

from camshaft.bench.load import LoadTestError, format_report, run_load_test, write_json


class Command(BaseCommand):
    help = (
        "Serve this store with gunicorn on 127.0.0.1 and let N simulated shoppers browse, "
        "search and check out for a bounded time; report latencies per step, pages/s, "
        "orders/min, errors and units oversold. Needs a catalogue (camshaft demo) and "
        "pip install -e '.[load]'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="shoppers at once")
        parser.add_argument("--seconds", type=int, default=120, help="how long (at most 3600)")
        parser.add_argument("--port", type=int, default=8765, help="a free loopback port")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--json", type=Path, help="also write the report here")

    def handle(self, *args, users, seconds, port, workers, json, **opts):
        if not (1 <= users <= 2000 and 10 <= seconds <= 3600 and 1 <= workers <= 64):
            raise CommandError("Use 1-2000 users, 10-3600 seconds and 1-64 workers.")
        # Pages name their static files by hash, as `camshaft serve` collects them.
        call_command("collectstatic", interactive=False, verbosity=0)
        try:
            report = run_load_test(users=users, seconds=seconds, port=port, workers=workers)
        except LoadTestError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(format_report(report))
        if json:
            write_json(report, json)
            self.stdout.write(f"\nWrote {json}")
