"""camshaft demo --parts N: build a realistic synthetic catalogue (B3)."""

from django.core.management import BaseCommand, CommandError, call_command

from camshaft.catalog.demo import CatalogueNotEmpty, build_demo_catalogue
from camshaft.catalog.demo.generator import describe
from camshaft.marketplace import demo
from camshaft.search import services as search_services


class Command(BaseCommand):
    help = (
        "Build a synthetic catalogue: N parts, vehicles from 1990 to next year's models, "
        "fitment, stock in several warehouses, and the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parts", type=int, default=10_000, help="number of parts")
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed builds the same catalogue"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="wipe the existing catalogue, fitment and stock first",
        )
        parser.add_argument(
            "--listings",
            type=int,
            default=None,
            help="marketplace listings by demo sellers (default: one per "
            f"{demo.PARTS_PER_LISTING} parts, at most {demo.DEMO_LISTINGS_CAP:,})",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, **opts):
        if opts["parts"] < 1:
            raise CommandError("--parts must be at least 1")
        if opts["listings"] is not None and opts["listings"] < 0:
            raise CommandError("--listings must be 0 or more")
        call_command("migrate", interactive=False, verbosity=0)
        if opts["replace"]:
            demo.remove_demo_listings()  # they hold on to the parts being replaced
        try:
            report = build_demo_catalogue(
                parts=opts["parts"],
                seed=opts["seed"],
                replace=opts["replace"],
                progress=not opts["no_progress"],
            )
        except CatalogueNotEmpty as problem:
            raise CommandError(str(problem)) from None
        describe(report, self.stdout.write)
        wanted = opts["listings"]
        made = demo.build_demo_listings(
            count=demo.demo_listing_count(opts["parts"]) if wanted is None else wanted,
            seed=opts["seed"],
            progress=not opts["no_progress"],
        )
        if made.listings:
            search_services.sync_index()
            self.stdout.write(
                f"{made.listings:,} marketplace listings by {made.sellers} demo sellers "
                f"({made.free_standing:,} naming their own vehicles)"
            )
