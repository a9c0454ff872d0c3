"""Each track's own tag class: the class its own genre tags map to, kept in `tracks.tag_class`.

The review queue leaves out an unsure prediction that the track's own tags confirm (the tags
say Metal, the model leans Metal: nothing is left for a person to decide), and that test must be
SQL, for the lists, counts and pages. The genre map has no SQL form (`genre_labels.py`), so the
class is computed here in Python and stored beside the digest of the map it was computed under
(`tracks.tag_class_map`).

A track's value is stale when `tag_class_map` is NULL (its genres changed: a scan read new
tags, a tag write or its undo changed the file; schema.py clears it) or names another map (the
user edited the genre map). `settle` computes just those again, before a question that needs
the queue; when nothing is stale it costs one query.

"Own" as everywhere else (`genre_labels.py`): the user's genre tags less the genres this program
wrote (`written_genres.py`), mapped by the genre map; a track whose genres map to exactly one
class has it, any other has none. A decision is not a tag: it takes a track out of the queue
by itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import CompoundSelect, Select, select, union_all, update
from sqlalchemy.orm import Session

from tagger.library.genre_labels import ID_CHUNK, written_genre_keys
from tagger.library.genre_map import GenreMap, Verdict
from tagger.library.review import disagrees_with_tags, effective_label
from tagger.library.schema import Prediction, Track
from tagger.library.written_genres import users_genres

# Fewer stale tracks than this: read only their written genres, not the whole library's.
FEW = 2000


def stale_tag_classes(genre_map: GenreMap) -> CompoundSelect:
    """The ids of the tracks whose tag class was not computed under `genre_map`.

    Three index searches (`ix_tracks_tag_class_map`) rather than `IS NULL OR != digest`, which
    SQLite answers by reading the whole index: the scanner asks before each commit, so a
    settled library must answer in microseconds (7 ms against 5 µs at 100,000 tracks)."""
    column, digest = Track.tag_class_map, genre_map.digest
    conditions = (column.is_(None), column < digest, column > digest)
    return union_all(*(select(Track.id).where(c) for c in conditions))


def stale_probe(genre_map: GenreMap) -> Select:
    """One stale track's id, if any: whether a settle has work to do."""
    return select(Track.id).where(Track.id.in_(stale_tag_classes(genre_map))).limit(1)


def any_stale(session: Session, genre_map: GenreMap) -> bool:
    return session.scalar(stale_probe(genre_map)) is not None


def settle(session: Session, genre_map: GenreMap) -> int:
    """Compute the stale tag classes under `genre_map` (flushed, not committed). Returns how many
    tracks were computed."""
    stale = select(Track.id, Track.genres).where(Track.id.in_(stale_tag_classes(genre_map)))
    rows = session.execute(stale).all()
    if not rows:
        return 0
    ids = [track_id for track_id, _ in rows]
    ours = written_genre_keys(session, ids if len(ids) < FEW else None)
    # A library holds few distinct genre lists, and the map's word rules are the cost: each list
    # is mapped once.
    mapped: dict[tuple[str, ...], str | None] = {}
    by_class: dict[str | None, list[int]] = defaultdict(list)
    for track_id, genres in rows:
        own = tuple(users_genres(genres, ours.get(track_id)))
        if own not in mapped:
            label = genre_map.label(own)
            mapped[own] = label.label if label.verdict == Verdict.LABELED else None
        by_class[mapped[own]].append(track_id)
    # One UPDATE per class and chunk of ids, not one per track (a first settle of 100,000 tracks:
    # 3.3 s → 1.9 s, BENCHMARKS.md).
    # `updated_at` is kept: the track's own data did not change, only what it is read as.
    for tag_class, class_ids in by_class.items():
        for i in range(0, len(class_ids), ID_CHUNK):
            session.execute(
                update(Track)
                .where(Track.id.in_(class_ids[i : i + ID_CHUNK]))
                .values(tag_class=tag_class, tag_class_map=genre_map.digest)
                .values(updated_at=Track.updated_at)
                .execution_options(synchronize_session=False)
            )
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class Conflict:
    track_id: int
    path: str
    tag_label: str  # the class the track's own genre tags map to
    label: str  # the effective label (the user's decision, else the current prediction)
    confidence: float | None  # of the current prediction
    genres: list[str]


def conflicts(session: Session, genre_map: GenreMap) -> list[Conflict]:
    """Tracks whose own tags map to one class while the decision or prediction says another
    (`review.disagrees_with_tags`, after settling under `genre_map`; flushed, not committed).

    The tags are the user's: a genre this program wrote beside them (`written_genres.py`) would
    make a "NYHC" track it called Metal ambiguous and hide the very conflict the list is for.
    Most confident disagreement first: those are the likeliest mislabeled files.
    """
    settle(session, genre_map)
    query = (
        select(
            Track.id,
            Track.path,
            Track.tag_class,
            effective_label(),
            Prediction.confidence,
            Track.genres,
        )
        .outerjoin(Prediction, (Prediction.track_id == Track.id) & Prediction.is_current)
        .where(disagrees_with_tags())
        .order_by(Prediction.confidence.desc().nulls_last(), Track.path)
    )
    return [
        Conflict(tid, path, tag, label, confidence, list(genres or []))
        for tid, path, tag, label, confidence, genres in session.execute(query)
    ]
