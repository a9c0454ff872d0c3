"""Counts over the whole library (`tagger stats`): per effective label, status and decider, and
the models that made the current predictions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tagger.library.queries import SmartList, TrackFilter, count_tracks, with_current_prediction
from tagger.library.review import DEFAULT_RULE, ReviewRule, decided_by, effective_label
from tagger.library.schema import ModelRecord, Prediction, Track


@dataclass(frozen=True)
class ModelUsage:
    name: str
    path: str
    sha256: str
    classes: list[str]
    tracks: int  # tracks whose current prediction comes from this model


@dataclass(frozen=True)
class LibraryStats:
    total: int
    per_label: dict[str, int]  # effective label → tracks ("unlabeled" for none)
    per_status: dict[str, int]
    decided_by: dict[str, int]  # "user" / "model" / "none" → tracks
    needs_review: int
    models: list[ModelUsage]


def library_stats(session: Session, rule: ReviewRule = DEFAULT_RULE) -> LibraryStats:
    label = effective_label()
    per_label = {
        (lab or "unlabeled"): n
        for lab, n in session.execute(
            with_current_prediction(
                select(label, func.count(Track.id)).select_from(Track)
            ).group_by(label)
        )
    }
    per_status = dict(
        session.execute(select(Track.status, func.count(Track.id)).group_by(Track.status)).all()
    )
    decided = decided_by()
    decider_counts = dict(
        session.execute(
            with_current_prediction(
                select(decided, func.count(Track.id)).select_from(Track)
            ).group_by(decided)
        ).all()
    )
    models = [
        ModelUsage(m.name, m.path, m.sha256, list(m.classes), int(n))
        for m, n in session.execute(
            select(ModelRecord, func.count(Prediction.id))
            .outerjoin(
                Prediction,
                and_(Prediction.model_id == ModelRecord.id, Prediction.is_current.is_(True)),
            )
            .group_by(ModelRecord.id)
            .order_by(ModelRecord.id)
        )
    ]
    total = sum(per_status.values())
    return LibraryStats(
        total=total,
        per_label=per_label,
        per_status=per_status,
        decided_by=decider_counts,
        needs_review=count_tracks(session, TrackFilter(SmartList.REVIEW, rule=rule)),
        models=models,
    )
