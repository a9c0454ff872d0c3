"""Genre summary and conflicts over a real SQLite library filled directly."""

from __future__ import annotations

from genre_library import fill_genre_library

from tagger.library.genre_labels import genre_summary
from tagger.library.genre_map import DEFAULT_GENRE_MAP, IGNORE, words
from tagger.library.store import Library
from tagger.library.tag_class import conflicts


def test_genre_summary_counts_spellings_together(library: Library) -> None:
    fill_genre_library(library)
    with library.session() as s:
        summary = {
            " ".join(words(g.genre)): (g.tracks, g.target)
            for g in genre_summary(s, DEFAULT_GENRE_MAP)
        }
    assert summary["thrash metal"] == (2, "metal")
    assert summary["death metal"] == (2, "metal")  # "death-metal" and "Death Metal"
    assert summary["metalcore"] == (1, IGNORE)
    assert summary["jazz"] == (1, "other")


def test_conflicts_are_tag_against_prediction_most_confident_first(library: Library) -> None:
    ids = fill_genre_library(library)
    with library.session() as s:
        found = conflicts(s, DEFAULT_GENRE_MAP)
    assert [(c.track_id, c.tag_label, c.label) for c in found] == [
        (ids["thrash"], "metal", "hardcore"),
        (ids["nyhc"], "hardcore", "metal"),
    ]
