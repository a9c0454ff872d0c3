"""Writing classification outcomes into the library: one small function per fact."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from tagger.library.model_registry import upsert_model
from tagger.library.schema import ModelRecord, Prediction, Track, TrackStatus
from tagger.model.predictor import Predictor, TrackPrediction


def register_model(session: Session, predictor: Predictor) -> ModelRecord:
    """The `models` row of this model file (by content hash), created on first use."""
    model = predictor.model
    metadata = {"metrics": model.metrics, "training": model.training}
    return upsert_model(
        session, predictor.name, Path(model.path), model.sha256, list(predictor.classes), metadata
    )


def window_disagreement(prediction: TrackPrediction) -> float:
    """The share of windows whose own top class is not the track's label (0 for no windows)."""
    if not prediction.windows:
        return 0.0
    top = prediction.classes.index(prediction.label)
    against = sum(
        1
        for w in prediction.windows
        if max(range(len(w.probabilities)), key=w.probabilities.__getitem__) != top
    )
    return against / len(prediction.windows)


def record_prediction(
    session: Session, track_id: int, model_id: int, prediction: TrackPrediction
) -> Prediction:
    """Store the prediction as the track's current one; earlier ones stay as history."""
    session.execute(
        update(Prediction)
        .where(Prediction.track_id == track_id, Prediction.is_current.is_(True))
        .values(is_current=False)
    )
    row = Prediction(
        track_id=track_id,
        model_id=model_id,
        label=prediction.label,
        confidence=prediction.confidence,
        probabilities=dict(prediction.probabilities),
        windows=prediction.to_json()["segments"],  # the predictor owns the window JSON
        disagreement=window_disagreement(prediction),
        is_current=True,
    )
    session.add(row)
    session.execute(
        update(Track)
        .where(Track.id == track_id)
        .values(status=TrackStatus.OK, error=None, duration=prediction.duration or Track.duration)
    )
    return row


def record_failure(session: Session, track_id: int, message: str) -> None:
    session.execute(
        update(Track).where(Track.id == track_id).values(status=TrackStatus.ERROR, error=message)
    )
