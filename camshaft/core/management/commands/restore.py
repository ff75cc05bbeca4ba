"""camshaft restore DIR: put a backup made by `camshaft backup` back (B3)."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from camshaft.core import backup
from camshaft.core.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into this store's database (stop the app servers and "
        "workers first). Refuses a damaged backup, keys that cannot open it, or a store "
        "with data unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a folder made by camshaft backup")
        parser.add_argument(
            "--replace", action="store_true", help="overwrite a store that has data"
        )
        parser.add_argument(
            "--ignore-keys",
            action="store_true",
            help="restore although the configured keys do not match the backup's",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, directory: Path, replace, ignore_keys, no_progress, **opts):
        try:
            with ProgressBar("restore", enabled=not no_progress) as bar:
                report = backup.restore(
                    directory=directory,
                    replace=replace,
                    ignore_keys=ignore_keys,
                    progress=bar.update,
                )
        except backup.BackupError as problem:
            raise CommandError(str(problem)) from None
        manifest = report.manifest
        self.stdout.write(f"Restored the backup of {manifest.created_at} ({manifest.vendor}).")
        if report.unreadable:
            raise CommandError(
                f"{report.unreadable} of {report.sampled} encrypted values tried open with no "
                "key configured now: set the keys the store had when the backup was made."
            )
        self.stdout.write(
            f"{report.sampled} encrypted values tried: all open with the keys configured now.\n"
            "Next: `camshaft manage migrate` (if this version is newer than the backup's) and "
            "`camshaft reindex`, then start the store."
        )
