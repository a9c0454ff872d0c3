from __future__ import annotations

import pytest

from tagger.library.scope import HEAVY_GENRES, genre_in_scope, in_scope


@pytest.mark.parametrize(
    "genre",
    [
        "Metal",
        "melodic death metal",
        "Nu-Metal",
        "Post-Hardcore",
        "Metalcore",
        "GRINDCORE",
        "Goregrind",
        "Hard Rock",
        "Crust Punk",
        "Black Metal",
        "Sludge",
        "Powerviolence",
        "Djent",
    ],
)
def test_heavy_genres_are_in_scope(genre: str) -> None:
    assert genre_in_scope(genre)


@pytest.mark.parametrize("genre", ["Jazz", "Classical", "Hip-Hop", "Choir", "Ambient", "Pop"])
def test_other_genres_are_not(genre: str) -> None:
    assert not genre_in_scope(genre)


def test_empty_or_any_heavy_genre_means_in_scope() -> None:
    assert in_scope([])
    assert in_scope(None)
    assert in_scope(["", "  "])
    assert in_scope(["Jazz", "Thrash Metal"])
    assert not in_scope(["Jazz", "Soul"])


def test_scope_is_configurable() -> None:
    assert in_scope(["Jazz"], ["jazz"])
    assert not in_scope(["Metal"], ["jazz"])
    assert "metal" in HEAVY_GENRES and "hardcore" in HEAVY_GENRES
