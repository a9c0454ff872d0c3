"""`tracks_under` is exact about case: SQLite's LIKE is not."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tagger.library.paths import is_under, tracks_under
from tagger.library.schema import Track
from tagger.library.store import Library
from tagger.library.tag_writer import TagRequest, select_candidates

PATHS = [
    "/Music/Metal/a.mp3",
    "/Music/Metal/sub/b.mp3",
    "/music/metal/c.mp3",  # case variant: another folder on a case-sensitive file system
    "/Music/Metalcore/d.mp3",  # shares the prefix without the separator
    "/Music/Metal_%/e.mp3",  # LIKE wildcards in a name must not match anything else
]


def _library(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib.db")
    with library.session() as session, session.begin():
        for p in PATHS:
            session.add(Track(path=p, size=1, mtime_ns=1, genres=[]))
    return library


def test_tracks_under_is_exact_about_case_and_separators(tmp_path: Path) -> None:
    library = _library(tmp_path)
    with library.session() as session:
        found = set(session.scalars(select(Track.path).where(tracks_under(["/Music/Metal"]))))
        exact_file = set(
            session.scalars(select(Track.path).where(tracks_under(["/music/metal/c.mp3"])))
        )
        wildcard = set(session.scalars(select(Track.path).where(tracks_under(["/Music/Metal_%"]))))
        none = set(session.scalars(select(Track.path).where(tracks_under([]))))
    assert found == {"/Music/Metal/a.mp3", "/Music/Metal/sub/b.mp3"}
    assert exact_file == {"/music/metal/c.mp3"}
    assert wildcard == {"/Music/Metal_%/e.mp3"}
    assert none == set()


def test_tag_on_a_folder_does_not_pick_a_case_variant_sibling(tmp_path: Path) -> None:
    library = _library(tmp_path)
    with library.session() as session:
        picked = {c.path for c in select_candidates(session, TagRequest(paths=("/Music/Metal",)))}
    assert picked == {"/Music/Metal/a.mp3", "/Music/Metal/sub/b.mp3"}


def test_is_under() -> None:
    assert is_under("/Music/Metal/a.mp3", ["/Music/Metal/"])
    assert is_under("/Music/Metal", ["/Music/Metal"])
    assert not is_under("/music/metal/a.mp3", ["/Music/Metal"])
    assert not is_under("/Music/Metalcore/a.mp3", ["/Music/Metal"])
