"""Album consensus in Python: one verdict per album from its tracks' rows, and the tracks that go
against it. `album_consensus.py` owns the query and the rule's description; this module holds
the arithmetic, without SQLAlchemy, so the compiled-query cache (`service/list_cache.py`) can
apply it to the same rows read through `sqlite3`.

A row is (track id, path, album tag, user label, current prediction's probabilities, current
prediction's label, tag class, artist tag), as `album_consensus.album_rows_query` selects it:
every track with an album or an artist tag (either may be empty; a rule skips the rows without
its own). The tag class is the class the track's own genre tags map to (`tag_class.py` keeps
it; the rows must be read after it settled).

Three rules send a track to review for its album or its artist:
- **against its album**: the album's verdict (the mean of its tracks' probabilities, a decision
  counting as certainty) is confident and the track's prediction is another class;
- **against its album's tags**: the track has no label of its own (no decision, no genre of the
  user's that maps to a class), the album's labels (decisions, and the user's genre tags through
  the genre map) all name one class, and the track's prediction is another. In a collection
  albums are tagged by the album, so this is the likeliest mistake of all: measured on the
  library benchmark (BENCHMARKS.md), every track it added to the queue was wrong;
- **against its artist's tags**: the same with the artist's labels across the library, at least
  `MIN_ARTIST_LABELS` of them, all naming one class. Bands seldom cross between Metal and
  Hardcore, and a track on an untagged album of an artist tagged elsewhere is what the album
  rule cannot see (BENCHMARKS.md: all 39 tracks it flagged on four models were wrong). A band
  that does cross gets a track to listen to, never a label. Where a track is against its album
  too, the album's reason is given: the closer evidence.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

MIN_TRACKS = 3
DEFAULT_MIN_CONFIDENCE = 0.8
AGAINST_ALBUM_REASON = "against its album"
AGAINST_TAGS_REASON = "against its album's tags"
AGAINST_ARTIST_REASON = "against its artist's tags"
# One tag is one opinion about one song; an artist-wide claim wants two that agree.
MIN_ARTIST_LABELS = 2

AlbumRow = tuple[
    int, str, str | None, str | None, dict[str, float] | None, str | None, str | None, str | None
]


def album_key(path: str, album: str) -> tuple[str, str]:
    """An album: the tracks of one folder with the same album tag (any case). The library stores
    normalized absolute paths, so `os.path.dirname` names the folder as `PurePath.parent` does,
    at a fifth of the cost (cProfile, 10,000 tracks under load: 0.22 s → 0.04 s)."""
    return os.path.dirname(path), album.strip().casefold()


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
    for track_id, path, album, user_label, probs, _predicted, _tag_class, _artist in rows:
        if not album:
            continue
        key = album_key(path, album)
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
            f"{AGAINST_ALBUM_REASON}: {self.album.album!r} is {self.album.label} "
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
        for track_id, _path, _album, user_label, _probs, predicted, _tag_class, _artist in rows
        if track_id in by_track
        and user_label is None
        and predicted is not None
        and predicted != by_track[track_id].label
    ]


def tracks_of(n: int) -> str:
    return "1 track of" if n == 1 else f"{n} tracks of"


@dataclass(frozen=True)
class AgainstAlbumTags:
    track_id: int
    label: str  # the track's predicted label
    album: str
    named: str  # the one class the album's labels name
    tracks: int  # how many of its tracks name it

    @property
    def reason(self) -> str:
        return (
            f"{AGAINST_TAGS_REASON}: {tracks_of(self.tracks)} {self.album!r} "
            f"{'is' if self.tracks == 1 else 'are'} tagged or decided {self.named}, none otherwise"
        )


@dataclass(frozen=True)
class AgainstArtistTags:
    track_id: int
    label: str  # the track's predicted label
    artist: str
    named: str  # the one class the artist's labels name
    tracks: int  # how many of the artist's tracks name it

    @property
    def reason(self) -> str:
        return (
            f"{AGAINST_ARTIST_REASON}: {self.tracks} tracks by {self.artist!r} are tagged or "
            f"decided {self.named}, none otherwise"
        )


class _Own(NamedTuple):  # not a frozen dataclass: 10,000 rows, the tags rule 34 → 27 ms
    """A row's own label (decision, else a user's genre mapping to one class) and prediction."""

    track_id: int
    path: str
    album: str | None
    artist: str | None
    own: str | None
    predicted: str | None


def _own_labels(rows: Iterable[AlbumRow]) -> list[_Own]:
    """Each row's own label: its decision, else its tag class."""
    return [
        _Own(
            track_id,
            path,
            album,
            artist,
            user_label.casefold() if user_label else tag_class,
            predicted,
        )
        for track_id, path, album, user_label, _probs, predicted, tag_class, artist in rows
    ]


