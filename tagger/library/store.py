"""Opening a library: where it lives, the SQLite settings, and bringing its schema up to date.

`Library.open(db)` takes a path, any SQLAlchemy URL, or None (then $TAGGER_DB, then the user data
folder). Opening always runs Alembic's `upgrade head`, so a newer tagger opens an older library.
Use one short session per unit of work (`with library.session() as s, s.begin(): ...`) so that a
crash loses at most the track in flight.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "metal-hardcore-tagger"
DB_ENV = "TAGGER_DB"
MIGRATIONS = Path(__file__).with_name("migrations")


class LibraryError(Exception):
    """The library database cannot be opened or upgraded."""


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "library.db"


def resolve_url(db: str | Path | None = None) -> URL:
    """A path or URL (or None: $TAGGER_DB, else the default file) as an SQLAlchemy URL."""
    if db is None:
        db = os.environ.get(DB_ENV) or default_db_path()
    text = str(db)
    if "://" in text:
        try:
            return make_url(text)
        except ArgumentError as exc:
            raise LibraryError(f"not a database URL: {text} ({exc})") from None
    path = Path(text).expanduser().absolute()
    return URL.create("sqlite", database=str(path))


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_library_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision`; does nothing when the database is already there."""
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        target = head_revision() if revision == "head" else revision
        if current == target:
            return
        command.upgrade(alembic_config(connection), revision)


class Library:
    """An open library database: its engine and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, db: str | Path | None = None, *, migrate: bool = True) -> Library:
        url = resolve_url(db)
        try:
            engine = create_library_engine(url)
            if migrate:
                upgrade(engine)
        except LibraryError:
            raise
        except Exception as exc:  # the driver's errors vary by backend
            raise LibraryError(f"cannot open the library {url.render_as_string()}: {exc}") from exc
        return cls(engine)

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
