"""Doubts about a track's own tag class, from the last training on the library's labels.

A network learns a wrong label late and by rote: while it learns the rest of the library, a
mis-tagged track's windows keep a margin below zero for its tag's class (the logit of that
class less the largest other; Pleiss et al. 2020, "Identifying Mislabeled Data using the Area
Under the Margin Ranking"). The training measures each track's mean margin over its refit
(`training/epoch_loop.py` TrackMargins) and names the doubted ones; here they are kept per
track, beside the class they doubt, so that the "Disagrees with its tags" list (`review.py`
`disagrees_with_tags`) also holds the mis-tags the model itself came to agree with, which the
list would otherwise never show.

Each training from the library replaces the doubts of the one before: its labels are the whole
library's. A decision or a retag to another class ends a doubt (`review.tag_doubted`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from tagger.library.schema import Track


def record_tag_doubts(session: Session, doubts: Mapping[str, float]) -> int:
    """Replace the library's doubts with `doubts` ({library path: mean margin}) for the tracks
    whose label was their own tag class (a decision is the user's word, never doubted); how
    many were recorded (flushed, not committed)."""
    session.execute(
        update(Track)
        .where(Track.tag_doubt_class.is_not(None))
        .values(tag_doubt_class=None, tag_doubt=None)
    )
    if not doubts:
        return 0
    rows = [{"p": path, "m": float(margin)} for path, margin in doubts.items()]
    statement = (
        update(Track.__table__)
        .where(
            Track.__table__.c.path == bindparam("p"),
            Track.__table__.c.user_label.is_(None),
            Track.__table__.c.tag_class.is_not(None),
        )
        .values(tag_doubt_class=Track.__table__.c.tag_class, tag_doubt=bindparam("m"))
    )
    session.execute(statement, rows)
    # (an executemany's rowcount is not every driver's sum)
    return session.scalar(select(func.count()).where(Track.tag_doubt_class.is_not(None))) or 0
