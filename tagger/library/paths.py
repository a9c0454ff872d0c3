"""The one owner of "tracks under these folders".

SQLite's `LIKE` (and so SQLAlchemy's `startswith`) ignores ASCII case, so `/Music/Metal` would
also match `/music/metal/x.mp3` on a case-sensitive file system. `substr(path, 1, n) = prefix`
compares with the column's binary collation in SQLite and exactly in PostgreSQL, so the database
does the whole test and no caller re-checks in Python.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, func, or_

from tagger.library.path_text import PathText
from tagger.library.schema import Track


def folder_prefix(root: str) -> str:
    """`root` with exactly one trailing separator: the prefix of every path inside it."""
    return root.rstrip("/" + os.sep) + os.sep


def is_under(path: str, roots: Sequence[str]) -> bool:
    """True when `path` is one of `roots` or lies inside one of them (exact about case)."""
    return any(path == r or path.startswith(folder_prefix(r)) for r in roots)


def tracks_under(roots: Sequence[str]) -> ColumnElement[bool]:
    """A WHERE condition for tracks that are one of `roots` or lie inside one of them."""
    if not roots:
        return false()
    conditions: list[ColumnElement[bool]] = [Track.path.in_(list(roots))]
    for root in roots:
        prefix = folder_prefix(root)
        # typed as a path, so a folder whose name is not UTF-8 is bound as its bytes too
        conditions.append(func.substr(Track.path, 1, len(prefix), type_=PathText()) == prefix)
    return or_(*conditions)
