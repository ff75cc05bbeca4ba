"""camshaft import FILE: upsert parts, vehicles and fitment from CSV or JSON Lines (C2)."""

import sys

from django.core.management import BaseCommand, CommandError

from camshaft.catalog import importing


class Command(BaseCommand):
    help = (
        "Import parts, vehicles and fitment from a CSV or JSON Lines file. Every row is "
        "checked first; if any is rejected nothing is written. See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .jsonl or .ndjson file")
        parser.add_argument(
            "--format", dest="fmt", choices=["csv", "jsonl"], help="default: from the file name"
        )
        parser.add_argument(
            "--kind", choices=importing.KINDS, help="default: from a CSV header or JSON 'type'"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, fmt, kind, dry_run, no_progress, **options):
        progress = not no_progress and sys.stderr.isatty()
        try:
            if dry_run:
                check = importing.check_file(file, fmt=fmt, kind=kind, progress=progress)
                if check.errors:
                    raise importing.ImportRejected(check.errors)
                for record_kind, count in sorted(check.rows.items()):
                    self.stdout.write(f"{record_kind}: {count} row(s) would be imported")
                return
            report = importing.import_file(file, fmt=fmt, kind=kind, progress=progress)
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except importing.ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        for line in report.summary() or ["The file holds no records."]:
            self.stdout.write(line)
