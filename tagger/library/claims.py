"""Claims with a lease: several processes (or hosts) share one library's classification work.

Each engine run takes tracks from a `ClaimQueue` instead of a plain list. Taking a track writes
an owner id and a lease expiry on its row in one atomic statement:

    UPDATE tracks SET claimed_by = :owner, claim_expires = :expiry
    WHERE id IN (SELECT id FROM tracks WHERE <still needs work> AND <unclaimed or lease expired>
                 AND id IN (:candidates) LIMIT :n FOR UPDATE SKIP LOCKED)
    RETURNING id, path

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other without waiting;
SQLite has no row locks (SQLAlchemy leaves the clause out) but runs each write transaction alone,
so the same statement is atomic there too. A result is stored only while its owner still holds
the claim (`finish`, in the same transaction as the prediction), so a track is never stored twice
even if a lease ran out under a slow owner. The owner renews the leases of the tracks it works
on; a killed process's tracks become claimable when their lease expires and the other runs,
which wait for such tracks before they finish, take them over: nothing is lost.

Leases use the hosts' clocks (UTC): hosts sharing a library should run NTP, and the lease
(`TAGGER_CLAIM_LEASE_S`, default 300 s) must be much longer than the skew.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from tagger.library.schema import Prediction, Track, TrackStatus, utcnow
from tagger.library.store import Library

LEASE_ENV = "TAGGER_CLAIM_LEASE_S"
DEFAULT_LEASE_S = 300.0
# How often tracks held by others are looked at again once nothing else is left to take.
RECHECK_S = 1.0
CANDIDATES_PER_CLAIM = 64


def lease_seconds() -> float:
    try:
        value = float(os.environ.get(LEASE_ENV, DEFAULT_LEASE_S))
    except ValueError:
        return DEFAULT_LEASE_S
    return value if value > 0 else DEFAULT_LEASE_S


def new_owner_id() -> str:
    """Host, process and a random part: unique across hosts and restarts, readable in the DB."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def needs_work(model_id: int) -> ColumnElement[bool]:
    """A track that still waits for a prediction from `model_id` (mirrors the selection)."""
    current_from_model = exists().where(
        Prediction.track_id == Track.id,
        Prediction.is_current.is_(True),
        Prediction.model_id == model_id,
    )
    return and_(
        Track.status.in_(
            [TrackStatus.NEW, TrackStatus.CHANGED, TrackStatus.OK, TrackStatus.OUT_OF_SCOPE]
        ),
        or_(Track.status.in_([TrackStatus.NEW, TrackStatus.CHANGED]), ~current_from_model),
    )


class ClaimQueue:
    """The tracks one run may classify, handed out only once claimed by this run."""

    def __init__(
        self,
        library: Library,
        model_id: int,
        track_ids: Sequence[int],
        *,
        owner: str | None = None,
        lease_s: float | None = None,
    ) -> None:
        self.library = library
        self.model_id = model_id
        self.owner = owner or new_owner_id()
        self.lease = timedelta(seconds=lease_s or lease_seconds())
        self.pending: deque[int] = deque(track_ids)
        self.held_elsewhere: list[int] = []  # claimed by another live run when we looked
        self.claimed: set[int] = set()  # ours, not yet finished
        self._last_recheck = 0.0
        self._last_renew = time.monotonic()

    @property
    def finished(self) -> bool:
        """Nothing left to take now or later (what we hold may still be in flight)."""
        return not self.pending and not self.held_elsewhere

    def take(self, n: int) -> list[tuple[int, str]]:
        """Claim up to `n` tracks; returns (id, path) pairs. May return [] while others hold the
        rest: call again later until `finished`."""
        out: list[tuple[int, str]] = []
        if n <= 0:
            return out
        if not self.pending and self.held_elsewhere:
            if time.monotonic() - self._last_recheck < RECHECK_S:
                return out
            self._last_recheck = time.monotonic()
            self.pending.extend(self.held_elsewhere)
            self.held_elsewhere = []
        while self.pending and len(out) < n:
            want = n - len(out)
            count = min(len(self.pending), max(CANDIDATES_PER_CLAIM, want))
            candidates = [self.pending.popleft() for _ in range(count)]
            got = self._claim(candidates, want)
            out.extend(got)
            taken = {tid for tid, _ in got}
            rest = [tid for tid in candidates if tid not in taken]
            if len(got) == want:
                # Enough for now: the others go back, to be tried on the next call.
                self.pending.extendleft(reversed(rest))
                break
            self.held_elsewhere.extend(self._still_waiting(rest))
        self.claimed.update(tid for tid, _ in out)
        return out

    def _claim(self, candidates: list[int], limit: int) -> list[tuple[int, str]]:
        now = utcnow()
        free = select(Track.id).where(
            Track.id.in_(candidates),
            needs_work(self.model_id),
            or_(Track.claimed_by.is_(None), Track.claim_expires < now),
        )
        free = free.order_by(Track.id).limit(limit).with_for_update(skip_locked=True)
        statement = (
            update(Track)
            .where(Track.id.in_(free.scalar_subquery()))
            .values(claimed_by=self.owner, claim_expires=now + self.lease)
            .returning(Track.id, Track.path)
        )
        with self.library.session() as session, session.begin():
            rows = {tid: path for tid, path in session.execute(statement)}
        return [(tid, rows[tid]) for tid in candidates if tid in rows]

    def _still_waiting(self, track_ids: list[int]) -> list[int]:
        """Of tracks we could not claim, those someone else still has to finish."""
        if not track_ids:
            return []
        query = select(Track.id).where(Track.id.in_(track_ids), needs_work(self.model_id))
        with self.library.session() as session:
            return list(session.scalars(query))

    def renew(self, every_s: float | None = None) -> None:
        """Push the lease of what we hold forward (at most every `every_s`, default lease/3)."""
        interval = every_s if every_s is not None else self.lease.total_seconds() / 3
        if not self.claimed or time.monotonic() - self._last_renew < interval:
            return
        self._last_renew = time.monotonic()
        with self.library.session() as session, session.begin():
            session.execute(
                update(Track)
                .where(Track.id.in_(list(self.claimed)), Track.claimed_by == self.owner)
                .values(claim_expires=utcnow() + self.lease)
            )

    def finish(self, session: Session, track_id: int) -> bool:
        """Drop our claim inside the transaction that stores the outcome. False: the claim was
        lost (the lease ran out and another run took the track), so store nothing."""
        self.claimed.discard(track_id)
        result = session.execute(
            update(Track)
            .where(Track.id == track_id, Track.claimed_by == self.owner)
            .values(claimed_by=None, claim_expires=None)
        )
        return result.rowcount == 1

    def release(self) -> None:
        """Give back what we hold unfinished (on cancel or error), so others need not wait."""
        if not self.claimed:
            return
        with self.library.session() as session, session.begin():
            session.execute(
                update(Track)
                .where(Track.claimed_by == self.owner)
                .values(claimed_by=None, claim_expires=None)
            )
        self.claimed.clear()
