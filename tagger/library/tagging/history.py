"""The tag batches a library has seen: counts per outcome, state, and which one undo takes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tagger.library.schema import TagBatch, TagChange, TagChangeStatus
from tagger.library.store import Library
from tagger.library.tagging.batch_model import BatchNotes
from tagger.library.tagging.recovery import batch_is_running


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created_at: Any
    mode: str
    labels: dict[str, Any]
    counts: dict[str, int]  # written, skipped, stale, error, undone, pending
    undone: bool
    undone_at: Any
    finished: bool
    notes: BatchNotes
    # running, interrupted, cancelled, undone, partly undone or done; never empty.
    state: str = "done"


def batch_summaries(session: Session, *, limit: int | None = None) -> list[BatchSummary]:
    """Tag batches, newest first, with per-status file counts.

    *skipped* counts the selected files not written: unchanged by the merge, filtered out
    (low confidence, not reviewed, missing, ...), or never reached by an interrupted batch.
    """
    query = select(TagBatch).order_by(TagBatch.id.desc())
    if limit is not None:
        query = query.limit(limit)
    batches = list(session.scalars(query))
    ids = [b.id for b in batches]
    per_status: dict[int, Counter[str]] = {i: Counter() for i in ids}
    if ids:
        for bid, status, n in session.execute(
            select(TagChange.batch_id, TagChange.status, func.count(TagChange.id))
            .where(TagChange.batch_id.in_(ids))
            .group_by(TagChange.batch_id, TagChange.status)
        ):
            per_status[bid][status] += n
    out: list[BatchSummary] = []
    for b in batches:
        rows = per_status[b.id]
        stored = b.counts or {}
        skipped_filters = stored.get("skipped") or {}
        extra_skipped = (
            int(stored.get("unchanged") or 0) + sum(int(v) for v in skipped_filters.values())
            if isinstance(skipped_filters, dict)
            else int(stored.get("unchanged") or 0)
        )
        counts = {
            "written": rows[TagChangeStatus.WRITTEN],
            "skipped": rows[TagChangeStatus.SKIPPED] + extra_skipped,
            "stale": rows[TagChangeStatus.STALE],
            "error": rows[TagChangeStatus.ERROR],
            "undone": rows[TagChangeStatus.UNDONE],
            "pending": rows[TagChangeStatus.PENDING],
        }
        notes = BatchNotes.parse(b.notes)
        out.append(
            BatchSummary(
                b.id,
                b.created_at,
                b.mode,
                dict(b.labels or {}),
                counts,
                bool(b.undone),
                b.undone_at,
                notes.finished,
                notes,
                _state(b.id, notes, stored, counts, bool(b.undone)),
            )
        )
    return out


def _state(
    batch_id: int, notes: BatchNotes, stored: dict[str, Any], counts: dict[str, int], undone: bool
) -> str:
    if not notes.finished:
        # Not finished and nobody writing it: the process was killed (recovery not run yet).
        return "running" if batch_is_running(notes, batch_id) else "interrupted"
    if undone:
        return f"undone ({counts['written']} refused)" if counts["written"] else "undone"
    if counts["undone"]:
        return "partly undone"
    if stored.get("interrupted"):
        return "interrupted"
    if stored.get("cancelled"):
        return "cancelled"
    return "done"


def history(library: Library, *, limit: int | None = None) -> list[BatchSummary]:
    """Tag batches, newest first, with their file counts (see `batch_summaries`)."""
    with library.session() as session:
        return batch_summaries(session, limit=limit)
