"""camshaft backup DIR: a copy of the store's database, taken while it runs (B3)."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from camshaft.core import backup
from camshaft.core.progress import ProgressBar


class Command(BaseCommand):
    help = "Copy the database into DIR (SQLite's online backup, or pg_dump) with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new folder for this backup")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, directory: Path, no_progress: bool, **opts):
        try:
            with ProgressBar("backup", enabled=not no_progress) as bar:
                manifest = backup.backup(directory=directory, progress=bar.update)
        except backup.BackupError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(
            f"Backed up the {manifest.vendor} database to {directory / manifest.file} "
            f"({manifest.bytes:,} bytes, sha256 {manifest.sha256[:16]}…)."
        )
        self.stdout.write(
            "The keys are NOT in the backup, on purpose: without them its encrypted fields "
            "cannot be read. Keep a copy of each, apart from the backups:\n  "
            + "\n  ".join(backup.key_places())
        )
