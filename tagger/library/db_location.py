"""Where the library database is, from what the user gave, without SQLAlchemy.

`store.resolve_url` turns the same inputs into an SQLAlchemy URL; this is the part a command
answered from the compiled-query cache needs (`service/list_cache.py`), which must not import
SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from tagger import APP_NAME

DB_ENV = "TAGGER_DB"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "library.db"


def given_db(db: str | Path | None) -> str:
    """The path or URL to open: `db`, else $TAGGER_DB, else the default file."""
    if db is None:
        db = os.environ.get(DB_ENV) or default_db_path()
    return str(db)


def plain_sqlite_file(db: str | Path | None) -> Path | None:
    """The file when the library is given as a plain path (not a URL), as `store` opens it."""
    text = given_db(db)
    if "://" in text:
        return None
    return Path(text).expanduser().absolute()
