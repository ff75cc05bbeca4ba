"""Backups of the store's database and their restore (B3).

SQLite is copied with its online backup API, a consistent snapshot taken
while the store keeps serving; PostgreSQL with pg_dump's custom format and
pg_restore in one transaction. The keys that open the encrypted fields (V8)
are never put in a backup: a stolen backup must not be readable. A manifest
beside the copy records its checksum and the fingerprints of the keys it
needs, so a restore refuses a damaged copy or keys that cannot open it."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from camshaft.core import crypto
from camshaft.core.fields import encrypted_fields

MANIFEST = "backup.json"
FORMAT = 1
SQLITE_FILE = "camshaft.sqlite3"
POSTGRES_FILE = "camshaft.pgdump"
SQLITE_PAGES_PER_STEP = 1024
#: Tables whose rows make a store "not empty": a restore will not overwrite
#: customers, orders or a catalogue unless told to.
STORE_DATA = (settings.AUTH_USER_MODEL, "orders.Order", "catalog.Part")
#: Encrypted values opened per field to prove the keys fit after a restore.
SAMPLE_PER_FIELD = 20

#: progress(done, total): pages for SQLite, objects for PostgreSQL (total 0 if unknown).
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    vendor: str
    file: str
    bytes: int
    sha256: str
    key_fingerprints: list[str]
    lookup_key_fingerprint: str
    migrations: dict[str, str]

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text())
            manifest = cls(**data)
        except FileNotFoundError:
            raise BackupError(
                f"{directory} holds no {MANIFEST}: it is not a Camshaft backup."
            ) from None
        except (ValueError, TypeError) as bad:
            raise BackupError(f"{path} is damaged: {bad}") from None
        if manifest.format != FORMAT:
            raise BackupError(
                f"{path} is of backup format {manifest.format}; this version reads {FORMAT}."
            )
        return manifest

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(self.__dict__, indent=2) + "\n")


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    #: Encrypted values tried after the restore, and how many no key opened.
    sampled: int
    unreadable: int


def key_places() -> list[str]:
    """Where this store's keys are, for the warning to keep them apart."""
    places = []
    if settings.SECRET_KEY_FROM_FILE:
        places.append(str(Path(settings.VAR_DIR) / "secret_key"))
    else:
        places.append("SECRET_KEY (environment)")
    places.append(
        "FIELD_ENCRYPTION_KEYS (environment)"
        if settings.FIELD_ENCRYPTION_KEYS
        else str(settings.FIELD_ENCRYPTION_KEY_FILE)
    )
    places.append(
        "FIELD_LOOKUP_KEY (environment)"
        if settings.FIELD_LOOKUP_KEY
        else str(settings.FIELD_LOOKUP_KEY_FILE)
    )
    return places


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _postgres_command(program: str) -> tuple[list[str], dict[str, str]]:
    """The client program with this database's connection, the password in
    the environment (never on a command line that `ps` shows)."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client programs "
            "(Debian: postgresql-client) in the version of the server or newer."
        )
    db = connection.settings_dict
    args = [found, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(args: list[str], env: dict[str, str], progress: Progress | None) -> None:
    """Run a PostgreSQL client verbosely, each line it prints a step of progress."""
    process = subprocess.Popen(
        [*args, "--verbose"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    tail: list[str] = []
    for done, line in enumerate(process.stderr, start=1):
        tail = [*tail[-9:], line.rstrip()]
        if progress:
            progress(done, 0)
    if process.wait() != 0:
        raise BackupError(f"{Path(args[0]).name} failed:\n" + "\n".join(tail))


def _sqlite_progress(progress: Progress | None):
    """SQLite reports (status, pages left, pages in all)."""
    if progress is None:
        return None
    return lambda _status, left, total: progress(total - left, total)


def backup(*, directory: Path, progress: Progress | None = None) -> Manifest:
    """Copy the database into `directory` (made if missing, refused if it
    already holds a backup) and write its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / MANIFEST).exists():
        raise BackupError(f"{directory} already holds a backup: choose a new folder.")
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "sqlite":
        target = directory / SQLITE_FILE
        with sqlite3.connect(target) as copy:
            connection.connection.backup(
                copy,
                pages=SQLITE_PAGES_PER_STEP,
                progress=(lambda _s, left, total: progress(total - left, total))
                if progress
                else None,
            )
        copy.close()
    elif vendor == "postgresql":
        target = directory / POSTGRES_FILE
        args, env = _postgres_command("pg_dump")
        _run([*args, "--format", "custom", "--file", str(target)], env, progress)
    else:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    target.chmod(0o600)
    ring = crypto.keyring()
    manifest = Manifest(
        format=FORMAT,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        vendor=vendor,
        file=target.name,
        bytes=target.stat().st_size,
        sha256=_sha256(target),
        key_fingerprints=list(ring.fingerprints),
        lookup_key_fingerprint=crypto.fingerprint(crypto.lookup_material()),
        migrations=_applied_migrations(),
    )
    manifest.write(directory)
    return manifest


