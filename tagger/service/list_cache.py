"""`tagger list` and `tagger review` without importing SQLAlchemy: the compiled-query cache.

Importing SQLAlchemy, its ORM and the schema costs more than the whole of `tagger list` may take
on a 10,000-track library. So the first run of a question (a command with its options, under
the settings that enter its SQL) answers it through the library as always, then compiles the
statements it asked (`library/compiled_query.py`: SQL text, parameter values, column decoders)
and keeps them in the user cache folder, like a .pyc for SQL. A later run of the same question
reads them back and runs them through the standard library's `sqlite3`; the rows become records
through the same Python (`track_rows.track_row`, `album_votes`, `review_rule`) as on the first
run, so the SQL and the review rule keep their one owner, the SQLAlchemy expressions.

An entry's key holds everything that can change the SQL: the tagger's version, a digest of the
sources that build it (version only where they are absent, as in a frozen bundle), SQLAlchemy's
version, the command and its options, the review rule's settings and the newest schema revision.

The normal path answers, silently, whenever the cache cannot answer exactly: a library that is
not a plain SQLite file (a URL, PostgreSQL), a missing, unreadable or foreign entry, a library at
another schema revision (opening it upgrades it), one whose last writer did not close it (its
check runs on opening), a track whose tag class is stale (the review rule and the conflicts
list read it; only a writer settles it: `library/tag_class.py`), or any error on the way.
Nothing is written to the library here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sqlite3
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs

import tagger
from tagger import APP_NAME, __version__
from tagger.library.album_votes import album_review_reasons
from tagger.library.compiled_query import CompiledQuery, run_compiled
from tagger.library.database_faults import SQLITE_MAGIC
from tagger.library.db_location import plain_sqlite_file
from tagger.library.path_map import PathMap
from tagger.library.review_rule import AGAINST_ALBUM, ReviewRule
from tagger.library.revisions import revisions
from tagger.library.settings import Settings
from tagger.library.track_rows import SmartList, TrackRow, on_this_host, track_row, with_label
from tagger.service.models import classes_with_models, unknown_label_warning

# Entries kept; the oldest go when a new one is written (each distinct --search is one).
MAX_ENTRIES = 200
STATEMENTS = ("stale", "albums", "rows", "rows_against", "classes")
# The sources whose code shapes the cached SQL or the rows made from it.
SOURCES = ("library/*.py", "service/list_cache.py", "service/models.py")
_VERSION = re.compile(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


@dataclass(frozen=True)
class ListRequest:
    command: str  # "list" or "review"
    smart: SmartList = SmartList.ALL
    search: str = ""
    threshold: float | None = None  # None: the settings'
    limit: int | None = None  # review --limit
    label: str | None = None  # list --label (a filter on the rows: not part of the SQL)


@dataclass(frozen=True)
class Listing:
    rows: list[TrackRow]
    warning: str | None = None  # e.g. --label names no known class


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "queries"


def list_tracks(db: str | None, request: ListRequest) -> Listing:
    """The rows of `request`: from the cache when it can answer, else from the library (and
    then its statements are kept for the next time)."""
    cached = cached_listing(db, request)
    if cached is not None:
        return cached
    listing = _from_library(db, request)
    remember(db, request)
    return listing


def _from_library(db: str | None, request: ListRequest) -> Listing:
    from tagger.library.queries import TrackFilter
    from tagger.service.context import load_settings, open_library
    from tagger.service.library_client import LibraryClient

    client = LibraryClient(open_library(db, create=False), load_settings(), request.threshold)
    try:
        if request.command == "review":
            return Listing(client.review_queue(limit=request.limit))
        warning = client.unknown_label_warning(request.label) if request.label else None
        f = TrackFilter(request.smart, search=request.search)
        return Listing(client.list_rows(f, label=request.label), warning)
    finally:
        client.library.close()


# --- the key ------------------------------------------------------------------------------------


def _sources_digest() -> str:
    """A digest of the sources in SOURCES; "" where they are not files (a frozen bundle)."""
    root = Path(tagger.__file__).parent
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest() if digest.digest() != hashlib.sha256().digest() else ""


def _sqlalchemy_version() -> str | None:
    """Read from its `__init__.py`: importing SQLAlchemy is what this module avoids, and
    `importlib.metadata` costs a tenth of the whole command."""
    spec = importlib.util.find_spec("sqlalchemy")
    try:
        found = (
            _VERSION.search(Path(spec.origin).read_text("utf-8")) if spec and spec.origin else None
        )
    except (OSError, UnicodeDecodeError):  # a frozen bundle: its SQLAlchemy is the tagger's own
        return None
    return found[1] if found else None


def cache_key(request: ListRequest, settings: Settings) -> dict[str, Any]:
    """Everything that can change the cached SQL. The --label filter is applied to the rows."""
    rule = ReviewRule.from_settings(settings, request.threshold)
    return {
        "tagger": __version__,
        "sources": _sources_digest(),
        "sqlalchemy": _sqlalchemy_version(),
        "schema": revisions().head,
        "request": {**asdict(request), "label": None},
        "rule": [rule.threshold, rule.disagreement],
        # the tag classes the review rule reads must have been computed under this map
        "genre_map": settings.genre_map_rules().digest,
    }


def _entry_path(key: dict[str, Any]) -> Path:
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return cache_dir() / f"{name}.json"


# --- answering from the cache -------------------------------------------------------------------


def cached_listing(db: str | None, request: ListRequest) -> Listing | None:
    """The rows of `request` from the cache, or None when only the library can answer."""
    try:
        path = plain_sqlite_file(db)
        if path is None:
            return None
        settings = Settings.load()
        key = cache_key(request, settings)
        statements = _read_entry(key)
        if statements is None:
            return None
        connection = _open_up_to_date(path, key["schema"])
        if connection is None:
            return None
        try:
            return _answer(connection, statements, request, settings, PathMap.from_env())
        finally:
            connection.close()
    except Exception:  # any fault: the normal path answers, and reports it if it is real
        return None


def _read_entry(key: dict[str, Any]) -> dict[str, CompiledQuery] | None:
    try:
        raw = json.loads(_entry_path(key).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("key") != key:
        return None
    return {name: CompiledQuery.from_json(raw["statements"][name]) for name in STATEMENTS}


def _open_up_to_date(path: Path, head: str | None) -> sqlite3.Connection | None:
    """A connection that may not write, when the file is a library at the newest revision that
    its last writer closed (else opening it normally upgrades or checks it)."""
    wal = path.with_name(path.name + "-wal")
    if head is None or not path.is_file() or (wal.exists() and wal.stat().st_size > 0):
        return None
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            return None
    # Not SQLite's mode=ro: see database_faults.refuse_foreign_sqlite.
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA busy_timeout = 10000")  # as store's connections wait
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    if row is None or row[0] != head:
        connection.close()
        return None
    return connection


def _answer(
    connection: sqlite3.Connection,
    statements: dict[str, CompiledQuery],
    request: ListRequest,
    settings: Settings,
    paths: PathMap,
) -> Listing | None:
    """What LibraryClient.list_rows / review_queue answer, from the compiled statements; None
    when a track's tag class is stale (only a writer can settle it: `tag_class.py`)."""
    if run_compiled(connection, statements["stale"]):
        return None
    against = album_review_reasons(run_compiled(connection, statements["albums"]))
    rule = replace(ReviewRule.from_settings(settings, request.threshold), against_album=against)
    query = statements["rows_against"] if against else statements["rows"]
    found = run_compiled(connection, query, {AGAINST_ALBUM: sorted(against)})
    rows = [track_row(rule, *r) for r in found]
    warning = None
    if request.label:
        rows = with_label(rows, request.label)
        models = (r[0] for r in run_compiled(connection, statements["classes"]))
        warning = unknown_label_warning(
            request.label, classes_with_models(settings, models), "label"
        )
    return Listing([on_this_host(r, paths) for r in rows], warning)


