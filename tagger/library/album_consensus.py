"""Album consensus: one verdict per album from its tracks, and the tracks that go against it.

An album is the tracks of one folder that carry the same album tag (so two "Greatest Hits" in
different folders stay apart, and a folder of loose tracks without album tags is no album).
Its verdict is the mean of its tracks' class probabilities, a user's decision counting as
certainty for its class; its confidence is that mean's top value. Albums are seldom split
between Metal and Hardcore, so a track the model calls the other way on an album it is sure
about (at least MIN_TRACKS tracks, confidence at least `min_confidence`) is worth a person's
ear: it goes to review with the reason "against its album".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from tagger.library.schema import Prediction, Track, TrackStatus

MIN_TRACKS = 3
DEFAULT_MIN_CONFIDENCE = 0.8


@dataclass(frozen=True)
class AlbumVerdict:
    folder: str
    album: str
    label: str
    confidence: float
    probabilities: dict[str, float]
    track_ids: tuple[int, ...]

    def is_confident(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> bool:
        return len(self.track_ids) >= MIN_TRACKS and self.confidence >= min_confidence


@dataclass(frozen=True)
class _Member:
    track_id: int
    label: str | None  # the effective label
    decided: bool
    probabilities: dict[str, float]


def album_verdicts(session: Session, track_ids: Iterable[int] | None = None) -> list[AlbumVerdict]:
    """Verdicts of the albums that have a classified or decided track (or of the albums of
    `track_ids`, when given)."""
    query = (
        select(Track.id, Track.path, Track.album, Track.user_label, Prediction.probabilities)
        .outerjoin(Prediction, (Prediction.track_id == Track.id) & Prediction.is_current)
        .where(Track.album.is_not(None), Track.album != "")
        .where(Track.status.not_in([TrackStatus.MISSING.value, TrackStatus.ERROR.value]))
    )
    albums: dict[tuple[str, str], list[_Member]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for track_id, path, album, user_label, probs in session.execute(query):
        key = (str(PurePath(path).parent), album.strip().casefold())
        names.setdefault(key, album.strip())
        if user_label:
            albums[key].append(_Member(track_id, user_label, True, {user_label: 1.0}))
        elif probs:
            label = max(probs, key=probs.get)
            albums[key].append(_Member(track_id, label, False, dict(probs)))
    wanted = set(track_ids) if track_ids is not None else None
    out = []
    for key, members in albums.items():
        if wanted is not None and not wanted & {m.track_id for m in members}:
            continue
        classes = sorted({c for m in members for c in m.probabilities})
        mean = {
            c: sum(m.probabilities.get(c, 0.0) for m in members) / len(members) for c in classes
        }
        label = max(classes, key=lambda c: (mean[c], c))
        ids = tuple(sorted(m.track_id for m in members))
        out.append(AlbumVerdict(key[0], names[key], label, mean[label], mean, ids))
    return sorted(out, key=lambda v: (v.folder, v.album.casefold()))


@dataclass(frozen=True)
class AgainstAlbum:
    track_id: int
    label: str  # the track's predicted label
    album: AlbumVerdict

    @property
    def reason(self) -> str:
        return (
            f"against its album: {self.album.album!r} is {self.album.label} "
            f"({self.album.confidence:.0%} over {len(self.album.track_ids)} tracks)"
        )


def tracks_against_album(
    session: Session, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[AgainstAlbum]:
    """Undecided tracks whose prediction is not their confident album's verdict."""
    verdicts = [v for v in album_verdicts(session) if v.is_confident(min_confidence)]
    by_track = {tid: v for v in verdicts for tid in v.track_ids}
    if not by_track:
        return []
    query = (
        select(Track.id, Prediction.label)
        .join(Prediction, (Prediction.track_id == Track.id) & Prediction.is_current)
        .where(Track.user_label.is_(None), Track.id.in_(list(by_track)))
    )
    return [
        AgainstAlbum(track_id, label, by_track[track_id])
        for track_id, label in session.execute(query)
        if label != by_track[track_id].label
    ]


def album_verdicts_by_track(session: Session, track_ids: Iterable[int]) -> dict[int, AlbumVerdict]:
    """track id → its album's verdict, for the tracks that belong to an album (tag --per-album)."""
    ids = set(track_ids)
    return {tid: v for v in album_verdicts(session, ids) for tid in v.track_ids if tid in ids}
