"""The models a library knows: one `models` row per model file (by content hash), what each was
trained on and how well it did on held-out tracks, and which one is active.

A row is made when a model is trained from the library (`register_model_file`) or first used
to classify (`records.register_model`). Which model is active is the settings' `model_path`
(None: the bundled model); this module only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tagger.library.schema import ModelRecord, Prediction
from tagger.model.checkpoint import ModelFileError, file_sha256, read_metadata


def upsert_model(
    session: Session,
    name: str,
    path: Path,
    sha256: str,
    classes: list[str],
    metadata: dict[str, Any],
) -> ModelRecord:
    """The row of this model file (by content hash), created on first sight; a moved file's
    row follows it to its new path. `metadata`: the file's, for its metrics and labels."""
    row = session.scalar(select(ModelRecord).where(ModelRecord.sha256 == sha256))
    if row is None:
        metrics = dict(metadata.get("metrics") or {})
        labels = (metadata.get("training") or {}).get("labels")
        if labels:
            metrics["labels"] = labels  # what it learnt from, for `tagger models`
        row = ModelRecord(
            name=name, path=str(path), sha256=sha256, classes=classes, metrics=metrics
        )
        session.add(row)
        session.flush()
    elif row.path != str(path) and path.is_file():
        row.path = str(path)
    return row


def register_model_file(session: Session, path: str | Path) -> ModelRecord:
    """Register a model file without loading its network. Raises ModelFileError."""
    path = Path(path).resolve()
    meta = read_metadata(path)
    classes = [str(c) for c in meta["classes"]]
    return upsert_model(session, path.stem, path, file_sha256(path), classes, meta)


@dataclass(frozen=True)
class ModelInfo:
    id: int
    name: str
    path: str
    created_at: datetime
    classes: list[str]
    labels: dict[str, dict[str, int]]  # class → source → tracks ({} when not from a library)
    held_out_accuracy: float | None  # track level, test split
    held_out_tracks: int | None  # how many tracks that figure is of (a few dozen: noisy)
    validation_accuracy: float | None  # track level
    tracks: int  # tracks whose current prediction it made
    active: bool
    exists: bool
    # A quick retrain measures nothing: its figures are this model's (training/quick_retrain.py).
    carried_from: str | None = None

    @property
    def labels_used(self) -> int:
        return sum(sum(per_source.values()) for per_source in self.labels.values())


def _number(metrics: dict[str, Any], *keys: str) -> float | None:
    value: Any = metrics
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _count(metrics: dict[str, Any], *keys: str) -> int | None:
    value = _number(metrics, *keys)
    return None if value is None else int(value)


def list_models(session: Session, active_path: str | Path) -> list[ModelInfo]:
    """Every registered model, newest first; `active_path` is the model file in use."""
    try:
        active_sha = file_sha256(active_path)
    except OSError:
        active_sha = None
    counts = dict(
        session.execute(
            select(Prediction.model_id, func.count())
            .where(Prediction.is_current)
            .group_by(Prediction.model_id)
        ).all()
    )
    rows = session.scalars(select(ModelRecord).order_by(ModelRecord.created_at.desc()))
    return [
        ModelInfo(
            id=r.id,
            name=r.name,
            path=r.path,
            created_at=r.created_at,
            classes=list(r.classes),
            labels=dict((r.metrics or {}).get("labels") or {}),
            held_out_accuracy=_number(r.metrics or {}, "test", "track_level", "accuracy"),
            held_out_tracks=_count(r.metrics or {}, "test", "track_level", "n"),
            validation_accuracy=_number(r.metrics or {}, "validation", "track_accuracy"),
            tracks=int(counts.get(r.id, 0)),
            active=r.sha256 == active_sha,
            exists=Path(r.path).is_file(),
            carried_from=((r.metrics or {}).get("carried_from") or {}).get("model"),
        )
        for r in rows
    ]


def resolve_model(session: Session, ref: str) -> Path:
    """A model file from a registered name (the newest of that name) or a path.

    Raises ModelFileError when it names neither a registered model nor a readable model file.
    """
    path = Path(ref).expanduser()
    if path.is_file():
        read_metadata(path)  # refuse what is not a model file before anyone switches to it
        return path.resolve()
    row = session.scalar(
        select(ModelRecord)
        .where(func.lower(ModelRecord.name) == ref.strip().lower())
        .order_by(ModelRecord.created_at.desc(), ModelRecord.id.desc())
    )
    if row is None:
        raise ModelFileError(path, "is neither a registered model name nor a model file")
    if not Path(row.path).is_file():
        raise ModelFileError(Path(row.path), f"(model {row.name!r}) is no longer there")
    return Path(row.path)