def _against_groups(
    owns: list[_Own],
    group_of: Callable[[_Own], tuple[Any, str] | None],
    minimum: int,
) -> list[tuple[_Own, str, str, int]]:
    """Members without a label of their own whose prediction is not the one class their group's
    own labels name (at least `minimum` of them, none otherwise): (member, the group's name, the
    class, how many name it). `group_of` gives a member's (key, name), or None for no group."""
    groups: dict[Any, list[_Own]] = defaultdict(list)
    names: dict[Any, str] = {}
    for m in owns:
        if (group := group_of(m)) is not None:
            names.setdefault(group[0], group[1])
            groups[group[0]].append(m)
    out = []
    for key, members in groups.items():
        named = [m.own for m in members if m.own]
        if len(named) < minimum or len(set(named)) > 1:
            continue
        out.extend(
            (m, names[key], named[0], len(named))
            for m in members
            if m.own is None and m.predicted not in (None, named[0])
        )
    return sorted(out, key=lambda found: found[0].track_id)


def _album_of(m: _Own) -> tuple[tuple[str, str], str] | None:
    return (album_key(m.path, m.album), m.album.strip()) if m.album else None


def _artist_of(m: _Own) -> tuple[str, str] | None:
    name = (m.artist or "").strip()
    return (name.casefold(), name) if name else None


def against_tags_from_rows(rows: Iterable[AlbumRow]) -> list[AgainstAlbumTags]:
    """Tracks without a label of their own whose prediction is not the one class their album's
    labels name."""
    return _against_album_tags(_own_labels(rows))


def _against_album_tags(owns: list[_Own]) -> list[AgainstAlbumTags]:
    return [
        AgainstAlbumTags(m.track_id, m.predicted, album, named, count)  # type: ignore[arg-type]
        for m, album, named, count in _against_groups(owns, _album_of, 1)
    ]


def against_artist_tags_from_rows(rows: Iterable[AlbumRow]) -> list[AgainstArtistTags]:
    """Tracks without a label of their own whose prediction is not the one class their artist's
    labels (at least MIN_ARTIST_LABELS) name."""
    return _against_artist_tags(_own_labels(rows))


def _against_artist_tags(owns: list[_Own]) -> list[AgainstArtistTags]:
    return [
        AgainstArtistTags(m.track_id, m.predicted, artist, named, count)  # type: ignore[arg-type]
        for m, artist, named, count in _against_groups(owns, _artist_of, MIN_ARTIST_LABELS)
    ]


def against_album_reasons(
    against: Iterable[AgainstAlbum],
    against_tags: Iterable[AgainstAlbumTags] = (),
    against_artist: Iterable[AgainstArtistTags] = (),
) -> dict[int, str]:
    """track id → why it goes against its album or artist: the rule's `against_album`. Of
    several, the album's tags' reason is given, then the album's verdict's, then the artist's."""
    reasons = {a.track_id: a.reason for a in against_artist}
    reasons.update({a.track_id: a.reason for a in against})
    reasons.update({a.track_id: a.reason for a in against_tags})
    return reasons


def album_review_reasons(rows: Iterable[AlbumRow]) -> dict[int, str]:
    """The three rules over the same rows: what `ReviewRule.against_album` holds."""
    rows = list(rows)
    owns = _own_labels(rows)
    return against_album_reasons(
        against_from_rows(rows), _against_album_tags(owns), _against_artist_tags(owns)
    )
