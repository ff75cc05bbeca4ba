"""The search index: tantivy, embedded, in SEARCH_INDEX_DIR.

Why tantivy and not SQLite FTS5 / PostgreSQL tsvector: at a million parts a
common word matches 10-30% of the catalogue, and facet counts or a price sort
over that many rows cost 50-90 ms in FTS5 (every match is a row lookup),
while tantivy's columnar fast fields do them in about a millisecond. It is
a library, not a server, so the embedded default stays one process tree and
the index works the same whatever the database.

Layout: SEARCH_INDEX_DIR/CURRENT names the live generation directory. A full
rebuild writes a new generation beside it and swaps CURRENT atomically, so
searches never see a half-built index. One writer at a time, serialised by
an flock on SEARCH_INDEX_DIR/writer.lock across processes.
"""

import contextlib
import fcntl
import os
import shutil
import threading
import time
from pathlib import Path

import tantivy
from django.conf import settings

SCHEMA_VERSION = 1
WRITER_HEAP_BYTES = 200_000_000
TEXT_FIELDS = ("name", "keywords", "body")
# How much a word found in each field counts towards "best match".
FIELD_BOOSTS = {"name": 3.0, "keywords": 1.5, "body": 0.4}
# Readers look for a new generation or new commits at most this often.
RELOAD_INTERVAL_SECONDS = 0.5


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("pid", stored=True, indexed=True, fast=True)
    sb.add_text_field("name", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("keywords", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=False, tokenizer_name="en_stem", index_option="freq")
    # Unstemmed words of names, for "did you mean" suggestions.
    sb.add_text_field("words", stored=False, tokenizer_name="default", index_option="basic")
    sb.add_unsigned_field("category", indexed=True, fast=True)
    sb.add_unsigned_field("category_tree", indexed=True)
    sb.add_unsigned_field("brand", indexed=True, fast=True)
    sb.add_unsigned_field("price", indexed=True, fast=True)
    sb.add_boolean_field("in_stock", indexed=True, fast=True)
    sb.add_unsigned_field("vehicles", indexed=True)
    return sb.build()


SCHEMA = build_schema()

_lock = threading.RLock()
_state: dict = {}


def root() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def _current_file() -> Path:
    return root() / "CURRENT"


def _read_current() -> Path | None:
    try:
        name = _current_file().read_text().strip()
    except FileNotFoundError:
        return None
    return root() / name if name else None


def new_generation_dir() -> Path:
    path = root() / f"gen-v{SCHEMA_VERSION}-{time.time_ns()}"
    path.mkdir(parents=True)
    return path


def publish_generation(path: Path) -> None:
    """Point CURRENT at `path` (atomic rename) and delete older generations."""
    tmp = root() / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(path.name)
    tmp.replace(_current_file())
    for old in root().glob("gen-*"):
        if old != path:
            shutil.rmtree(old, ignore_errors=True)
    reset_cache()


def _open_current() -> tuple[tantivy.Index, Path]:
    root().mkdir(parents=True, exist_ok=True)
    path = _read_current()
    if path is None or not path.exists() or not path.name.startswith(f"gen-v{SCHEMA_VERSION}-"):
        with _flock("init.lock"):
            path = _read_current()
            if path is None or not path.exists():
                path = new_generation_dir()
                tantivy.Index(SCHEMA, path=str(path))
                publish_generation(path)
    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
    index.config_reader(reload_policy="Manual")
    return index, path


def index() -> tantivy.Index:
    """This process's handle on the live index, reopened when a rebuild has
    swapped generations and reloaded when another process has committed."""
    now = time.monotonic()
    with _lock:
        state = _state.get(str(root()))
        if state is None:
            idx, path = _open_current()
            state = {"index": idx, "path": path, "checked": now}
            _state[str(root())] = state
        elif now - state["checked"] > RELOAD_INTERVAL_SECONDS:
            state["checked"] = now
            if _read_current() != state["path"]:
                idx, path = _open_current()
                state.update(index=idx, path=path)
            else:
                state["index"].reload()
        return state["index"]


def searcher() -> tantivy.Searcher:
    return index().searcher()


def refresh() -> None:
    """See our own commits at once (the writer calls this after committing)."""
    with _lock:
        state = _state.get(str(root()))
        if state:
            state["index"].reload()
            state["checked"] = time.monotonic()


def reset_cache() -> None:
    with _lock:
        _state.clear()


@contextlib.contextmanager
def writer_lock(*, blocking: bool = True):
    """Serialise writers across processes. With blocking=False, yields False
    when another process holds the lock (its sync will pick our work up)."""
    with _flock("writer.lock", blocking=blocking) as acquired:
        yield acquired


@contextlib.contextmanager
def _flock(name: str, *, blocking: bool = True):
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / name, "a+") as handle:
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
