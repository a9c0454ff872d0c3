"""Genres this program wrote are not the user's tags: real writes into real mp3 files, then the
labels, the genre summary and an undo read back from the library."""

from __future__ import annotations

from pathlib import Path

import pytest
from tag_library_helpers import add_track, fake_model

from tagger.library.genre_labels import (
    DECISION,
    TAG,
    conflicts,
    genre_summary,
    training_labels,
    written_genre_keys,
)
from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.store import Library
from tagger.library.tag_writer import TagRequest, TagWriter
from tagger.library.undo import undo_batch
from tagger.library.written_genres import users_genres
from tagger.tags import read_genres

pytestmark = pytest.mark.both_backends


def _tagged_library(library: Library, mp3_file, tmp_path: Path) -> dict[str, int]:
    """Four tracks, then `tagger tag --apply` (add mode) over all of them."""
    model = fake_model(library)
    music = tmp_path / "music"
    ids = {
        # untagged, the model's guess: after the write its only genre is ours
        "guessed": add_track(
            library, mp3_file(music / "guessed.mp3", None), model_id=model, predicted="metal"
        ),
        # the user's own sub-genre, the model agrees: the write adds "Metal" beside it
        "own": add_track(
            library,
            mp3_file(music / "own.mp3", ["Death-Metal"]),
            model_id=model,
            predicted="metal",
        ),
        # the user's tag says hardcore, the model's guess says metal: ours is added beside it
        "against": add_track(
            library,
            mp3_file(music / "against.mp3", ["NYHC"]),
            model_id=model,
            predicted="metal",
        ),
        # decided in review: the decision is the label, whatever the file says
        "decided": add_track(library, mp3_file(music / "decided.mp3", None), user_label="hardcore"),
    }
    result = TagWriter(library).apply(TagRequest())
    assert result.count("written") == 4
    assert read_genres(music / "guessed.mp3") == ["Metal"]
    assert read_genres(music / "against.mp3") == ["NYHC", "Metal"]
    return ids


def _labels(library: Library) -> dict[str, tuple[str, str]]:
    with library.session() as s:
        return {t.path.stem: (t.label, t.source) for t in training_labels(s, DEFAULT_GENRE_MAP)}


def test_genres_this_program_wrote_are_not_training_labels(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    _tagged_library(library, mp3_file, tmp_path)

    labels = _labels(library)

    assert "guessed" not in labels  # the model's own guess, read back, would be learnt as truth
    assert labels["own"] == ("metal", TAG)  # from "Death-Metal", the user's
    assert labels["against"] == ("hardcore", TAG)  # "Metal" beside "NYHC" is ours: not ambiguous
    assert labels["decided"] == ("hardcore", DECISION)


def test_a_written_genre_does_not_hide_a_conflict(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    ids = _tagged_library(library, mp3_file, tmp_path)

    with library.session() as s:
        found = {c.track_id: (c.tag_label, c.label) for c in conflicts(s, DEFAULT_GENRE_MAP)}

    # "NYHC" + the "Metal" written from the model's guess: still the user's hardcore against it
    assert found == {ids["against"]: ("hardcore", "metal")}


def test_the_genre_summary_counts_what_was_written(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    _tagged_library(library, mp3_file, tmp_path)

    with library.session() as s:
        rows = {r.genre: (r.tracks, r.written) for r in genre_summary(s, DEFAULT_GENRE_MAP)}

    assert rows["Metal"] == (3, 3)
    assert rows["Hardcore"] == (1, 1)
    assert rows["Death-Metal"] == (1, 0)
    assert rows["NYHC"] == (1, 0)


def test_after_an_undo_the_genres_are_the_users_again(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    ids = _tagged_library(library, mp3_file, tmp_path)

    undo_batch(library)

    with library.session() as s:
        assert written_genre_keys(s) == {}
    assert "guessed" not in _labels(library)  # its file has no genre again
    assert _labels(library)["against"] == ("hardcore", TAG)
    assert len(ids) == 4


def test_users_genres_compares_by_words() -> None:
    written = frozenset({"metal"})
    assert users_genres(["Thrash Metal", "METAL", "metal "], written) == ["Thrash Metal"]
    assert users_genres(["Death Metal / Metal"], written) == ["Death Metal"]
    assert users_genres(["Metal"], None) == ["Metal"]
