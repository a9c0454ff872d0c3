"""The models a library knows: one `models` row per model file (by content hash), what each was
trained on and how well it did on held-out tracks, and which one is active.

A row is made when a model is trained from the library (`register_model_file`) or first used
to classify (`records.register_model`), and goes with its predictions when the user removes it
(`remove_model`). Which model is active is the settings' `model_path` (None: the bundled model);
this module only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tagger.library.genre_labels import ID_CHUNK
from tagger.library.schema import ModelRecord, Prediction, Track, TrackStatus
from tagger.library.unique_insert import insert_unless_present
from tagger.model.checkpoint import (
    ModelFileError,
    file_sha256,
    file_sha256_or_none,
    read_metadata,
)


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
    by_hash = select(ModelRecord).where(ModelRecord.sha256 == sha256)
    row = session.scalar(by_hash)
    if row is None:
        metrics = dict(metadata.get("metrics") or {})
        labels = (metadata.get("training") or {}).get("labels")
        if labels:
            metrics["labels"] = labels  # what it learnt from, for `tagger models`
        values = {
            "name": name,
            "path": str(path),
            "sha256": sha256,
            "classes": classes,
            "metrics": metrics,
        }
        # Two scans starting at once with a new model both find no row: the second one's
        # insert does nothing, and both read the one row.
        insert_unless_present(session, ModelRecord, values, key="sha256")
        row = session.scalars(by_hash.execution_options(populate_existing=True)).one()
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
    active_sha = file_sha256_or_none(active_path)
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
    row = _newest_named(session, ref)
    if row is None:
        raise ModelFileError(path, "is neither a registered model name nor a model file")
    if not Path(row.path).is_file():
        raise ModelFileError(Path(row.path), f"(model {row.name!r}) is no longer there")
    return Path(row.path)


def _newest_named(session: Session, name: str) -> ModelRecord | None:
    return session.scalar(
        select(ModelRecord)
        .where(func.lower(ModelRecord.name) == name.strip().lower())
        .order_by(ModelRecord.created_at.desc(), ModelRecord.id.desc())
    )


def find_model(session: Session, ref: str | int) -> ModelRecord | None:
    """The row a row id, a model file, a name (the newest of that name) or a former path refers
    to, in `resolve_model`'s order; the file need not exist any more."""
    if isinstance(ref, int):
        return session.get(ModelRecord, ref)
    path = Path(ref).expanduser()
    if path.is_file():
        return session.scalar(select(ModelRecord).where(ModelRecord.sha256 == file_sha256(path)))
    return _newest_named(session, ref) or session.scalar(
        select(ModelRecord).where(ModelRecord.path == str(path.resolve()))
    )


@dataclass(frozen=True)
class RemovedModel:
    name: str
    path: str
    predictions: int  # every prediction it made, history included
    unclassified: int  # tracks whose current prediction it made: not classified until Classify
    file_deleted: bool = False  # the service's to say (`service.learning.remove_model`)


def remove_model(session: Session, row: ModelRecord) -> RemovedModel:
    """Forget a model: its row and every prediction it made (flushed, not committed). A track
    whose current prediction it made has none now, and is "new" again, for the next Classify
    to give it the active model's; its older predictions stay history. The file is the
    caller's to keep or delete."""
    current = list(
        session.scalars(
            select(Prediction.track_id).where(
                Prediction.model_id == row.id, Prediction.is_current.is_(True)
            )
        )
    )
    predictions = session.execute(delete(Prediction).where(Prediction.model_id == row.id))
    for i in range(0, len(current), ID_CHUNK):
        session.execute(
            update(Track)
            .where(Track.id.in_(current[i : i + ID_CHUNK]), Track.status == TrackStatus.OK)
            .values(status=TrackStatus.NEW)
            .execution_options(synchronize_session=False)
        )
    removed = RemovedModel(row.name, row.path, predictions.rowcount or 0, len(current))
    session.delete(row)
    session.flush()
    return removed
