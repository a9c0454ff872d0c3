"""The fake bands of the demo corpus: names, albums and years, drawn from the word lists in
`words.json` (data, kept out of the code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

YEAR_RANGE = (1985, 2024)


@dataclass(frozen=True)
class WordLists:
    band_words: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # label -> (first, second)
    title_words: tuple[str, ...]
    genres: dict[str, tuple[str, ...]]  # label -> genres; a repeated one is drawn more often


@cache
def word_lists() -> WordLists:
    """The corpus's word lists, read once from the package's `words.json`."""
    raw = json.loads(files(__package__).joinpath("words.json").read_text(encoding="utf-8"))
    return WordLists(
        band_words={
            label: (tuple(first), tuple(second))
            for label, (first, second) in raw["band_words"].items()
        },
        title_words=tuple(raw["title_words"]),
        genres={label: tuple(genres) for label, genres in raw["genres"].items()},
    )


@dataclass(frozen=True)
class Artist:
    name: str
    label: str
    albums: tuple[tuple[str, int], ...]  # (album title, year)
    sound_seed: int


def band_name(rng: np.random.Generator, label: str) -> str:
    first, second = word_lists().band_words[label]
    name = f"{rng.choice(first)} {rng.choice(second)}"
    return f"The {name}" if rng.random() < 0.1 else name


def title(rng: np.random.Generator) -> str:
    """An album or song title."""
    a, b = rng.choice(word_lists().title_words, 2, replace=False)
    form = int(rng.integers(4))
    return (f"{a} and {b}", f"{a} of {b}", f"{a}", f"No {a}")[form]


def genre(rng: np.random.Generator, label: str) -> str:
    return str(rng.choice(word_lists().genres[label]))


def make_artists(
    rng: np.random.Generator, label: str, n_tracks: int, taken: set[str]
) -> list[tuple[Artist, int]]:
    """Split a label's tracks over fake bands of 3 to 8 tracks each: (artist, track count).
    Names already in `taken` are not reused; new ones are added to it."""
    sizes: list[int] = []
    left = n_tracks
    while left > 0:
        size = int(rng.integers(3, 9))
        if left - size < 3:
            size = left
        sizes.append(size)
        left -= size
    out = []
    for size in sizes:
        name = band_name(rng, label)
        while name in taken:
            suffix = rng.choice(["II", "Inc.", "Crew", "Collective"])
            name = f"{band_name(rng, label)} {suffix}"
        taken.add(name)
        start = int(rng.integers(YEAR_RANGE[0], YEAR_RANGE[1] - 2))
        n_albums = int(rng.integers(1, 4))
        albums = []
        year = start
        for _ in range(n_albums):
            albums.append((title(rng), min(year, YEAR_RANGE[1])))
            year += int(rng.integers(1, 5))
        out.append((Artist(name, label, tuple(albums), int(rng.integers(2**31))), size))
    return out
