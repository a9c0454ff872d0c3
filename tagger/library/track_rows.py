"""A library track as `list`, `review` and the app show it, built from one row of columns.

No SQLAlchemy here: `queries.py` selects the columns (`_ROW_COLUMNS`, its one owner of the row
query), and both its answers and the compiled-query cache's (`service/list_cache.py`, which
reads the same SQL through `sqlite3`) become `TrackRow`s through `track_row`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tagger.library.path_map import PathMap
from tagger.library.review_rule import ReviewRule, effective_label_of, review_reasons


class SmartList(enum.StrEnum):
    ALL = "all"
    LABEL = "label"  # one class, e.g. Metal; the class is given separately
    REVIEW = "review"
    UNCLASSIFIED = "unclassified"
    OUT_OF_SCOPE = "out-of-scope"
    ERRORS = "errors"
    MISSING = "missing"
    CONFLICTS = "conflicts"  # genre tags say one class, the decision or prediction another


@dataclass(frozen=True)
class TrackFilter:
    smart: SmartList = SmartList.ALL
    label: str | None = None  # the class, for SmartList.LABEL (case-insensitive)
    search: str = ""  # substring of path, title, artist or album, case-insensitive
    rule: ReviewRule = field(default_factory=ReviewRule)


SORT_KEYS = (
    "path",
    "title",
    "artist",
    "album",
    "year",
    "status",
    "label",
    "confidence",
    "duration",
    "uncertainty",
)


@dataclass(frozen=True)
class TrackRow:
    id: int
    path: str
    title: str | None
    artist: str | None
    album: str | None
    year: int | None
    genres: list[str]
    format: str | None
    duration: float | None
    status: str
    error: str | None
    label: str | None  # the effective label
    decided_by: str | None  # "user", "model" or None
    confidence: float | None  # of the current prediction
    predicted_label: str | None
    disagreement: float | None
    model: str | None
    needs_review: bool
    review_reasons: tuple[str, ...] = ()  # why it needs review (review.review_reasons)
    # the mean margin of its tag's class in the last library training, where that training
    # learnt it only by rote and nobody has decided since (tag_doubts.py); else None
    tag_doubt: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "label": self.label,
            "confidence": None if self.confidence is None else round(self.confidence, 6),
            "decided_by": self.decided_by,
            "error": self.error,
            "predicted_label": self.predicted_label,
            "disagreement": None if self.disagreement is None else round(self.disagreement, 4),
            "needs_review": self.needs_review,
            "review_reasons": list(self.review_reasons),
            "tag_doubt": self.tag_doubt,
            "model": self.model,
            "title": self.title,
            "artist": self.artist,
            "album": self.album,
            "year": self.year,
            "genres": list(self.genres),
            "format": self.format,
            "duration": self.duration,
        }


def track_row(
    rule: ReviewRule,
    track_id: int,
    path: str,
    title: str | None,
    artist: str | None,
    album: str | None,
    year: int | None,
    genres: list[str] | None,
    format: str | None,
    duration: float | None,
    status: str,
    error: str | None,
    user_label: str | None,
    predicted: str | None,
    confidence: float | None,
    disagreement: float | None,
    model: str | None,
    review: bool | None,
    tag_doubt: float | None = None,
) -> TrackRow:
    label, decided_by = effective_label_of(user_label, predicted)
    needs = bool(review)
    reasons = (
        review_reasons(rule, track_id, confidence, disagreement)
        if needs and confidence is not None
        else ()
    )
    return TrackRow(
        id=track_id,
        path=path,
        title=title,
        artist=artist,
        album=album,
        year=year,
        genres=list(genres or []),
        format=format,
        duration=duration,
        status=status,
        error=error,
        label=label,
        decided_by=decided_by,
        confidence=confidence,
        predicted_label=predicted,
        disagreement=disagreement,
        model=model,
        needs_review=needs,
        review_reasons=reasons,
        tag_doubt=tag_doubt,
    )


def with_label(rows: Iterable[TrackRow], label: str) -> list[TrackRow]:
    """The rows whose effective label is `label`, in any case (`tagger list --label`)."""
    wanted = label.strip().casefold()
    return [r for r in rows if (r.label or "").casefold() == wanted]


def on_this_host(row: TrackRow, paths: PathMap) -> TrackRow:
    """The row with its file as this host names it (TAGGER_PATH_MAP)."""
    local = paths.to_local(row.path)
    return row if local == row.path else replace(row, path=local)
