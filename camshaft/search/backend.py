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

Each generation holds a POSITION file: how far it has applied the change
log (`changelog`). SEARCH_INDEX_DIR/HOST names this host to the others.

A missing or damaged index raises IndexUnavailable with the reason, so the
store can say so and serve what the database alone can answer.
"""

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import tantivy
from django.conf import settings

# 2: documents of other kinds (marketplace listings) beside the parts.
SCHEMA_VERSION = 2
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
    # 0 for the store's parts; another kind's code (`sources`) for its
    # documents, whose row id is `ref` (a part's is `pid`).
    sb.add_unsigned_field("kind", indexed=True, fast=True)
    sb.add_unsigned_field("ref", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("condition", indexed=True, fast=True)
    return sb.build()


SCHEMA = build_schema()
POSITION_FILE = "POSITION"


class IndexUnavailable(Exception):
    """The index cannot be searched; str() says why, for people and /healthz."""


class IndexMissing(IndexUnavailable):
    """No index has been built in SEARCH_INDEX_DIR (or its files are gone)."""


def is_index_failure(error: BaseException) -> bool:
    """tantivy reports unreadable files as ValueError, and some damage as a
    Rust panic (pyo3's PanicException, a BaseException)."""
    return isinstance(error, ValueError) or type(error).__name__ == "PanicException"


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


def current_generation() -> Path | None:
    """The live generation's directory, or None when there is none (yet)."""
    path = _read_current()
    if path is None or not path.is_dir():
        return None
    return path


def create_empty() -> Path:
    """An empty live index, when none exists (an empty catalogue needs no
    more). It has no POSITION: the first sync builds it from the database."""
    with _flock("init.lock"):
        path = current_generation()
        if path is None:
            path = new_generation_dir()
            tantivy.Index(SCHEMA, path=str(path))
            publish_generation(path)
        return path


def _open_current() -> tuple[tantivy.Index, Path]:
    path = current_generation()
    if path is None:
        if _read_current() is None:
            raise IndexMissing("the search index has not been built on this host")
        raise IndexMissing(f"the search index's files are missing ({_read_current().name})")
    if not path.name.startswith(f"gen-v{SCHEMA_VERSION}-"):
        raise IndexUnavailable("the search index was built by another version of Camshaft")
    try:
        index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        index.config_reader(reload_policy="Manual")
        index.searcher()
    except BaseException as error:
        if not is_index_failure(error):
            raise
        raise IndexUnavailable(f"the search index is damaged ({_first_line(error)})") from None
    return index, path


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def index() -> tantivy.Index:
    """This process's handle on the live index, reopened when a rebuild has
    swapped generations and reloaded when another process has committed.
    Raises IndexUnavailable (remembered for RELOAD_INTERVAL_SECONDS, then
    tried again) when it is missing or damaged."""
    now = time.monotonic()
    with _lock:
        state = _state.get(str(root()))
        if state is not None and now - state["checked"] <= RELOAD_INTERVAL_SECONDS:
            if state.get("error"):
                raise state["error"]
            return state["index"]
        try:
            if state is None or state.get("error") or _read_current() != state["path"]:
                idx, path = _open_current()
                state = {"index": idx, "path": path, "checked": now}
                _state[str(root())] = state
            else:
                state["checked"] = now
                state["index"].reload()
        except IndexUnavailable as problem:
            _state[str(root())] = {"error": problem, "checked": now}
            raise
        except BaseException as error:
            if not is_index_failure(error):
                raise
            problem = IndexUnavailable(f"the search index is damaged ({_first_line(error)})")
            _state[str(root())] = {"error": problem, "checked": now}
            raise problem from None
        return state["index"]


def mark_damaged(error: BaseException) -> IndexUnavailable:
    """A search failed inside the index: say so (to /healthz too) until the
    next look, RELOAD_INTERVAL_SECONDS later, finds it readable again."""
    problem = IndexUnavailable(f"the search index is damaged ({_first_line(error)})")
    with _lock:
        _state[str(root())] = {"error": problem, "checked": time.monotonic()}
    return problem


def searcher() -> tantivy.Searcher:
    return index().searcher()


def refresh() -> None:
    """See our own commits at once (the writer calls this after committing)."""
    with _lock:
        state = _state.get(str(root()))
        if state and not state.get("error"):
            state["index"].reload()
            state["checked"] = time.monotonic()


def read_position(generation: Path) -> int | None:
    """How far `generation` has applied the change log; None when unknown."""
    try:
        return int((generation / POSITION_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def write_position(generation: Path, position: int) -> None:
    tmp = generation / f"{POSITION_FILE}.{os.getpid()}.tmp"
    tmp.write_text(str(position))
    tmp.replace(generation / POSITION_FILE)


def host_id() -> str:
    """This host's name in the change log's reckoning, made once per index
    directory: a host whose directory is new is a new host."""
    path = root() / "HOST"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    root().mkdir(parents=True, exist_ok=True)
    with _flock("init.lock"):
        if not path.exists():
            tmp = root() / f"HOST.{os.getpid()}.tmp"
            tmp.write_text(uuid.uuid4().hex)
            tmp.replace(path)
        return path.read_text().strip()


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


# --- Snapshots: a copy of a generation in a folder other hosts can read ---

SNAPSHOT_PREFIX = f"snapshot-v{SCHEMA_VERSION}-"
SNAPSHOTS_KEPT = 2
_TANTIVY_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")


def copy_snapshot(generation: Path, folder: Path) -> Path:
    """Copy `generation` (its POSITION included) into `folder` under a new
    name, whole or not at all; older snapshots beyond SNAPSHOTS_KEPT go.
    The caller holds the writer lock, so no commit changes it meanwhile."""
    folder.mkdir(parents=True, exist_ok=True)
    position = read_position(generation)
    name = f"{SNAPSHOT_PREFIX}{time.time_ns()}-{position}"
    tmp = folder / f".{name}.tmp"
    shutil.copytree(generation, tmp, ignore=shutil.ignore_patterns(*_TANTIVY_LOCKS, "*.tmp"))
    tmp.rename(folder / name)
    for old in snapshots(folder)[SNAPSHOTS_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)
    return folder / name


def snapshots(folder: Path) -> list[Path]:
    """Complete snapshots in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = [
        p for p in folder.glob(f"{SNAPSHOT_PREFIX}*") if p.is_dir() and read_position(p) is not None
    ]
    return sorted(found, key=lambda p: int(p.name.split("-")[2]), reverse=True)


def install_snapshot(snapshot: Path) -> Path:
    """Copy a snapshot in as a new generation (not yet live) and check it opens."""
    path = root() / f"gen-v{SCHEMA_VERSION}-{time.time_ns()}"
    root().mkdir(parents=True, exist_ok=True)
    shutil.copytree(snapshot, path)
    try:
        tantivy.Index(SCHEMA, path=str(path), reuse=True).searcher()
    except BaseException as error:
        shutil.rmtree(path, ignore_errors=True)
        if not is_index_failure(error):
            raise
        damage = _first_line(error)
        raise IndexUnavailable(f"snapshot {snapshot.name} is damaged ({damage})") from None
    return path
