"""What the library's genre tags say, read through the genre map: the genre summary, and what
this program wrote into the files, which is never the user's (`written_genres.py`).

The map is applied in Python rather than SQL because its word rules (affixes, run-together words,
first match wins) have no portable SQL form; each distinct genre list is mapped once. The labels
to train on read the tag classes stored from it (`training_labels.py`, `tag_class.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tagger.library.genre_map import GenreMap, split_values
from tagger.library.schema import TagChange, TagChangeStatus, Track
from tagger.library.written_genres import (
    Written,
    genre_key,
    taken_out,
    written_keys_from_rows,
)

ID_CHUNK = 500  # track ids per IN list


def written_rows_query() -> Select:
    """The live writes of this program (`written_genres.WrittenRow`): not undone, track known."""
    return (
        select(TagChange.track_id, TagChange.old_genres, TagChange.new_genres)
        .where(TagChange.status == TagChangeStatus.WRITTEN.value)
        .where(TagChange.track_id.is_not(None))
    )


def marked_rows_query() -> Select:
    """The tracks whose file marks genres as this program's (`written_genres.MarkedRow`)."""
    return select(Track.id, Track.model_genres).where(Track.model_genres.is_not(None))


def written_genre_keys(
    session: Session, track_ids: Sequence[int] | None = None
) -> dict[int, Written]:
    """track id → what this program's live writes did to its genres (`written_genres.py`); of the
    tracks `track_ids` only, when given (read in chunks: a statement's parameters are few)."""
    if track_ids is None:
        rows = session.execute(written_rows_query())
        return written_keys_from_rows(rows, session.execute(marked_rows_query()))
    out: dict[int, Written] = {}
    for i in range(0, len(track_ids), ID_CHUNK):
        chunk = track_ids[i : i + ID_CHUNK]
        written = written_rows_query().where(TagChange.track_id.in_(chunk))
        marked = marked_rows_query().where(Track.id.in_(chunk))
        out.update(written_keys_from_rows(session.execute(written), session.execute(marked)))
    return out


def replaced_genres(session: Session, track_id: int, genres: Sequence[str] | None) -> list[str]:
    """The user's genres that a live replace took out of the track's file and that still count
    as its own (`written_genres.users_genres`): what its tag class comes from beside `genres`."""
    return taken_out(genres, written_genre_keys(session, [track_id]).get(track_id))


@dataclass(frozen=True)
class GenreCount:
    genre: str  # as spelled in the files (the most common spelling of its words)
    tracks: int
    target: str | None  # the class or "ignore" it maps to; None: no rule matches
    # of `tracks`, how many carry it because this program wrote it (not labels to train on)
    written: int = 0
    # of `tracks`, how many no longer carry it: a tag write in replace mode took it out, and it
    # is still their own while that write lasts (`written_genres.py`)
    replaced: int = 0


def genre_summary(session: Session, genre_map: GenreMap) -> list[GenreCount]:
    """Every distinct genre in the library (by words, so "Death-Metal" = "death metal"), with
    the user's genres that a live replace took out of the files."""
    tracks: Counter[str] = Counter()
    written: Counter[str] = Counter()
    replaced: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    ours = written_genre_keys(session)
    # A library holds few distinct genre lists: each is read through the words once (100,000
    # tracks: 1.40 s → 0.53 s, BENCHMARKS.md "The library's genres beside the genre map").
    lists: Counter[tuple[tuple[str, ...], Written | None]] = Counter()
    for track_id, genres in session.execute(select(Track.id, Track.genres)):
        lists[tuple(genres or ()), ours.get(track_id)] += 1
    for (genres, mine), n in lists.items():
        seen = set()
        gone = taken_out(genres, mine)
        for genre in [*split_values(genres), *gone]:
            key = genre_key(genre)
            spellings.setdefault(key, Counter())[genre] += n
            if key not in seen:
                seen.add(key)
                tracks[key] += n
                written[key] += n * (key in (mine or ()))
                replaced[key] += n * (genre in gone)
    out = []
    for key, n in tracks.items():
        spelling = spellings[key].most_common(1)[0][0]
        target = genre_map.target(spelling)
        out.append(GenreCount(spelling, n, target, written[key], replaced[key]))
    return sorted(out, key=lambda g: (-g.tracks, g.genre.casefold()))
