"""Genres this program wrote are not the user's tags: real writes into real mp3 files, then the
labels, the genre summary and an undo read back from the library."""

from __future__ import annotations

from pathlib import Path

import pytest
from tag_library_helpers import add_track, fake_model

from tagger.library.genre_labels import genre_summary, written_genre_keys
from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.queries import track_detail
from tagger.library.scanner import scan
from tagger.library.schema import Track
from tagger.library.store import Library
from tagger.library.tag_class import conflicts
from tagger.library.tag_writer import TagRequest, TagWriter
from tagger.library.training_labels import DECISION, TAG, training_labels
from tagger.library.undo import undo_batch
from tagger.library.written_genres import (
    Written,
    marked_genres,
    users_genres,
    written_keys_from_rows,
)
from tagger.tags import TagOptions, read_genres, read_tags

pytestmark = pytest.mark.both_backends


def _tagged_library(
    library: Library, mp3_file, tmp_path: Path, extra_fields: bool = False
) -> dict[str, int]:
    """Four tracks, then `tagger tag --apply [--extra-fields]` (add mode) over all of them."""
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
    result = TagWriter(library).apply(TagRequest(options=TagOptions(extra_fields=extra_fields)))
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


def test_a_replace_keeps_the_users_genres_it_took_out_for_as_long_as_it_lasts(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    """`tagger tag --mode replace`: the files say only "Metal", yet the user's "Death-Metal" and
    "NYHC" still give their labels, and the conflict stays listed; once another tagger changes
    the genres, the file says what it says."""
    model = fake_model(library)
    music = tmp_path / "music"
    own = add_track(
        library, mp3_file(music / "own.mp3", ["Death-Metal"]), model_id=model, predicted="metal"
    )
    against = add_track(
        library, mp3_file(music / "against.mp3", ["NYHC"]), model_id=model, predicted="metal"
    )
    result = TagWriter(library).apply(TagRequest(mode="replace"))
    assert result.count("written") == 2
    assert read_genres(music / "own.mp3") == read_genres(music / "against.mp3") == ["Metal"]

    assert _labels(library) == {"own": ("metal", TAG), "against": ("hardcore", TAG)}
    with library.session() as s:
        assert written_genre_keys(s)[against] == Written(frozenset({"metal"}), ("NYHC",))
        found = {c.track_id: (c.tag_label, c.label) for c in conflicts(s, DEFAULT_GENRE_MAP)}
    assert found == {against: ("hardcore", "metal")}
    with library.session() as s:  # what the details pane says its tags are
        detail = track_detail(s, against)
        summary = {
            r.genre: (r.tracks, r.written, r.replaced) for r in genre_summary(s, DEFAULT_GENRE_MAP)
        }
    assert summary == {"Metal": (2, 2, 0), "Death-Metal": (1, 0, 1), "NYHC": (1, 0, 1)}
    assert detail.tag_class == "hardcore" and detail.replaced_genres == ("NYHC",)

    # Another tagger sets "Jazz": the write's "Metal" is gone, and with it the genres it took out.
    mp3_file(music / "own.mp3", ["Jazz"])
    scan(library, [music], written_strings=WRITTEN_STRINGS)
    with library.session() as s:
        assert s.get(Track, own).genres == ["Jazz"]
    assert _labels(library)["own"] == ("other", TAG)  # "Jazz", not "Death-Metal"
    with library.session() as s:
        assert track_detail(s, own).replaced_genres == ()
    undo_batch(library)  # what "against" said comes back from the library's copy
    assert read_genres(music / "against.mp3") == ["NYHC"]
    assert _labels(library)["against"] == ("hardcore", TAG)


def test_replaced_genres_count_only_while_the_file_carries_the_write() -> None:
    written = Written(frozenset({"metal"}), ("Thrash Metal",))
    assert users_genres(["Metal"], written) == ["Thrash Metal"]
    assert users_genres(["Metal", "thrash-metal"], written) == ["thrash-metal"]  # once
    assert users_genres(["Jazz"], written) == ["Jazz"]  # changed since: the file's word
    # A later write replacing our own earlier genre: that one was never the user's.
    rows = [(1, ["Thrash Metal"], ["Metal"]), (1, ["Metal"], ["Hardcore"])]
    assert written_keys_from_rows(rows) == {
        1: Written(frozenset({"metal", "hardcore"}), ("Thrash Metal",))
    }
    # Add mode takes nothing out.
    assert written_keys_from_rows([(2, ["NYHC"], ["NYHC", "Metal"])]) == {
        2: Written(frozenset({"metal"}))
    }


def test_users_genres_compares_by_words() -> None:
    written = Written(frozenset({"metal"}))
    assert users_genres(["Thrash Metal", "METAL", "metal "], written) == ["Thrash Metal"]
    assert users_genres(["Death Metal / Metal"], written) == ["Death Metal"]
    assert users_genres(["Metal"], None) == ["Metal"]


WRITTEN_STRINGS = frozenset({"Metal", "Hardcore"})


def _fresh_library(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Library:
    """A second, empty library on the same backend: a user who starts over."""
    if backend == "sqlite":
        return Library.open(str(tmp_path / "fresh.db"))
    cluster = request.getfixturevalue("postgres_cluster")
    return Library.open(cluster.url(cluster.new_database()))


def test_a_new_library_knows_the_genres_a_marked_write_added(
    library: Library, mp3_file, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """Files written with --extra-fields carry MHT_MODEL beside a model's label; a library made
    anew, with no record of that write, still does not take those genres for the user's."""
    _tagged_library(library, mp3_file, tmp_path, extra_fields=True)
    assert read_tags(tmp_path / "music" / "guessed.mp3").model_mark  # the write's mark
    assert read_tags(tmp_path / "music" / "decided.mp3").model_mark is None  # a person's label
    fresh = _fresh_library(backend, tmp_path, request)
    try:
        scan(fresh, [tmp_path / "music"], written_strings=WRITTEN_STRINGS)
        labels = _labels(fresh)
        with fresh.session() as s:
            found = {c.path.rsplit("/", 1)[-1]: c.label for c in conflicts(s, DEFAULT_GENRE_MAP)}
            summary = {r.genre: r.written for r in genre_summary(s, DEFAULT_GENRE_MAP)}
    finally:
        fresh.close()

    assert "guessed" not in labels  # its only genre is the model's guess
    assert labels["own"] == ("metal", TAG)
    assert labels["against"] == ("hardcore", TAG)  # "NYHC"; the "Metal" beside it is ours
    # The decision was written without a mark: to a new library it is the user's "Hardcore".
    assert labels["decided"] == ("hardcore", TAG)
    assert found == {}  # no predictions in the new library yet
    assert summary["Metal"] == 3
    assert summary["Hardcore"] == 0


def test_a_mark_outlives_a_write_and_its_undo_here(
    library: Library, mp3_file, tmp_path: Path
) -> None:
    """A file another library wrote a model's "Hardcore" into (marked), scanned here, decided
    and written here, then undone and the decision taken back: its "Hardcore" is still not
    the user's."""
    music = tmp_path / "music"
    marked = mp3_file(music / "marked.mp3", ["Rock"])
    other = Library.open(str(tmp_path / "other.db"))
    try:
        add_track(other, marked, model_id=fake_model(other), predicted="hardcore")
        TagWriter(other).apply(TagRequest(options=TagOptions(extra_fields=True)))
    finally:
        other.close()
    assert read_genres(marked) == ["Rock", "Hardcore"]
    scan(library, [music], written_strings=WRITTEN_STRINGS)
    with library.session() as s:
        track_id = s.query(Track.id).scalar()
        assert written_genre_keys(s) == {track_id: Written(frozenset({"hardcore"}))}
    assert _labels(library) == {}  # "Rock" is ambiguous, "Hardcore" a model's guess

    with library.session() as s, s.begin():
        s.get(Track, track_id).user_label = "metal"
    TagWriter(library).apply(TagRequest(mode="replace", options=TagOptions(extra_fields=True)))
    assert read_genres(marked) == ["Metal"]
    undo_batch(library)
    with library.session() as s, s.begin():
        s.get(Track, track_id).user_label = None

    assert read_genres(marked) == ["Rock", "Hardcore"]
    assert read_tags(marked).model_mark  # the bytes are back, the other library's mark too
    assert _labels(library) == {}


def test_marked_genres_are_the_class_strings_of_a_marked_file() -> None:
    assert marked_genres(["Thrash", "METAL"], "my-model", WRITTEN_STRINGS) == ["METAL"]
    assert marked_genres(["Metal"], None, WRITTEN_STRINGS) is None  # no mark: the user's
    assert marked_genres(["Thrash"], "my-model", WRITTEN_STRINGS) is None
