"""Which tracks the classifier is for: those whose genre tag is empty or names a heavy genre.

Matching is by word, case-insensitively; words are split on anything that is not a letter or
digit. A scope term matches a genre when the term's words appear, in order and next to each
other, among the genre's words. A one-word term of 4+ letters also matches a word that starts or
ends with it, which catches compounds: "metal" matches "Melodic Death Metal", "Nu-Metal" and
"Metalcore"; "grind" matches "Goregrind"; "hardcore" matches "Post-Hardcore". Short terms ("emo",
"oi") match whole words only, so "oi" does not match "Choir".
"""

from __future__ import annotations

from collections.abc import Iterable

from tagger.library.genre_map import term_matches, words

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


def genre_in_scope(genre: str, scope: Iterable[str] = HEAVY_GENRES) -> bool:
    genre_words = words(genre)
    return any(term_matches(genre_words, words(term)) for term in scope)


def in_scope(genres: Iterable[str] | None, scope: Iterable[str] = HEAVY_GENRES) -> bool:
    """True when the track should be classified: no genre at all, or any genre in scope."""
    named = [g for g in (genres or []) if g and g.strip()]
    if not named:
        return True
    terms = list(scope)
    return any(genre_in_scope(g, terms) for g in named)
