"""The labels to train on: a user's review decision first (the most deliberate label there is),
else the track's own tag class (`tag_class.py`: its own genre tags mapped by the genre map to
exactly one class; genres this program wrote are not the user's and give no label, so a model
never learns its own guesses back). Missing and unreadable tracks give no label.

Both read the stored tag classes after a settle, not the genres again: mapping every track's
genres in Python cost 4.2 s at 50,000 tracks, which the train dialog and the app's offer to
train paid on the GUI thread (BENCHMARKS.md "Counting the labels on offer"). A settled library
is read here in one query.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tagger.library.genre_map import GenreMap
from tagger.library.schema import Track, TrackStatus
from tagger.library.tag_class import settle

if TYPE_CHECKING:  # training reads tags through PyAV; `list` and `stats` must not load it
    from tagger.training.dataset import LabeledTrack

DECISION = "decision"
TAG = "tag"
UNUSABLE = (TrackStatus.MISSING, TrackStatus.ERROR)


def _labeled() -> tuple:
    """The conditions of a labeled, usable track."""
    return (
        Track.status.not_in([s.value for s in UNUSABLE]),
        (Track.user_label.is_not(None)) | (Track.tag_class.is_not(None)),
    )


def training_labels(session: Session, genre_map: GenreMap) -> list[LabeledTrack]:
    """One LabeledTrack per labeled track, by path (settles the tag classes under `genre_map`:
    flushed, not committed)."""
    from tagger.training.dataset import LabeledTrack

    settle(session, genre_map)
    columns = (
        Track.path, Track.user_label, Track.tag_class, Track.artist, Track.year, Track.album,
        Track.fingerprint,
    )  # fmt: skip
    query = select(*columns).where(*_labeled()).order_by(Track.path)
    return [
        LabeledTrack(
            path=Path(path),
            label=(decision or tag_class).casefold(),
            artist=(artist or "").strip() or None,
            year=year,
            album=(album or "").strip() or None,
            source=DECISION if decision else TAG,
            fingerprint=fingerprint,
        )
        for path, decision, tag_class, artist, year, album, fingerprint in session.execute(query)
    ]


def label_counts(session: Session, genre_map: GenreMap) -> dict[str, dict[str, int]]:
    """{class: {source: tracks}} over every label (`training.labeled_set.label_counts` of
    `training_labels`, counted by the database; classes and sources sorted)."""
    settle(session, genre_map)
    query = (
        select(Track.user_label, Track.tag_class, func.count())
        .where(*_labeled())
        .group_by(Track.user_label, Track.tag_class)
    )
    out: dict[str, dict[str, int]] = {}
    for decision, tag_class, n in session.execute(query):
        label, source = (decision, DECISION) if decision else (tag_class, TAG)
        per_source = out.setdefault(label.casefold(), {})
        per_source[source] = per_source.get(source, 0) + n
    return {c: dict(sorted(n.items())) for c, n in sorted(out.items())}
