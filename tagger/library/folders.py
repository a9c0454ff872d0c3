"""The library's folders: every root a scan was given, kept in the library database.

Kept in the database rather than the settings file because the folders belong to one library:
another `--db` has other folders, a library shared by several hosts (PostgreSQL) has the same
ones on each, and a command-line scan must not rewrite the user's settings. The app's
`Settings.library_folders` (what it offers to rescan) are added to these where tags are written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tagger.library.schema import LibraryFolder
from tagger.library.unique_insert import insert_unless_present


def record_folders(session: Session, roots: Sequence[str]) -> None:
    """Remember `roots` (normalized, as the scanner walks them) as library folders."""
    known = set(session.scalars(select(LibraryFolder.path)))
    for root in dict.fromkeys(roots):
        if root not in known:  # another scan may be adding it right now, too
            insert_unless_present(session, LibraryFolder, {"path": root})


def library_folders(session: Session) -> list[str]:
    return list(session.scalars(select(LibraryFolder.path).order_by(LibraryFolder.path)))
