"""One open library and the user's settings: the questions and decisions both front ends ask.

Short sessions in, plain dataclasses out. The GUI's widgets and Qt models call this instead of
opening sessions themselves, so no widget holds SQL, and tests can wrap it to count what the GUI
asks of the database; the CLI's `review`, `list`, `label` and `stats` call it too.

Rows name their files as this host mounts them (`Library.paths`, TAGGER_PATH_MAP): what the app
plays or shows the cover of, and what `list` prints and `label` takes back, is a file here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tagger.library.album_consensus import album_reasons, album_rows_query
from tagger.library.album_votes import album_review_reasons
from tagger.library.genre_map import OTHER, GenreMap
from tagger.library.queries import (
    ListCount,
    TrackDetail,
    TrackFilter,
    TrackRow,
    count_tracks,
    fetch_tracks,
    last_undoable_batch,
    latest_prediction_id,
    review_queue,
    smart_list_counts,
    track_detail,
    track_ids_for_paths,
)
from tagger.library.review import (
    ReviewRule,
    UnknownClassError,
    clear_decision,
    record_decision,
    resolve_class,
)
from tagger.library.schema import Label, ModelRecord, Prediction, Track
from tagger.library.settings import Settings
from tagger.library.stats import LibraryStats, library_stats
from tagger.library.store import Library
from tagger.library.track_rows import on_this_host, with_label
from tagger.library.walk import normalize_root
from tagger.service.errors import ServiceError
from tagger.service.models import known_classes, library_classes, unknown_label_warning

T = TypeVar("T")


class LibraryClient:
    """An open library plus the settings that shape its questions (classes, review rule).

    `threshold`, when given, overrides the settings' review threshold (`tagger review
    --threshold`)."""

    def __init__(
        self, library: Library, settings: Settings, threshold: float | None = None
    ) -> None:
        self.library = library
        self.settings = settings
        self.threshold = threshold
        # Album verdicts read every album track: the GUI asks for the rule with every page of
        # rows, so they are kept until the library or the genre map changes.
        self._derived: dict[str, tuple[Any, Any]] = {}
        # While a job stores results, the app refreshes every second; reading every album track
        # again each time froze the window (10,000 tracks: about 0.2 s a refresh, 2 s at
        # 100,000). The app holds the last answers while its job runs and lets go when it ends,
        # so counts and reasons are exact again then (`hold_derived`).
        self.hold_derived = False

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
        """The classes in display order (Metal first), as the settings' genre strings name them,
        then `other` (Neither) once a model of the library has it."""
        classes = list(self.settings.genre_strings) or ["metal", "hardcore"]
        with self.library.session() as session:
            known = {c for row in session.scalars(select(ModelRecord.classes)) for c in row}
        return classes + [OTHER] if OTHER in known and OTHER not in classes else classes

    @property
    def rule(self) -> ReviewRule:
        """The settings' rule, with the tracks that go against their album (its confident
        verdict, or its tags). The tracks' tag classes are settled first: its SQL reads them."""
        genre_map = self.settings.genre_map_rules()
        against = self._cached("against", lambda s: self._settled_album_reasons(s, genre_map))
        return replace(
            ReviewRule.from_settings(self.settings, self.threshold), against_album=against
        )

    def _settled_album_reasons(self, session: Session, genre_map: GenreMap) -> dict[int, str]:
        """Tag classes go stale only when tracks or the genre map change, which is when this
        is asked again (`_cached`); the scanner settles what it reads itself. While a job runs
        (`hold_derived`; the app's may be settling them) it reads them as they are."""
        if self.hold_derived:
            return album_review_reasons(session.execute(album_rows_query()))
        reasons = album_reasons(session, genre_map)  # settles them first
        session.commit()  # keeps what was settled; nothing to write when nothing was stale
        return reasons

    def _cached(self, name: str, compute: Callable[[Session], T]) -> T:
        """`compute`'s answer, recomputed only when a prediction, decision or track changed (or
        the genre map): three indexed max() lookups instead of reading the library. While
        `hold_derived` is set, an answer already computed is kept whatever changed."""
        hit = self._derived.get(name)
        if self.hold_derived and hit is not None:
            return hit[1]
        if self.hold_derived:  # nothing to keep yet: answer as things are, writing nothing
            with self.library.session() as session:
                return compute(session)
        with self.library.session() as session:
            stamp = (
                session.scalar(select(func.max(Prediction.id))),
                session.scalar(select(func.max(Label.id))),
                session.scalar(select(func.max(Track.updated_at))),
                session.scalar(select(func.count(Track.id))),
                repr(self.settings.genre_map),
            )
            if hit is not None and hit[0] == stamp:
                return hit[1]
            answer = compute(session)
        self._derived[name] = (stamp, answer)
        return answer

    def with_rule(self, f: TrackFilter) -> TrackFilter:
        return TrackFilter(f.smart, f.label, f.search, self.rule)

    # --- questions ------------------------------------------------------------------------------

    def list_counts(self) -> list[ListCount]:
        rule = self.rule  # settles the tag classes the counts read
        with self.library.session() as session:
            return smart_list_counts(session, self.classes, rule)

    def count(self, f: TrackFilter) -> int:
        with self.library.session() as session:
            return count_tracks(session, self.with_rule(f))

    def _here(self, row: TrackRow) -> TrackRow:
        """The row with its file as this host names it."""
        return on_this_host(row, self.library.paths)

    def fetch(
        self, f: TrackFilter, offset: int, limit: int, sort: str, descending: bool
    ) -> list[TrackRow]:
        with self.library.session() as session:
            rows = fetch_tracks(
                session,
                self.with_rule(f),
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )
        return [self._here(r) for r in rows]

    def list_rows(self, f: TrackFilter, label: str | None = None) -> list[TrackRow]:
        """Every row of a list; with `label`, only tracks whose effective label it is."""
        with self.library.session() as session:
            rows = fetch_tracks(session, self.with_rule(f))
        if label:
            rows = with_label(rows, label)
        return [self._here(r) for r in rows]

    def cover(self, path: str) -> bytes | None:
        """The track's embedded front cover image, if any (read from the file)."""
        from tagger.tags import read_cover  # brings PyAV, which listing does not need

        return read_cover(path)

    def detail(self, track_id: int) -> TrackDetail | None:
        with self.library.session() as session:
            detail = track_detail(session, track_id, self.rule)
        return None if detail is None else replace(detail, row=self._here(detail.row))

    def review_queue(
        self, limit: int | None = None, after_prediction: int | None = None
    ) -> list[TrackRow]:
        """The review queue, most uncertain first; with `after_prediction`, only the tracks
        whose current prediction is newer than that id (what came since a snapshot)."""
        with self.library.session() as session:
            rows = review_queue(session, self.rule, limit=limit, after_prediction=after_prediction)
        return [self._here(r) for r in rows]

    def undoable_batch(self) -> int | None:
        """The tag batch `tagger undo` would take, if any (the window's Undo action)."""
        with self.library.session() as session:
            return last_undoable_batch(session)

    def latest_prediction_id(self) -> int:
        with self.library.session() as session:
            return latest_prediction_id(session)

    def stats(self) -> LibraryStats:
        with self.library.session() as session:
            return library_stats(session, self.rule)

    def unknown_label_warning(self, label: str) -> str | None:
        """A warning when `label` names no class of the settings or of this library's models."""
        with self.library.session() as session:
            return unknown_label_warning(label, library_classes(session, self.settings), "label")

    # --- decisions ------------------------------------------------------------------------------

    def decide(self, track_ids: Iterable[int], label: str) -> int:
        """Saved at once, in its own transaction: a crash right after keeps the decision."""
        with self.library.session() as session, session.begin():
            return record_decision(session, list(track_ids), label)

    def clear_decision(self, track_ids: Iterable[int]) -> int:
        with self.library.session() as session, session.begin():
            return clear_decision(session, list(track_ids))

    def decide_paths(
        self, paths: Sequence[str], label: str, model: str | None = None
    ) -> tuple[str, int]:
        """Decide `label` for tracks and folders of tracks given by path: (the class as the
        model spells it, tracks decided). `model` says whose classes are allowed."""
        with self.library.session() as session, session.begin():
            try:
                label = resolve_class(label, known_classes(session, self.settings, model))
            except UnknownClassError as exc:
                raise ServiceError(str(exc)) from None
            roots = [self.library.paths.to_library(normalize_root(p)) for p in paths]
            found = track_ids_for_paths(session, roots)
            unknown = [given for given, p in zip(paths, roots, strict=True) if not found[p]]
            if unknown:
                raise ServiceError(f"not in the library: {', '.join(unknown)}")
            ids = sorted({tid for tids in found.values() for tid in tids})
            return label, record_decision(session, ids, label)
