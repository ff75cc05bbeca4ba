"""camshaft export: write parts, vehicles and fitment as CSV or JSON Lines (C2)."""

import os
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from camshaft.catalog import exporting
from camshaft.catalog.importing import KINDS


class Command(BaseCommand):
    help = (
        "Export the catalogue in the import format. JSON Lines may hold all kinds in one "
        "stream; CSV holds one kind per file, so --kind all with CSV needs --output DIR "
        "(vehicles.csv, parts.csv and fitment.csv are written there). See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=["csv", "jsonl"],
            help="default: from the --output file name, else jsonl",
        )
        parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
        parser.add_argument(
            "--output", help="a file, or a directory for CSV of all kinds; default: stdout"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, fmt, kind, output, no_progress, **options):
        kinds = KINDS if kind == "all" else (kind,)
        path = Path(output) if output else None
        fmt = fmt or exporting.format_for(path)
        progress = not no_progress and sys.stderr.isatty()
        if path is None:
            if fmt == "csv" and len(kinds) > 1:
                raise CommandError(
                    "a CSV file holds one kind: give --kind, or --output DIR for all three"
                )
            # The raw stream, not self.stdout: millions of rows, no per-line wrapping.
            stream = options.get("stdout") or sys.stdout
            try:
                counts = exporting.export(stream, fmt=fmt, kinds=kinds, progress=progress)
            except BrokenPipeError:  # `camshaft export ... | head`: the reader has enough
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise SystemExit(1) from None
            summary = self.stderr  # stdout carries the data
        elif fmt == "csv" and len(kinds) > 1:
            counts = exporting.export_csv_directory(path, kinds=kinds, progress=progress)
            summary = self.stdout
        else:
            with path.open("w", newline="", encoding="utf-8") as stream:
                counts = exporting.export(stream, fmt=fmt, kinds=kinds, progress=progress)
            summary = self.stdout
        for record_kind, count in counts.items():
            summary.write(f"{record_kind}: {count} row(s) exported")
