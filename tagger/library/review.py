"""The review queue: tracks the model is unsure about, most uncertain first, until a person decides.

A classified track (status ok, no user decision yet, not confirmed by its own genre tags:
`tag_class.py`) needs review when either
- its confidence (the top class's mean window probability) is below `threshold`, or
- its windows disagree: at least `disagreement` of its windows have another top
  class than the track's label. A confident mean can hide a track that is half one thing, half
  the other (a metal intro on a hardcore song); this catches it.

`review_reasons` says which of these (and "against its album") put a track in the queue.

Order: by certainty = min(confidence, 1 − disagreement), lowest first, so both reasons rank on
one scale; ties by confidence, then path.

A user decision (`record_decision`, source user-review) takes the track out of the queue and
overrides the prediction in every list from then on; later predictions do not undo it. That rule,
the *effective label*, is `effective_label` (SQL) here and `effective_label_of` (Python, in
`review_rule.py` with the rule's values and `review_reasons`, which need no SQLAlchemy).

The defaults of the rule (0.8 and 25 %) are the user's settings' defaults (`Settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from tagger.library.genre_map import OTHER
from tagger.library.review_rule import AGAINST_ALBUM, ReviewRule
from tagger.library.review_rule import (  # the rule's Python side (no SQLAlchemy)
    DEFAULT_RULE as DEFAULT_RULE,
)
from tagger.library.review_rule import effective_label_of as effective_label_of
from tagger.library.review_rule import review_reasons as review_reasons
from tagger.library.schema import Label, LabelSource, Prediction, Track, TrackStatus


def effective_label() -> ColumnElement[str]:
    """SQL: the user's decision when there is one, else the current prediction's label.

    The query must outer-join the track's current Prediction."""
    return func.coalesce(Track.user_label, Prediction.label)


def decided_by() -> ColumnElement[str]:
    """SQL: who decided the effective label: "user", "model" or "none" (same join)."""
    return case(
        (Track.user_label.is_not(None), "user"), (Prediction.id.is_not(None), "model"), else_="none"
    )


def disagrees_with_tags() -> ColumnElement[bool]:
    """SQL: the track's own genre tags name a class (`tracks.tag_class`, settled: tag_class.py)
    and either its effective label is another, or the last training from the library learnt
    that class from it only by rote (`tag_doubted`): the mis-tagged tracks a model trained on
    them has learnt to agree with. A missing or unreadable file is left out. The query must
    outer-join the track's current Prediction."""
    label = effective_label()
    return and_(
        Track.tag_class.is_not(None),
        Track.status.not_in([TrackStatus.MISSING, TrackStatus.ERROR]),
        or_(and_(label.is_not(None), func.lower(label) != Track.tag_class), tag_doubted()),
    )


def tag_doubted() -> ColumnElement[bool]:
    """SQL: no decision yet, and the last training from the library doubted the class the
    track's own tags give it now (tag_doubts.py); a retag to another class or a decision ends
    the doubt."""
    return and_(Track.user_label.is_(None), Track.tag_doubt_class == Track.tag_class)


def needs_review(rule: ReviewRule) -> ColumnElement[bool]:
    """SQL condition; the query must outer-join the track's current Prediction, and the tracks'
    tag classes must be settled under the user's genre map (`tag_class.settle`).

    A track the model calls `other` (Neither) is never sent to review: it is out of the two
    classes either way, and nothing is written to it. Nor is a track whose own genre tags map
    to the class the model predicts: the user's tags confirm the unsure guess."""
    reasons = [
        Prediction.confidence < rule.threshold,
        Prediction.disagreement >= rule.disagreement,
    ]
    if rule.against_album:
        # A named list parameter: the compiled-query cache fills it in (service/list_cache.py).
        ids = bindparam(AGAINST_ALBUM, sorted(rule.against_album), expanding=True)
        reasons.append(Track.id.in_(ids))
    return and_(
        Prediction.id.is_not(None),
        Track.user_label.is_(None),
        Track.status == TrackStatus.OK,
        func.lower(Prediction.label) != OTHER,
        or_(Track.tag_class.is_(None), Track.tag_class != func.lower(Prediction.label)),
        or_(*reasons),
    )


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
    """Record `label` for the tracks; a user-review label becomes their decision. Returns count.

    In statements of DECISION_CHUNK tracks: a whole library selected in the app stays within
    the database's bind-parameter limits, and 50,000 tracks take seconds, not an ORM object
    each."""
    n = 0
    for chunk in _chunks(track_ids):
        found = list(session.scalars(select(Track.id).where(Track.id.in_(chunk))))
        if not found:
            continue
        session.execute(
            insert(Label), [{"track_id": t, "label": label, "source": source} for t in found]
        )
        if source == LabelSource.USER_REVIEW:
            session.execute(update(Track).where(Track.id.in_(found)).values(user_label=label))
        n += len(found)
    session.expire_all()  # loaded tracks see their new decision
    return n


def clear_decision(session: Session, track_ids: Iterable[int]) -> int:
    """Withdraw the user's decision (the prediction rules again); the history stays in labels."""
    n = 0
    for chunk in _chunks(track_ids):
        result = session.execute(update(Track).where(Track.id.in_(chunk)).values(user_label=None))
        n += result.rowcount
    session.expire_all()
    return n


DECISION_CHUNK = 500


def _chunks(track_ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(dict.fromkeys(track_ids))
    for i in range(0, len(ids), DECISION_CHUNK):
        yield ids[i : i + DECISION_CHUNK]
