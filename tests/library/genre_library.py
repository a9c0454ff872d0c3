"""A small library with every kind of genre label, filled directly: tags of each class, an
ambiguous and an ignored genre, an out-of-scope jazz track, decisions, a missing file, and
predictions that agree and disagree with the tags."""

from __future__ import annotations

from tagger.library.records import record_prediction
from tagger.library.review import record_decision
from tagger.library.schema import ModelRecord, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction

CLASSES = ("hardcore", "metal")


def _prediction(label: str, confidence: float) -> TrackPrediction:
    other = next(c for c in CLASSES if c != label)
    probs = {label: confidence, other: 1 - confidence}
    return TrackPrediction("x", "m", CLASSES, label, confidence, probs, (), 60.0)


def fill_genre_library(library: Library) -> dict[str, int]:
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