# --- keeping the statements ---------------------------------------------------------------------


def remember(db: str | None, request: ListRequest) -> None:
    """Compile and keep the statements of `request`; never fails the command that asked."""
    if plain_sqlite_file(db) is None:
        return
    try:
        settings = Settings.load()
        key = cache_key(request, settings)
        entry = {"key": key, "statements": _compile(request, settings)}
        _write(_entry_path(key), json.dumps(entry))
    except Exception:  # a read-only cache folder, a statement that cannot be kept: no cache
        return


def _compile(request: ListRequest, settings: Settings) -> dict[str, Any]:
    """The statements, built from the request and the settings alone (no session): every value
    they hold comes from what the key holds; what the library's contents decide is a named list
    parameter, filled in by `_answer`."""
    from tagger.library.album_consensus import album_rows_query
    from tagger.library.compiled_query import compile_select
    from tagger.library.queries import TrackFilter, review_queue_query, track_rows_query
    from tagger.library.tag_class import stale_probe
    from tagger.service.models import model_classes_query

    def rows(rule: ReviewRule) -> Any:
        if request.command == "review":
            return review_queue_query(rule, limit=request.limit)
        return track_rows_query(TrackFilter(request.smart, search=request.search, rule=rule))

    rule = ReviewRule.from_settings(settings, request.threshold)
    # The shape with tracks against their album; the cache fills in which tracks they are.
    placeholder = replace(rule, against_album={0: ""})
    statements = {
        "stale": compile_select(stale_probe(settings.genre_map_rules())),
        "albums": compile_select(album_rows_query()),
        "rows": compile_select(rows(rule)),
        "rows_against": compile_select(rows(placeholder), [AGAINST_ALBUM]),
        "classes": compile_select(model_classes_query()),
    }
    return {name: q.to_json() for name, q in statements.items()}


def _write(path: Path, text: str) -> None:
    """Atomically (a reader sees the old entry or the new one), then prune the oldest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-MAX_ENTRIES]:
        old.unlink(missing_ok=True)
