"""Opening a library: where it lives, the SQLite settings, and bringing its schema up to date.

`Library.open(db)` takes a path, any SQLAlchemy URL, or None (then $TAGGER_DB, then the user data
folder). Opening brings the schema to the newest revision (Alembic's `upgrade head`, imported only
when the library's stamped revision is older), so a newer tagger opens an older library.
Use one short session per unit of work (`with library.session() as s, s.begin(): ...`) so that a
crash loses at most the track in flight.

Before an SQLite file is touched it is checked by reading only: a missing file is an error unless
`create=True` (read-only commands must not make libraries or folders), and another application's
database is refused unchanged (Alembic would add its version table, and WAL mode rewrites the
header). A `-wal` file left beside the library means the last process died without closing it
(a clean close checkpoints and removes it), so then `PRAGMA quick_check` runs, which is cheap.
Every database fault, at opening or later, is raised as one-line `LibraryError`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from tagger.library.database_faults import (
    LibraryError,
    is_database_fault,
    quick_check,
    redact,
    refuse_foreign_sqlite,
    translate,
    where,
)
from tagger.library.db_location import DB_ENV as DB_ENV
from tagger.library.db_location import default_db_path as default_db_path
from tagger.library.db_location import given_db
from tagger.library.path_map import PathMap, PathMapError
from tagger.library.revisions import revisions

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")

# pg_advisory_xact_lock key held while the schema is brought up to date ("tagr" in ASCII).
MIGRATION_LOCK = 0x74616772

OWN_TABLES = ("tracks", "models", "predictions", "labels", "tag_batches", "tag_changes")


def resolve_url(db: str | Path | None = None) -> URL:
    """A path or URL (or None: $TAGGER_DB, else the default file) as an SQLAlchemy URL."""
    text = given_db(db)
    if "://" in text:
        try:
            return make_url(text)
        except ArgumentError as exc:
            raise LibraryError(f"not a database URL: {redact(text)} ({exc})") from None
    path = Path(text).expanduser().absolute()
    return URL.create("sqlite", database=str(path))


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision; Alembic is imported only when the migration files are more
    than one plain chain (tagger.library.revisions)."""
    head = revisions().head
    if head is None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    if revisions().head is not None:
        return set(revisions().known)
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The revision the database is stamped with, None for a new one (no version table)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def sqlite_file(url: URL) -> Path | None:
    """The library's file when it is an SQLite file on disk."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def create_library_engine(url: URL, create: bool = True) -> Engine:
    path = sqlite_file(url)
    if path is not None and create:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "handle_error", _one_line_faults(where(url)))
    return engine


def _one_line_faults(library: str):
    """An engine error hook: a disk, file or lock fault becomes one-line LibraryError."""

    def handle_error(context: Any) -> None:
        if is_database_fault(context.original_exception):
            raise translate(library, context.original_exception) from None

    return handle_error


def check_before_opening(path: Path, create: bool) -> None:
    """What is checked by reading only, before SQLAlchemy or Alembic touch the file."""
    if not path.exists():
        if not create:
            raise LibraryError(
                f"no library at {path}; check the path, or run `tagger scan` to create one"
            )
        return
    if not path.is_file():
        raise LibraryError(f"{path} is not a library file (it is a folder or a device)")
    wal = path.with_name(path.name + "-wal")
    crashed = wal.exists() and wal.stat().st_size > 0  # the last process did not close it
    refuse_foreign_sqlite(path, OWN_TABLES, known_revisions())  # may fold the WAL in: look first
    if crashed:
        try:
            connection = sqlite3.connect(path)
            try:
                quick_check(str(path), connection)
            finally:
                connection.close()
        except sqlite3.Error as exc:
            raise translate(str(path), exc) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision`; does nothing when the database is already there,
    and then without importing Alembic (a second of start-up for every command)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Hosts opening a new shared library at once: one creates the tables, the others
            # wait here and then find them (SQLite's write lock already serializes this).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        target = head_revision() if revision == "head" else revision
        if current_revision(connection) == target:
            return
        from alembic import command

        command.upgrade(alembic_config(connection), revision)


class Library:
    """An open library database: its engine, a session factory, and how this host names the
    library's files (`paths`: the one place a stored path becomes a file here, `to_local`,
    and a path the user gives becomes the library's spelling, `to_library`)."""

    def __init__(self, engine: Engine, paths: PathMap | None = None) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.paths = paths if paths is not None else PathMap()

    @classmethod
    def open(
        cls,
        db: str | Path | None = None,
        *,
        migrate: bool = True,
        create: bool = True,
        paths: PathMap | None = None,
    ) -> Library:
        """Open (with `create`, make) the library; read-only commands pass create=False.
        `paths` defaults to this host's TAGGER_PATH_MAP."""
        try:
            paths = paths if paths is not None else PathMap.from_env()
        except PathMapError as exc:
            raise LibraryError(str(exc)) from None
        url = resolve_url(db)
        path = sqlite_file(url)
        if path is not None:
            check_before_opening(path, create)
        try:
            engine = create_library_engine(url, create)
            if migrate:
                upgrade(engine)
        except LibraryError:
            raise
        except Exception as exc:  # the driver's errors vary by backend
            raise translate(where(url), exc) from None
        return cls(engine, paths)

    @property
    def url(self) -> URL:
        return self.engine.url

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
