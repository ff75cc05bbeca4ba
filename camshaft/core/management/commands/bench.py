"""camshaft bench --parts N --json FILE: build or reuse a catalogue and time the hot paths."""

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command

from camshaft.bench.queries import OPERATIONS, BenchError
from camshaft.bench.runner import DEFAULT_ITERATIONS, format_table, run_bench
from camshaft.catalog.demo import CatalogueNotEmpty


class Command(BaseCommand):
    help = (
        "Build (or reuse) an N-part demo catalogue, run each operation K times after a "
        "warm-up and write p50/p95/p99 latencies in milliseconds as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parts", type=int, required=True, help="catalogue size")
        parser.add_argument("--json", required=True, help="file to write the results to")
        parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--operation",
            action="append",
            choices=sorted(OPERATIONS),
            help="only this operation (repeatable); all by default",
        )
        parser.add_argument(
            "--listings",
            type=int,
            default=0,
            help="marketplace listings by demo sellers over the catalogue, in the search "
            "index while measuring (e.g. 100000 beside 1000000 parts)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument(
            "--buyers",
            type=int,
            default=8,
            help="threads placing orders at once in the concurrency run (with place_order)",
        )

    def handle(self, *args, **opts):
        if opts["parts"] < 1 or opts["iterations"] < 1 or opts["buyers"] < 1:
            raise CommandError("--parts, --iterations and --buyers must be at least 1")
        if opts["listings"] < 0:
            raise CommandError("--listings must be 0 or more")
        call_command("migrate", interactive=False, verbosity=0)
        # The part page is rendered as in production: hashed static file names.
        call_command("collectstatic", interactive=False, verbosity=0)
        try:
            report = run_bench(
                parts=opts["parts"],
                iterations=opts["iterations"],
                seed=opts["seed"],
                progress=not opts["no_progress"],
                operations=opts["operation"],
                buyers=opts["buyers"],
                listings=opts["listings"],
            )
        except (BenchError, CatalogueNotEmpty) as problem:
            raise CommandError(str(problem)) from None
        path = Path(opts["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
        self.stdout.write(format_table(report))
        self.stdout.write(f"\nWrote {path}")
