"""Album consensus in Python: one verdict per album from its tracks' rows, and the tracks that go
against it. `album_consensus.py` owns the query and the rule's description; this module holds
the arithmetic, without SQLAlchemy, so the compiled-query cache (`service/list_cache.py`) can
apply it to the same rows read through `sqlite3`.

A row is (track id, path, album tag, user label, current prediction's probabilities, current
prediction's label), as `album_consensus.album_rows_query` selects it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

MIN_TRACKS = 3
DEFAULT_MIN_CONFIDENCE = 0.8

AlbumRow = tuple[int, str, str, str | None, dict[str, float] | None, str | None]


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


def verdicts_from_rows(
    rows: Iterable[AlbumRow], track_ids: Iterable[int] | None = None
) -> list[AlbumVerdict]:
    """Verdicts of the albums in `rows` (only of the albums of `track_ids`, when given)."""
    albums: dict[tuple[str, str], list[_Member]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for track_id, path, album, user_label, probs, _predicted in rows:
        key = (str(PurePath(path).parent), album.strip().casefold())
        names.setdefault(key, album.strip())
        if user_label:
            albums[key].append(_Member(track_id, user_label, True, {user_label: 1.0}))
        elif probs:
            label = max(probs, key=probs.get)  # type: ignore[arg-type]
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


def against_from_rows(
    rows: Iterable[AlbumRow], min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[AgainstAlbum]:
    """Undecided tracks (no user label) with a current prediction that is not their confident
    album's verdict."""
    rows = list(rows)
    verdicts = [v for v in verdicts_from_rows(rows) if v.is_confident(min_confidence)]
    by_track = {tid: v for v in verdicts for tid in v.track_ids}
    return [
        AgainstAlbum(track_id, predicted, by_track[track_id])
        for track_id, _path, _album, user_label, _probs, predicted in rows
        if track_id in by_track
        and user_label is None
        and predicted is not None
        and predicted != by_track[track_id].label
    ]


def against_album_reasons(against: Iterable[AgainstAlbum]) -> dict[int, str]:
    """track id → why it goes against its album: the rule's `against_album`."""
    return {a.track_id: a.reason for a in against}
