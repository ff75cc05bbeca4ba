"""camshaft rotate-keys: re-encrypt every encrypted field with the newest key
(V8), optionally after adding a new key, so old keys can then be retired.

Safe to run again and to stop halfway: values already sealed with the newest
key are left alone, and each batch of rows is its own transaction."""

from django.apps import apps
from django.core.management import BaseCommand, CommandError
from tqdm import tqdm

from camshaft.core import crypto
from camshaft.core.fields import encrypted_fields, rewrite_rows

ENV_KEY_STEPS = """\
The keys come from FIELD_ENCRYPTION_KEYS, which this command cannot change.
1. Put this new key first in FIELD_ENCRYPTION_KEYS on every app server and worker,
   keeping the old keys after it:
       FIELD_ENCRYPTION_KEYS={new},{old}
2. Restart them all, then run `camshaft rotate-keys` (without --new-key).
3. Once it reports nothing left to re-encrypt, the old keys may be removed.
"""


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key; --new-key adds one first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="make a new key and put it first in the key file (or print it, for env keys)",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, new_key: bool, batch_size: int, no_progress: bool, **opts):
        ring = crypto.keyring()
        if new_key and ring.source == "environment":
            self.stdout.write(
                ENV_KEY_STEPS.format(new=crypto.generate_key(), old="<the current keys>")
            )
            return
        if new_key:
            path = crypto.add_key_to_file()
            self.stdout.write(f"Added a new key first in {path}: back this file up now.")
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            total += self._reseal(model, fields, batch_size, progress=not no_progress)
        ring = crypto.keyring()
        self.stdout.write(f"Re-encrypted {total} value(s) with the newest key.")
        if len(ring.keys) > 1:
            self.stdout.write(
                f"Every value opens with the newest key alone: the {len(ring.keys) - 1} "
                f"older key(s) may now be removed from {ring.source} (keep a backup)."
            )

    def _reseal(self, model, fields, batch_size: int, *, progress: bool) -> int:
        label = model._meta.label

        def change(stored: dict[str, str]) -> dict[str, str]:
            try:
                return {
                    column: crypto.reseal(token)
                    for column, token in stored.items()
                    if not crypto.is_current(token)
                }
            except crypto.UndecryptableValue:
                raise CommandError(
                    f"A value of {label} opens with no key in {crypto.keyring().source}: "
                    "put back the key it was sealed with, then run this again."
                ) from None

        bar = tqdm(
            total=model._base_manager.count(),
            desc=label,
            unit="rows",
            disable=not progress,
        )
        written = 0
        try:
            columns = [field.column for field in fields]
            for rows, changed in rewrite_rows(model, columns, change, batch_size=batch_size):
                bar.update(rows)
                written += changed
        finally:
            bar.close()
        self.stdout.write(f"{label}: {written} value(s) re-encrypted")
        return written
