"""The labels to train on, listed and counted, over a real SQLite library filled directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from genre_library import fill_genre_library

from tagger.library.genre_map import DEFAULT_GENRE_MAP, IGNORE, GenreMap, GenreRule
from tagger.library.review import record_decision
from tagger.library.schema import Track
from tagger.library.store import Library
from tagger.library.training_labels import label_counts, training_labels
from tagger.training.labeled_set import label_counts as counts_of_list

CUSTOM = GenreMap((GenreRule("metalcore", "hardcore"), GenreRule("thrash", IGNORE)))


def test_training_labels_take_decisions_first_then_unambiguous_tags(library: Library) -> None:
    fill_genre_library(library)
    with library.session() as s:
        labels = {t.path.stem: t for t in training_labels(s, DEFAULT_GENRE_MAP)}
    assert {n: (t.label, t.source) for n, t in labels.items()} == {
        "thrash": ("metal", "tag"),
        "death": ("metal", "decision"),
        "nyhc": ("hardcore", "tag"),
        "jazz": ("other", "tag"),
        "decided": ("hardcore", "decision"),
    }
    assert labels["thrash"].album == "A" and labels["thrash"].fingerprint == "fp-thrash"
    assert labels["nyhc"].path == Path("/music/nyhc.mp3")


def test_a_user_map_changes_the_labels(library: Library) -> None:
    fill_genre_library(library)
    with library.session() as s:
        labels = {t.path.stem: t.label for t in training_labels(s, CUSTOM)}
    assert labels == {"metalcore": "hardcore", "death": "metal", "decided": "hardcore"}


@pytest.mark.parametrize("genre_map", [DEFAULT_GENRE_MAP, CUSTOM], ids=["default", "custom"])
def test_the_counts_are_those_of_the_labels(library: Library, genre_map: GenreMap) -> None:
    ids = fill_genre_library(library)
    with library.session() as s, s.begin():
        record_decision(s, [ids["thrash"]], "Hardcore")  # a decision's case is not a class
    with library.session() as s:
        listed = counts_of_list(training_labels(s, genre_map))
        counted = label_counts(s, genre_map)
    assert counted == listed
    assert counted["hardcore"]["decision"] == 2


def test_a_changed_genre_is_read_again(library: Library) -> None:
    ids = fill_genre_library(library)
    with library.session() as s:
        assert label_counts(s, DEFAULT_GENRE_MAP)["metal"] == {"decision": 1, "tag": 1}
        s.commit()
    with library.session() as s, s.begin():
        s.get(Track, ids["thrash"]).genres = ["Hardcore Punk"]  # a rescan read new tags
    with library.session() as s:
        assert label_counts(s, DEFAULT_GENRE_MAP) == counts_of_list(
            training_labels(s, DEFAULT_GENRE_MAP)
        )
        assert label_counts(s, DEFAULT_GENRE_MAP)["metal"] == {"decision": 1}
