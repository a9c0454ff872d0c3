"""The review queue: tracks the model is unsure about, most uncertain first, until a person decides.

A classified track (status ok, no user decision yet) needs review when either
- its confidence (the top class's mean window probability) is below `threshold`, or
- its windows disagree: at least `disagreement` of its windows have another top
  class than the track's label. A confident mean can hide a track that is half one thing, half
  the other (a metal intro on a hardcore song); this catches it.

`review_reasons` says which of these (and "against its album") put a track in the queue.

Order: by certainty = min(confidence, 1 − disagreement), lowest first, so both reasons rank on
one scale; ties by confidence, then path.

A user decision (`record_decision`, source user-review) takes the track out of the queue and
overrides the prediction in every list from then on; later predictions do not undo it. That rule,
the *effective label*, is `effective_label` (SQL) and `effective_label_of` (Python) here.

The defaults of the rule (0.8 and 25 %) are the user's settings' defaults (`Settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tagger.library.genre_map import OTHER
from tagger.library.schema import Label, LabelSource, Prediction, Track, TrackStatus
from tagger.library.settings import Settings


@dataclass(frozen=True)
class ReviewRule:
    threshold: float = Settings.threshold
    disagreement: float = Settings.disagreement
    # Undecided tracks whose prediction goes against a confident album verdict, each with the
    # album's verdict in words (album_consensus.py); they span tracks, so the caller finds them
    # per question.
    against_album: Mapping[int, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_settings(cls, settings: Settings, threshold: float | None = None) -> ReviewRule:
        """The user's rule; `threshold`, when given, overrides theirs for one question."""
        chosen = settings.threshold if threshold is None else threshold
        return cls(threshold=chosen, disagreement=settings.disagreement)


DEFAULT_RULE = ReviewRule()


def effective_label() -> ColumnElement[str]:
    """SQL: the user's decision when there is one, else the current prediction's label.

    The query must outer-join the track's current Prediction."""
    return func.coalesce(Track.user_label, Prediction.label)


def decided_by() -> ColumnElement[str]:
    """SQL: who decided the effective label: "user", "model" or "none" (same join)."""
    return case(
        (Track.user_label.is_not(None), "user"), (Prediction.id.is_not(None), "model"), else_="none"
    )


def effective_label_of(
    user_label: str | None, predicted: str | None
) -> tuple[str | None, str | None]:
    """(label, decided_by) of one track: ("x", "user"), ("y", "model") or (None, None)."""
    if user_label:
        return user_label, "user"
    if predicted is not None:
        return predicted, "model"
    return None, None


def needs_review(rule: ReviewRule) -> ColumnElement[bool]:
    """SQL condition; the query must outer-join the track's current Prediction.

    A track the model calls `other` (Neither) is never sent to review: it is out of the two
    classes either way, and nothing is written to it."""
    reasons = [
        Prediction.confidence < rule.threshold,
        Prediction.disagreement >= rule.disagreement,
    ]
    if rule.against_album:
        reasons.append(Track.id.in_(sorted(rule.against_album)))
    return and_(
        Prediction.id.is_not(None),
        Track.user_label.is_(None),
        Track.status == TrackStatus.OK,
        func.lower(Prediction.label) != OTHER,
        or_(*reasons),
    )


def review_reasons(
    rule: ReviewRule, track_id: int, confidence: float, disagreement: float
) -> tuple[str, ...]:
    """Why `needs_review` holds for a track, in words, for the places where people decide."""
    reasons = []
    if confidence < rule.threshold:
        reasons.append(f"low confidence: {confidence:.0%} < {rule.threshold:.0%}")
    if disagreement >= rule.disagreement:
        reasons.append(f"windows disagree: {disagreement:.0%} say another class")
    if track_id in rule.against_album:
        reasons.append(rule.against_album[track_id])
    return tuple(reasons)


def certainty() -> ColumnElement[float]:
    agreement = 1.0 - Prediction.disagreement
    return case((Prediction.confidence < agreement, Prediction.confidence), else_=agreement)


def review_order() -> list[ColumnElement]:
    return [certainty().asc(), Prediction.confidence.asc(), Track.path.asc()]


class UnknownClassError(ValueError):
    pass


def resolve_class(name: str, classes: Sequence[str]) -> str:
    """The model's spelling of `name`, matched case-insensitively."""
    for c in classes:
        if c.casefold() == name.strip().casefold():
            return c
    raise UnknownClassError(f"{name!r} is not one of the model's classes ({', '.join(classes)})")


def record_decision(
    session: Session,
    track_ids: Iterable[int],
    label: str,
    source: LabelSource = LabelSource.USER_REVIEW,
) -> int:
    """Record `label` for the tracks; a user-review label becomes their decision. Returns count."""
    n = 0
    for track in session.scalars(select(Track).where(Track.id.in_(list(track_ids)))):
        session.add(Label(track_id=track.id, label=label, source=source))
        if source == LabelSource.USER_REVIEW:
            track.user_label = label
        n += 1
    return n


def clear_decision(session: Session, track_ids: Iterable[int]) -> int:
    """Withdraw the user's decision (the prediction rules again); the history stays in labels."""
    n = 0
    for track in session.scalars(select(Track).where(Track.id.in_(list(track_ids)))):
        track.user_label = None
        n += 1
    return n
