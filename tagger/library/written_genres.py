"""The genres this program wrote into files: not the user's knowledge.

`tagger tag` (and the app's Write tags) put a track's label into its genre tag, and for most
tracks that label is the model's guess. A later `train --from-library` must not read those
genres back as the user's tags: the model would learn its own guesses, mistakes included, as
truth, and each retrain would make them surer. The library keeps every write (`tag_changes`):
the genres a live write added (its new genres less its old ones, compared by words, so
"Death-Metal" = "death metal") are this program's for as long as the file carries them. An undo
ends a write (its rows become "undone"), so the genres it put back count as the user's again.

A library made anew has no such rows for files an earlier library wrote. Where that write also
put MHT_MODEL into the file (`tagger tag --extra-fields`, only for a model's label), the scanner
keeps the file's genres that are what this program writes for a class (`marked_genres`, into
`tracks.model_genres`), and they count as this program's in the same way.

A write in replace mode also takes the user's genres out of the file ("Thrash Metal" becomes
"Metal"). Those stay the user's knowledge for as long as the write does: while the file carries a
genre a live write added, the genres the writes took out (less any this program wrote) count as
the track's own, so a replace neither costs the next training its labels nor sends a track its
tags confirmed back to review. Once the genres change otherwise (another tagger, an undo) the
file says what it says.

A user's review decision is a label of its own and comes first anyway (`genre_labels.py`), so a
genre written from a decision loses nothing by being left out here.

This module is the arithmetic, without SQLAlchemy; `genre_labels.written_rows_query` reads the
rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from tagger.library.genre_map import split_values, words

# A row: (track id, the genres before a live write, the genres after it).
WrittenRow = tuple[int, list[Any], list[Any]]
# A row: (track id, the genres its file's MHT_MODEL marks as this program's).
MarkedRow = tuple[int, list[Any] | None]


def genre_key(genre: str) -> str:
    """A genre by its words: how the genre map and the summary compare spellings."""
    return " ".join(words(genre))


@dataclass(frozen=True)
class Written:
    """What this program's live writes did to one track's genres."""

    keys: frozenset[str]  # the genres they added (by `genre_key`)
    replaced: tuple[str, ...] = ()  # the user's genres they took out (replace mode), as spelled

    def __contains__(self, key: object) -> bool:
        return key in self.keys


def written_keys_from_rows(
    rows: Iterable[WrittenRow], marked: Iterable[MarkedRow] = ()
) -> dict[int, Written]:
    """track id → what the live writes in `rows` added and took out, with the genres the files
    of `marked` say this program wrote."""
    added: dict[int, set[str]] = defaultdict(set)
    removed: dict[int, dict[str, str]] = defaultdict(dict)  # key → the spelling taken out
    for track_id, old, new in rows:
        before = {genre_key(g): g for g in split_values(old)}
        after = {genre_key(g) for g in split_values(new)}
        added[track_id] |= after - before.keys()
        for key, genre in before.items():
            if key not in after:
                removed[track_id].setdefault(key, genre)
    for track_id, genres in marked:
        added[track_id] |= {genre_key(g) for g in split_values(genres)}
    out = {}
    for track_id, keys in added.items():
        if not keys:
            continue
        gone = removed.get(track_id, {})
        # Sorted: the rows come in no set order, and a track's own genres must not depend on it.
        replaced = tuple(gone[k] for k in sorted(gone) if k not in keys)
        out[track_id] = Written(frozenset(keys), replaced)
    return out


def users_genres(genres: Iterable[str] | None, written: Written | None) -> list[str]:
    """The track's genres less those this program wrote into it, and, while the file still
    carries one of those, the user's genres that a write in replace mode took out."""
    values = split_values(genres)
    if not written:
        return values
    own = [g for g in values if genre_key(g) not in written.keys]
    if len(own) < len(values):  # a live write of ours is still in the file
        seen = {genre_key(g) for g in own}
        own += [g for g in written.replaced if genre_key(g) not in seen]
    return own


def taken_out(genres: Iterable[str] | None, written: Written | None) -> list[str]:
    """The user's genres a live replace took out of the file that still count as its own (the
    part of `users_genres` the file itself does not carry)."""
    present = {genre_key(g) for g in split_values(genres)}
    return [g for g in users_genres(genres, written) if genre_key(g) not in present]


def marked_genres(
    genres: Iterable[str], model_mark: str | None, written_strings: Collection[str]
) -> list[str] | None:
    """Of a file's genres, those its MHT_MODEL field (`model_mark`) marks as this program's: the
    ones spelled as a class's genre string (`written_strings`, by words). None when the file
    has no mark or no such genre. A file carries MHT_MODEL only after a write of a model's
    label; a user's own "Metal" beside it cannot be told apart and is left out too, which costs
    a label, never adds a wrong one."""
    if not model_mark:
        return None
    ours = {genre_key(s) for s in written_strings}
    found = [g for g in split_values(list(genres)) if genre_key(g) in ours]
    return found or None
