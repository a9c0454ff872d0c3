"""Database faults as one line for the user: which library (their path, never a password), what
went wrong, and what to do. And the checks made before a library file is touched at all.

Every fault the driver reports while a library is in use (a full disk during `tag --apply`, a
damaged page met by `list`) passes through `translate`, which `store` hooks into the engine's
error event, so callers catch one `LibraryError` whatever the backend and whatever the moment.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the compiled-query cache reads SQLITE_MAGIC without SQLAlchemy
    from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"

# (text in the driver's message, what it means for the user and what to do), first match wins.
FAULTS: tuple[tuple[str, str], ...] = (
    (
        "database or disk is full",
        "cannot be written: the disk is full. Free some space, then run the command again",
    ),
    (
        "disk image is malformed",
        "is damaged. Restore it from a backup, or move it aside and scan again to build a new one",
    ),
    (
        "file is not a database",
        "is damaged or not a tagger library. Restore it from a backup, or choose another --db",
    ),
    (
        "readonly database",
        "is read-only. Make the file and its folder writable, or use another --db",
    ),
    (
        "unable to open database file",
        "cannot be opened. Check that its folder exists and is writable",
    ),
    ("disk i/o error", "could not be read or written (disk I/O error). Check the disk and retry"),
    (
        "database is locked",
        "is busy: another tagger process kept it locked. Try again when it ends",
    ),
)


class LibraryError(Exception):
    """The library database cannot be opened or used; the message is one line for the user."""


def where(url: URL) -> str:
    """The library as the user knows it: the file's path, or the URL with its password hidden."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database
    return url.render_as_string(hide_password=True)


def redact(text: str) -> str:
    """`postgresql://user:secret@host/db` → `postgresql://user:***@host/db` in any text."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def translate(library: str, exc: BaseException) -> LibraryError:
    """The driver's error (SQLAlchemy's wrapper or the DB-API one) as a one-line LibraryError."""
    original = getattr(exc, "orig", None) or exc
    message = (str(original).strip().splitlines() or [type(original).__name__])[0]
    for needle, advice in FAULTS:
        if needle in message.lower():
            return LibraryError(f"the library {library} {advice}")
    # Only opening gets here: in use, only the faults above are translated (see store).
    return LibraryError(f"cannot open the library {library}: {redact(message)}")


def is_database_fault(exc: BaseException) -> bool:
    """A fault of the file, disk or lock (not a bug such as a violated constraint)."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).lower()
    return any(needle in text for needle, _ in FAULTS)


def refuse_foreign_sqlite(path: Path, own_tables: Iterable[str], known_revisions: set[str]) -> None:
    """Refuse a file that is not a tagger library, reading it only (nothing is written to it).

    An empty SQLite file or a zero-byte file may become a library; anything with tables must
    have our Alembic version table at a revision this tagger knows.
    """
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if not head:
        return
    if head != SQLITE_MAGIC:
        raise LibraryError(
            f"{path} is not a tagger library (not an SQLite database); choose another --db"
        )
    try:
        # Not SQLite's mode=ro: with it, concurrent readers in test_tag_kill twice saw "database
        # disk image is malformed" while this check ran in the writer's process (never without
        # it). A normal connection that may not write (query_only) leaves the file unchanged.
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA query_only = ON")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise translate(str(path), exc) from None
    if not tables - {"alembic_version"}:
        return
    if "alembic_version" not in tables or not set(own_tables) & tables:
        raise LibraryError(
            f"{path} is another application's database, not a tagger library; "
            "it was left unchanged. Choose another --db"
        )
    if revision is not None and revision not in known_revisions:
        raise LibraryError(
            f"the library {path} was written by a newer tagger (schema {revision}); "
            "update the tagger to open it"
        )


def quick_check(library: str, connection: sqlite3.Connection) -> None:
    """SQLite's `PRAGMA quick_check` (structure, not index contents: fast); raise when damaged."""
    rows = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        raise LibraryError(
            f"the library {library} is damaged ({rows[0]}). Restore it from a backup, "
            "or move it aside and scan again to build a new one"
        )