def store_has_data() -> bool:
    try:
        return any(apps.get_model(label).objects.exists() for label in STORE_DATA)
    except Exception:
        return False


def check_restorable(*, directory: Path, replace: bool, ignore_keys: bool) -> Manifest:
    """Everything that can be known before a byte is written: the copy is
    whole, for this database, openable with the keys configured now, and the
    store is empty (or `replace` says to overwrite it)."""
    manifest = Manifest.read(directory)
    path = directory / manifest.file
    if not path.exists():
        raise BackupError(f"{path} is missing: the backup is incomplete.")
    if path.stat().st_size != manifest.bytes or _sha256(path) != manifest.sha256:
        raise BackupError(f"{path} does not match its checksum: the copy is damaged.")
    connection.ensure_connection()
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"This is a {manifest.vendor} backup and the store runs on {connection.vendor}: "
            "restore it into the same kind of database."
        )
    if not ignore_keys:
        ring = crypto.keyring()
        missing = [key for key in manifest.key_fingerprints if key not in ring.fingerprints]
        lookup = crypto.fingerprint(crypto.lookup_material())
        if missing or lookup != manifest.lookup_key_fingerprint:
            raise BackupError(
                "The keys configured now cannot open this backup's encrypted fields "
                f"(missing key fingerprints: {', '.join(missing) or 'none'}; lookup key "
                f"{'differs' if lookup != manifest.lookup_key_fingerprint else 'matches'}). "
                "Configure the keys the store had when the backup was made "
                "(see docs/encryption.md), or pass --ignore-keys."
            )
    if store_has_data() and not replace:
        raise BackupError(
            "This store already has customers, orders or parts: restoring would replace them. "
            "Stop the store and pass --replace if that is what you want."
        )
    return manifest


def restore(
    *,
    directory: Path,
    replace: bool = False,
    ignore_keys: bool = False,
    progress: Progress | None = None,
) -> RestoreReport:
    """Replace the database with the backup in `directory`. Stop the app
    servers and workers first; run `camshaft manage migrate` and
    `camshaft reindex` after."""
    manifest = check_restorable(directory=directory, replace=replace, ignore_keys=ignore_keys)
    path = directory / manifest.file
    if manifest.vendor == "sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            source.backup(
                connection.connection,
                pages=SQLITE_PAGES_PER_STEP,
                progress=(lambda _s, left, total: progress(total - left, total))
                if progress
                else None,
            )
        source.close()
    else:
        args, env = _postgres_command("pg_restore")
        connection.close()
        _run([*args, "--clean", "--if-exists", "--single-transaction", str(path)], env, progress)
    connection.close()  # forget what the old database looked like
    sampled, unreadable = sample_encrypted_values()
    return RestoreReport(manifest=manifest, sampled=sampled, unreadable=unreadable)


def sample_encrypted_values(per_field: int = SAMPLE_PER_FIELD) -> tuple[int, int]:
    """Open up to `per_field` stored values of every encrypted field with the
    keys configured now; answers (tried, unreadable)."""
    tried = unreadable = 0
    for model in apps.get_models():
        for field in encrypted_fields(model):
            table, column = model._meta.db_table, field.column
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 - names from the models
                    f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT %s",
                    [per_field],
                )
                tokens = [row[0] for row in cursor.fetchall()]
            for token in tokens:
                tried += 1
                try:
                    crypto.decrypt(token)
                except crypto.UndecryptableValue:
                    unreadable += 1
    return tried, unreadable
