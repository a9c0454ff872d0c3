"""The review rule's values and its Python side, without SQLAlchemy.

`review.py` owns the rule's SQL (`needs_review`, the effective label); this module holds what a
row needs once it is read: the rule's parameters, who decided a track's label, and why a track
is in the queue. `tagger list` answered from the compiled-query cache (`service/list_cache.py`)
uses these without importing SQLAlchemy, so they live apart from the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tagger.library.settings import Settings

# The name of the SQL list parameter (review.needs_review) holding the tracks that go against
# their album: the compiled-query cache fills it in.
AGAINST_ALBUM = "against_album"


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


def effective_label_of(
    user_label: str | None, predicted: str | None
) -> tuple[str | None, str | None]:
    """(label, decided_by) of one track: ("x", "user"), ("y", "model") or (None, None)."""
    if user_label:
        return user_label, "user"
    if predicted is not None:
        return predicted, "model"
    return None, None


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
