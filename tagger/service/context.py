"""Opening what every job needs: the user's settings and the library database."""

from __future__ import annotations

from pathlib import Path

from tagger.library.settings import Settings, SettingsError
from tagger.library.store import Library, LibraryError
from tagger.service.errors import ServiceError


def load_settings(path: str | Path | None = None) -> Settings:
    try:
        return Settings.load(path)
    except SettingsError as exc:
        raise ServiceError(str(exc)) from None


def open_library(db: str | None, *, create: bool = True) -> Library:
    """`db`: a file path or an SQLAlchemy URL; None means $TAGGER_DB, else the default file.

    Only what adds music makes a library (`scan`, the app, the demo); the commands that read or
    decide pass create=False, so a mistyped path is an error naming it, not a new empty library."""
    try:
        return Library.open(db, create=create)
    except LibraryError as exc:
        raise ServiceError(str(exc)) from None
