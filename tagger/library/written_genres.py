"""The genres this program wrote into files: not the user's knowledge.

`tagger tag` (and the app's Write tags) put a track's label into its genre tag, and for most
tracks that label is the model's guess. A later `train --from-library` must not read those
genres back as the user's tags: the model would learn its own guesses, mistakes included, as
truth, and each retrain would make them surer. The library keeps every write (`tag_changes`):
the genres a live write added (its new genres less its old ones, compared by words, so
"Death-Metal" = "death metal") are this program's for as long as the file carries them. An undo
ends a write (its rows become "undone"), so the genres it put back count as the user's again.

A user's review decision is a label of its own and comes first anyway (`genre_labels.py`), so a
genre written from a decision loses nothing by being left out here.

This module is the arithmetic, without SQLAlchemy, so that the compiled-query cache
(`service/list_cache.py`) can apply it too; `genre_labels.written_rows_query` reads the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tagger.library.genre_map import split_values, words

# A row: (track id, the genres before a live write, the genres after it).
WrittenRow = tuple[int, list[Any], list[Any]]


def genre_key(genre: str) -> str:
    """A genre by its words: how the genre map and the summary compare spellings."""
    return " ".join(words(genre))


def written_keys_from_rows(rows: Iterable[WrittenRow]) -> dict[int, frozenset[str]]:
    """track id → the genres (by `genre_key`) that the live writes in `rows` added."""
    added: dict[int, set[str]] = defaultdict(set)
    for track_id, old, new in rows:
        before = {genre_key(g) for g in split_values(old)}
        added[track_id] |= {genre_key(g) for g in split_values(new)} - before
    return {track_id: frozenset(keys) for track_id, keys in added.items() if keys}


def users_genres(genres: Iterable[str] | None, written: frozenset[str] | None) -> list[str]:
    """The track's genres less those this program wrote into it."""
    values = split_values(genres)
    if not written:
        return values
    return [g for g in values if genre_key(g) not in written]
