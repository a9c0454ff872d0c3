"""Genre summary, training labels and conflicts over a real SQLite library filled directly."""

from __future__ import annotations

from pathlib import Path

from tagger.library.genre_labels import genre_summary, training_labels
from tagger.library.genre_map import DEFAULT_GENRE_MAP, IGNORE, GenreMap, GenreRule, words
from tagger.library.records import record_prediction
from tagger.library.review import record_decision
from tagger.library.schema import ModelRecord, Track, TrackStatus
from tagger.library.store import Library
from tagger.library.tag_class import conflicts
from tagger.model.predictor import TrackPrediction

CLASSES = ("hardcore", "metal")


def _prediction(label: str, confidence: float) -> TrackPrediction:
    other = next(c for c in CLASSES if c != label)
    probs = {label: confidence, other: 1 - confidence}
    return TrackPrediction("x", "m", CLASSES, label, confidence, probs, (), 60.0)


def _fill(library: Library) -> dict[str, int]:
    specs = {
        # name: (genres, album, status)
        "thrash": (["Thrash Metal"], "A", TrackStatus.OK),
        "death": (["death-metal"], "A", TrackStatus.OK),
        "nyhc": (["NYHC"], "B", TrackStatus.OK),
        "both": (["Death Metal", "Hardcore"], "C", TrackStatus.OK),
        "metalcore": (["Metalcore"], "C", TrackStatus.OK),
        "jazz": (["Jazz"], "D", TrackStatus.OUT_OF_SCOPE),
        "untagged": ([], None, TrackStatus.OK),
        "decided": ([], "E", TrackStatus.OK),
        "gone": (["Thrash Metal"], "F", TrackStatus.MISSING),
    }
    ids = {}
    with library.session() as s, s.begin():
        for name, (genres, album, status) in specs.items():
            t = Track(
                path=f"/music/{name}.mp3",
                size=1,
                mtime_ns=1,
                genres=genres,
                album=album,
                artist=f"{name} band",
                fingerprint=f"fp-{name}",
                status=status,
            )
            s.add(t)
            s.flush()
            ids[name] = t.id
        model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
        s.add(model)
        s.flush()
        record_prediction(s, ids["thrash"], model.id, _prediction("hardcore", 0.9))
        record_prediction(s, ids["death"], model.id, _prediction("metal", 0.99))
        record_prediction(s, ids["nyhc"], model.id, _prediction("metal", 0.6))
        record_decision(s, [ids["decided"]], "hardcore")
        record_decision(s, [ids["death"]], "metal")
    return ids


def test_training_labels_take_decisions_first_then_unambiguous_tags(library: Library) -> None:
    _fill(library)
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
    _fill(library)
    custom = GenreMap((GenreRule("metalcore", "hardcore"), GenreRule("thrash", IGNORE)))
    with library.session() as s:
        labels = {t.path.stem: t.label for t in training_labels(s, custom)}
    assert labels == {"metalcore": "hardcore", "death": "metal", "decided": "hardcore"}


def test_genre_summary_counts_spellings_together(library: Library) -> None:
    _fill(library)
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
    ids = _fill(library)
    with library.session() as s:
        found = conflicts(s, DEFAULT_GENRE_MAP)
    assert [(c.track_id, c.tag_label, c.label) for c in found] == [
        (ids["thrash"], "metal", "hardcore"),
        (ids["nyhc"], "hardcore", "metal"),
    ]
