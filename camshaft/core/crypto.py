"""Keys for encryption at rest (V8): a MultiFernet keyring that seals field
values, and a keyed hash for looking sealed values up.

Keys come from the environment (FIELD_ENCRYPTION_KEYS, newest first, and
FIELD_LOOKUP_KEY) or else from key files in var/, made on first use, so the
embedded store encrypts out of the box. See docs/encryption.md."""

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_SETTINGS = frozenset(
    {
        "FIELD_ENCRYPTION_KEYS",
        "FIELD_ENCRYPTION_KEY_FILE",
        "FIELD_LOOKUP_KEY",
        "FIELD_LOOKUP_KEY_FILE",
    }
)
#: Separates lookup digests from any other use of the lookup key material.
LOOKUP_KEY_INFO = b"camshaft field lookup v1"


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Fernet, ...]
    sealer: MultiFernet
    #: Where the keys came from, for messages: "environment" or the key file.
    source: str
    #: A short SHA-256 of each key, newest first: names a key without revealing it.
    fingerprints: tuple[str, ...] = ()


_lock = threading.Lock()
_keyring: tuple[tuple, Keyring] | None = None
_lookup_key: bytes | None = None


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    global _keyring, _lookup_key
    if setting in KEY_SETTINGS:
        _keyring = _lookup_key = None


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _create_secret_file(path: Path, content: str) -> None:
    """Write `content` to `path` readable by its owner only, unless another
    process got there first (then theirs is kept: two app workers starting at
    once must agree on one key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(content)
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)  # atomic, and fails if the file exists
    finally:
        partial.unlink()


def _key_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _file_stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        _create_secret_file(path, generate_key() + "\n")
        stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


class UndecryptableValue(RuntimeError):
    """A sealed value that no key in the keyring opens."""


def _load_keyring() -> Keyring:
    if settings.FIELD_ENCRYPTION_KEYS:
        material, source = list(settings.FIELD_ENCRYPTION_KEYS), "environment"
    else:
        path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
        material, source = _key_lines(path.read_text()), str(path)
    if not material:
        raise ImproperlyConfigured(f"No field encryption key in {source}.")
    keys = []
    for number, key in enumerate(material, start=1):
        try:
            keys.append(Fernet(key))
        except ValueError as bad:
            # The key itself is never echoed: it may be a real one, mistyped.
            raise ImproperlyConfigured(
                f"Field encryption key {number} in {source} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from bad
    return Keyring(
        keys=tuple(keys),
        sealer=MultiFernet(keys),
        source=source,
        fingerprints=tuple(fingerprint(key) for key in material),
    )


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


def keyring() -> Keyring:
    """The current keys, newest first. A key file is re-read when it changes,
    so `camshaft rotate-keys --new-key` reaches running app servers."""
    global _keyring
    stamp: tuple = ("environment", tuple(settings.FIELD_ENCRYPTION_KEYS))
    if not settings.FIELD_ENCRYPTION_KEYS:
        stamp = _file_stamp(Path(settings.FIELD_ENCRYPTION_KEY_FILE))
    cached = _keyring
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        loaded = _load_keyring()
        _keyring = (stamp, loaded)
    return loaded


def encrypt(text: str) -> str:
    """Seal `text` with the newest key."""
    return keyring().sealer.encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Open a token sealed with any key still in the keyring."""
    ring = keyring()
    try:
        return ring.sealer.decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            f"A stored value opens with no key in {ring.source}: was a key removed "
            "before `camshaft rotate-keys` re-encrypted everything?"
        ) from None


def is_current(token: str) -> bool:
    """Whether `token` is sealed with the newest key already."""
    try:
        keyring().keys[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reseal(token: str) -> str:
    """The same value sealed with the newest key (its original time kept)."""
    ring = keyring()
    try:
        return ring.sealer.rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(f"A stored value opens with no key in {ring.source}.") from None


def add_key_to_file() -> Path:
    """Put a new key first in the key file (the old ones stay, to decrypt)."""
    path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
    _file_stamp(path)  # makes the file if this store never encrypted anything yet
    with _lock:
        old = path.read_text()
        fresh = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(generate_key() + "\n" + old)
        os.replace(fresh, path)
    return path


def lookup_material() -> str:
    if settings.FIELD_LOOKUP_KEY:
        return settings.FIELD_LOOKUP_KEY
    path = Path(settings.FIELD_LOOKUP_KEY_FILE)
    if not path.exists():
        _create_secret_file(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def lookup_key() -> bytes:
    """The key of lookup digests. It is separate from the encryption keys so
    rotating those never changes a digest."""
    global _lookup_key
    if _lookup_key is None:
        material = lookup_material()
        if not material:
            raise ImproperlyConfigured("The field lookup key is empty.")
        _lookup_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=LOOKUP_KEY_INFO
        ).derive(material.encode())
    return _lookup_key


def normalize_for_lookup(value: str) -> str:
    """Case, accents' composed forms and runs of spaces do not matter to a lookup."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def lookup_digest(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalized value, hex. `purpose` keeps digests of one
    kind of value from matching another's."""
    message = f"{purpose}\0{normalize_for_lookup(value)}".encode()
    return hmac.new(lookup_key(), message, hashlib.sha256).hexdigest()
