"""The GUI's one door to the library services: short sessions in, plain dataclasses out.

Widgets and Qt models call this instead of opening sessions themselves, so no widget holds SQL,
and tests can wrap it to count what the GUI asks of the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tagger.library.queries import (
    ListCount,
    TrackDetail,
    TrackFilter,
    TrackRow,
    count_tracks,
    fetch_tracks,
    review_queue,
    smart_list_counts,
    track_detail,
)
from tagger.library.review import ReviewRule, clear_decision, record_decision
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.tags import read_cover


class LibraryClient:
    """An open library plus the settings that shape its questions (classes, review rule)."""

    def __init__(self, library: Library, settings: Settings) -> None:
        self.library = library
        self.settings = settings

    # --- what the library is ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """What the window title shows: the database file's name, or the URL without password."""
        url = self.library.url
        if url.get_backend_name() == "sqlite" and url.database:
            return Path(url.database).name
        return url.render_as_string(hide_password=True)

    @property
    def classes(self) -> list[str]:
        """The classes in display order (Metal first), as the settings' genre strings name them."""
        return list(self.settings.genre_strings) or ["metal", "hardcore"]

    @property
    def rule(self) -> ReviewRule:
        return ReviewRule(self.settings.threshold, self.settings.disagreement)

    def with_rule(self, f: TrackFilter) -> TrackFilter:
        return TrackFilter(f.smart, f.label, f.search, self.rule)

    # --- questions ------------------------------------------------------------------------------

    def list_counts(self) -> list[ListCount]:
        with self.library.session() as session:
            return smart_list_counts(session, self.classes, self.rule)

    def count(self, f: TrackFilter) -> int:
        with self.library.session() as session:
            return count_tracks(session, self.with_rule(f))

    def fetch(
        self, f: TrackFilter, offset: int, limit: int, sort: str, descending: bool
    ) -> list[TrackRow]:
        with self.library.session() as session:
            return fetch_tracks(
                session,
                self.with_rule(f),
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )

    def cover(self, path: str) -> bytes | None:
        """The track's embedded front cover image, if any (read from the file)."""
        return read_cover(path)

    def detail(self, track_id: int) -> TrackDetail | None:
        with self.library.session() as session:
            return track_detail(session, track_id, self.rule)

    def review_queue(self, limit: int | None = None) -> list[TrackRow]:
        with self.library.session() as session:
            return review_queue(session, self.rule, limit=limit)

    # --- decisions ------------------------------------------------------------------------------

    def decide(self, track_ids: Iterable[int], label: str) -> int:
        """Saved at once, in its own transaction: a crash right after keeps the decision."""
        with self.library.session() as session, session.begin():
            return record_decision(session, list(track_ids), label)

    def clear_decision(self, track_ids: Iterable[int]) -> int:
        with self.library.session() as session, session.begin():
            return clear_decision(session, list(track_ids))
