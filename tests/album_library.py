"""A library filled directly with predictions: a confident album with one track against it and
an unsure loose track, for the places that show why a track is in review (CLI and app)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tagger.library.records import record_prediction
from tagger.library.schema import ModelRecord, Track
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction

CLASSES = ("hardcore", "metal")
AGAINST = "/m/a/odd.mp3"  # a sure hardcore verdict on an album the model hears as metal
UNSURE = "/m/loose.mp3"  # metal at 60 %, on no album
AGAINST_REASON = "against its album: 'Reign' is metal (82% over 6 tracks)"
UNSURE_REASON = "low confidence: 60% < 80%"


def prediction(metal: float) -> TrackPrediction:
    probs = {"hardcore": 1 - metal, "metal": metal}
    label = max(probs, key=probs.__getitem__)
    return TrackPrediction("x", "m", CLASSES, label, probs[label], probs, (), 9.0)


def add_predicted_tracks(s: Session, specs: dict[str, tuple[list[str], float]]) -> dict[str, int]:
    """A model 'm' and, for each name: (genres, metal probability), a track /m/NAME.mp3 with
    those tags and its current prediction. Returns the track ids by name."""
    model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
    s.add(model)
    s.flush()
    ids = {}
    for name, (genres, metal) in specs.items():
        track = Track(path=f"/m/{name}.mp3", size=1, mtime_ns=1, genres=genres)
        s.add(track)
        s.flush()
        ids[name] = track.id
        record_prediction(s, track.id, model.id, prediction(metal))
    return ids


def fill_album_library(db: Path) -> Path:
    library = Library.open(db)
    try:
        with library.session() as s, s.begin():
            model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
            s.add(model)
            s.flush()
            specs = [(f"/m/a/{i}.mp3", "Reign", 0.97) for i in range(5)]
            specs += [(AGAINST, "Reign", 0.1), (UNSURE, None, 0.6)]
            for path, album, metal in specs:
                track = Track(path=path, size=1, mtime_ns=1, genres=[], album=album)
                s.add(track)
                s.flush()
                record_prediction(s, track.id, model.id, prediction(metal))
    finally:
        library.close()
    return db
