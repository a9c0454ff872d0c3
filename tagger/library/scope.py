"""Which tracks the classifier is for: those whose genre tag is empty or names a heavy genre.

Matching is by word, case-insensitively; words are split on anything that is not a letter or
digit. A scope term matches a genre when the term's words appear, in order and next to each
other, among the genre's words. A one-word term of 4+ letters also matches a word that starts or
ends with it, which catches compounds: "metal" matches "Melodic Death Metal", "Nu-Metal" and
"Metalcore"; "grind" matches "Goregrind"; "hardcore" matches "Post-Hardcore". Short terms ("emo",
"oi") match whole words only, so "oi" does not match "Choir".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

HEAVY_GENRES: tuple[str, ...] = (
    "metal",
    "hardcore",
    "punk",
    "rock",
    "metalcore",
    "deathcore",
    "grindcore",
    "grind",
    "thrash",
    "death metal",
    "black metal",
    "doom",
    "sludge",
    "stoner",
    "crust",
    "powerviolence",
    "post-hardcore",
    "mathcore",
    "djent",
    "nu metal",
    "hard rock",
    "heavy metal",
    "screamo",
    "emo",
    "oi",
    "beatdown",
)

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


MIN_AFFIX_LETTERS = 4


def _word_matches(word: str, term: str) -> bool:
    if word == term:
        return True
    return len(term) >= MIN_AFFIX_LETTERS and (word.startswith(term) or word.endswith(term))


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    if n == 1:
        return any(_word_matches(w, needle[0]) for w in haystack)
    return n > 0 and any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack)))


def genre_in_scope(genre: str, scope: Iterable[str] = HEAVY_GENRES) -> bool:
    genre_words = words(genre)
    return any(_contains(genre_words, words(term)) for term in scope)


def in_scope(genres: Iterable[str] | None, scope: Iterable[str] = HEAVY_GENRES) -> bool:
    """True when the track should be classified: no genre at all, or any genre in scope."""
    named = [g for g in (genres or []) if g and g.strip()]
    if not named:
        return True
    terms = list(scope)
    return any(genre_in_scope(g, terms) for g in named)
