"""Album consensus: one verdict per album from its tracks, and the tracks that go against it.

An album is the tracks of one folder that carry the same album tag (so two "Greatest Hits" in
different folders stay apart, and a folder of loose tracks without album tags is no album).
Its verdict is the mean of its tracks' class probabilities, a user's decision counting as
certainty for its class; its confidence is that mean's top value. Albums are seldom split
between Metal and Hardcore, so a track the model calls the other way on an album it is sure
about (at least MIN_TRACKS tracks, confidence at least `min_confidence`) is worth a person's
ear: it goes to review with the reason "against its album". So does a track with no label of its
own on an album whose labels (decisions and the user's genre tags) all name another class:
"against its album's tags", and one whose artist's labels across the library do: "against its
artist's tags" (`album_votes.py` says why).

This module reads the rows (`album_rows_query`); the arithmetic on them is `album_votes.py`. A
track's own tag class is `tag_class.py`'s: the functions that read it settle it first.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tagger.library.album_votes import (
    DEFAULT_MIN_CONFIDENCE,
    MIN_TRACKS,
    AgainstAlbum,
    AgainstAlbumTags,
    AgainstArtistTags,
    AlbumVerdict,
    against_artist_tags_from_rows,
    against_from_rows,
    against_tags_from_rows,
    album_review_reasons,
    verdicts_from_rows,
)
from tagger.library.genre_map import GenreMap
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.tag_class import settle as settle_tag_classes


def album_rows_query() -> Select:
    """Every track with an album or an artist tag that is neither missing nor unreadable, with
    its current prediction (if any): the rows `album_votes` works on."""
    return (
        select(
            Track.id,
            Track.path,
            Track.album,
            Track.user_label,
            Prediction.probabilities,
            Prediction.label,
            Track.tag_class,
            Track.artist,
        )
        .outerjoin(Prediction, (Prediction.track_id == Track.id) & Prediction.is_current)
        .where(
            ((Track.album.is_not(None)) & (Track.album != ""))
            | ((Track.artist.is_not(None)) & (Track.artist != ""))
        )
        .where(Track.status.not_in([TrackStatus.MISSING.value, TrackStatus.ERROR.value]))
    )


def album_verdicts(session: Session, track_ids: Iterable[int] | None = None) -> list[AlbumVerdict]:
    """Verdicts of the albums that have a classified or decided track (or of the albums of
    `track_ids`, when given)."""
    return verdicts_from_rows(session.execute(album_rows_query()), track_ids)


def tracks_against_album(
    session: Session, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[AgainstAlbum]:
    """Undecided tracks whose prediction is not their confident album's verdict."""
    return against_from_rows(session.execute(album_rows_query()), min_confidence)


def tracks_against_album_tags(session: Session, genre_map: GenreMap) -> list[AgainstAlbumTags]:
    """Tracks without a label of their own whose prediction is not their album's labels' class."""
    settle_tag_classes(session, genre_map)
    return against_tags_from_rows(session.execute(album_rows_query()))


def tracks_against_artist_tags(session: Session, genre_map: GenreMap) -> list[AgainstArtistTags]:
    """Tracks without a label of their own whose prediction is not their artist's labels' class."""
    settle_tag_classes(session, genre_map)
    return against_artist_tags_from_rows(session.execute(album_rows_query()))


def album_reasons(session: Session, genre_map: GenreMap) -> dict[int, str]:
    """track id → why it goes against its album or artist (the three rules of
    `album_votes.py`): `ReviewRule.against_album`. Settles the tag classes under `genre_map`
    (flushed, not committed)."""
    settle_tag_classes(session, genre_map)
    return album_review_reasons(session.execute(album_rows_query()))


def album_verdicts_by_track(session: Session, track_ids: Iterable[int]) -> dict[int, AlbumVerdict]:
    """track id → its album's verdict, for the tracks that belong to an album (tag --per-album)."""
    ids = set(track_ids)
    return {tid: v for v in album_verdicts(session, ids) for tid in v.track_ids if tid in ids}


__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "MIN_TRACKS",
    "AgainstAlbum",
    "AgainstAlbumTags",
    "AgainstArtistTags",
    "AlbumVerdict",
    "album_reasons",
    "album_rows_query",
    "album_verdicts",
    "album_verdicts_by_track",
    "tracks_against_album",
    "tracks_against_album_tags",
    "tracks_against_artist_tags",
]
