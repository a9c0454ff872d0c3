"""Write the effective label of library tracks into their files as a genre, safely and undoably.

`TagWriter.plan` answers "what would change?" and writes nothing. `TagWriter.apply` does it, one
file at a time, each in its own short transactions:

1. stat the file. If its size or mtime differ from what the library recorded at scan time, the
   file is *stale*: someone else changed it, our idea of its tags may be wrong, so it is not
   touched (status stale; `tagger scan` brings the library up to date).
2. read its genres fresh from the file and merge the label in (`merge_genres`). No change, no
   write.
3. **back up first**: a `tag_changes` row with the old genres, old size and old mtime is
   committed (status pending) *before* the file is touched.
4. `write_genres` (atomic: temp copy, fsync, verify, rename). A per-file failure (read-only,
   vanished, disk full) marks the row error and the batch goes on.
5. re-read the genres and compare; then the row becomes written, with the new size and mtime,
   and the track row gets the new size, mtime, genres and fingerprint, so the library and the
   files agree and the next scan sees nothing to do.

A batch killed between 3 and 5 leaves pending rows. `recover_interrupted` settles them by
re-reading each file: it holds the new genres → written; it holds the old ones and is unchanged
→ skipped; anything else → stale. `apply` and `undo_batch` run it first.

Per-batch options (ID3v2.3 separator, extra fields, keep-mtime) and bookkeeping (which process
runs it, whether it finished) live as JSON in `tag_batches.notes`; see `BatchNotes`.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import socket
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tagger.library.fingerprint import fingerprint
from tagger.library.paths import tracks_under
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.schema import (
    ModelRecord,
    Prediction,
    TagBatch,
    TagChange,
    TagChangeStatus,
    Track,
    TrackStatus,
)
from tagger.library.store import Library
from tagger.tags import (
    MergeMode,
    TagError,
    TagOptions,
    cleanup_stale_temp_files,
    merge_genres,
    read_genres,
    read_tags,
    write_genres,
)
from tagger.tags.base import normalize_genres

DEFAULT_GENRE_STRINGS: dict[str, str] = {"metal": "Metal", "hardcore": "Hardcore"}
MODES: tuple[MergeMode, ...] = ("add", "replace", "fill")

STALE_REASON = "changed on disk since the last scan (size or modification time differ)"

# Batches being written by this process right now; recovery leaves them alone.
_ACTIVE_BATCHES: set[int] = set()


class SkipReason(enum.StrEnum):
    """Why a selected track is not even looked at."""

    MISSING = "missing"
    ERROR = "error"
    OUT_OF_SCOPE = "out-of-scope"
    UNCLASSIFIED = "unclassified"  # no label yet, or the prediction is for older audio
    LOW_CONFIDENCE = "low-confidence"
    NOT_REVIEWED = "not-reviewed"


class Action(enum.StrEnum):
    """What the writer does (or, in a preview, would do) with one file."""

    WRITE = "write"
    UNCHANGED = "unchanged"  # the merge gives the genres the file already has
    STALE = "stale"
    ERROR = "error"


@dataclass(frozen=True)
class TagRequest:
    paths: tuple[str, ...] = ()  # files or folders (absolute, as the library stores them)
    label: str | None = None  # only tracks whose effective label is this class
    mode: MergeMode = "add"
    min_confidence: float | None = None  # model decisions below it are skipped
    reviewed_only: bool = False  # only tracks a person decided
    genre_strings: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GENRE_STRINGS))
    options: TagOptions = field(default_factory=TagOptions)

    def genre_for(self, label: str) -> str:
        """The genre string written for a class: from the settings, else the class name."""
        for cls, text in self.genre_strings.items():
            if cls.casefold() == label.casefold() and text.strip():
                return text.strip()
        return label.strip().title()


@dataclass(frozen=True)
class Candidate:
    """A selected library track and who decided its label."""

    track_id: int
    path: str
    size: int
    mtime_ns: int
    status: str
    label: str | None
    decided_by: Literal["user", "model"] | None
    confidence: float | None
    model: str | None


@dataclass(frozen=True)
class FileChange:
    """One file's outcome: planned (preview) or done (apply)."""

    track_id: int | None
    path: str
    action: Action | str  # an Action in a plan; a TagChangeStatus value after apply
    old_genres: list[str]
    new_genres: list[str]
    reason: str | None = None
    label: str | None = None
    decided_by: str | None = None


@dataclass
class TagPlan:
    request: TagRequest
    changes: list[FileChange]
    skipped: dict[str, int]  # SkipReason → tracks
    cancelled: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)


@dataclass
class TagResult:
    batch_id: int
    changes: list[FileChange]
    skipped: dict[str, int]
    recovered: list[FileChange]  # pending rows of interrupted batches settled first
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.action == status)


@dataclass
class BatchNotes:
    """What `tag_batches.notes` holds, as JSON (the schema has no columns for these)."""

    separator: str = "; "
    extra_fields: bool = False
    keep_mtime: bool = False
    request: dict[str, Any] = field(default_factory=dict)
    pid: int | None = None
    host: str | None = None
    finished: bool = False

    def options(self) -> TagOptions:
        return TagOptions(
            id3v23_separator=self.separator,
            extra_fields=self.extra_fields,
            keep_mtime=self.keep_mtime,
        )

    def to_text(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def parse(cls, text: str | None) -> BatchNotes:
        try:
            raw = json.loads(text or "")
        except ValueError:
            return cls(finished=True)  # a batch not written by this module: not ours to settle
        if not isinstance(raw, dict):
            return cls(finished=True)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})


# --- selecting tracks -------------------------------------------------------------------------


def select_candidates(session: Session, request: TagRequest) -> list[Candidate]:
    """Library tracks under `request.paths` (all when empty) whose effective label matches.

    The effective label is the user's decision (`tracks.user_label`, kept by review.py) when there
    is one, else the current prediction's label.
    """
    label = func.coalesce(Track.user_label, Prediction.label)
    query = (
        select(
            Track.id,
            Track.path,
            Track.size,
            Track.mtime_ns,
            Track.status,
            Track.user_label,
            Prediction.label,
            Prediction.confidence,
            ModelRecord.name,
        )
        .outerjoin(
            Prediction, and_(Prediction.track_id == Track.id, Prediction.is_current.is_(True))
        )
        .outerjoin(ModelRecord, ModelRecord.id == Prediction.model_id)
        .order_by(Track.path)
    )
    if request.paths:
        query = query.where(tracks_under(request.paths))
    if request.label is not None:
        query = query.where(func.lower(label) == request.label.strip().lower())
    out: list[Candidate] = []
    for tid, path, size, mtime, status, user_label, predicted, confidence, model in session.execute(
        query
    ):
        if user_label:
            out.append(Candidate(tid, path, size, mtime, status, user_label, "user", None, model))
        elif predicted:
            out.append(
                Candidate(tid, path, size, mtime, status, predicted, "model", confidence, model)
            )
        else:
            out.append(Candidate(tid, path, size, mtime, status, None, None, None, None))
    return out


def skip_reason(c: Candidate, request: TagRequest) -> SkipReason | None:
    """Why this track is not written at all, or None when its file should be looked at."""
    if c.status == TrackStatus.MISSING:
        return SkipReason.MISSING
    if c.status == TrackStatus.ERROR:
        return SkipReason.ERROR
    if c.status == TrackStatus.OUT_OF_SCOPE:
        return SkipReason.OUT_OF_SCOPE
    if c.label is None:
        return SkipReason.UNCLASSIFIED
    if c.decided_by == "user":
        return None  # a person's decision always qualifies
    if request.reviewed_only:
        return SkipReason.NOT_REVIEWED
    if c.status != TrackStatus.OK:
        return SkipReason.UNCLASSIFIED  # new or changed audio: the prediction is not for it
    if request.min_confidence is not None and (c.confidence or 0.0) < request.min_confidence:
        return SkipReason.LOW_CONFIDENCE
    return None


# --- the service --------------------------------------------------------------------------------


class TagWriter:
    """Plans and applies genre-tag batches over a library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def _selection(self, request: TagRequest) -> tuple[list[Candidate], dict[str, int]]:
        if request.mode not in MODES:
            raise ValueError(f"unknown mode {request.mode!r}; expected add, replace or fill")
        with self.library.session() as session:
            candidates = select_candidates(session, request)
        chosen: list[Candidate] = []
        skipped: Counter[str] = Counter()
        for c in candidates:
            reason = skip_reason(c, request)
            if reason is None:
                chosen.append(c)
            else:
                skipped[reason.value] += 1
        return chosen, dict(skipped)

    def plan(
        self,
        request: TagRequest,
        *,
        progress: ProgressCallback | None = None,
        cancel: Cancel = None,
    ) -> TagPlan:
        """What `apply` would do, reading each file's genres; writes nothing, not even the DB."""
        chosen, skipped = self._selection(request)
        stop = cancel_check(cancel)
        meter = RateMeter(len(chosen), "plan", progress)
        changes: list[FileChange] = []
        for c in chosen:
            if stop():
                return TagPlan(request, changes, skipped, cancelled=True)
            change, _stat = _examine(c, request)
            changes.append(change)
            meter.report(c.path, change)
        return TagPlan(request, changes, skipped)

    def apply(
        self,
        request: TagRequest,
        *,
        progress: ProgressCallback | None = None,
        cancel: Cancel = None,
    ) -> TagResult:
        """Write the planned genres, backing each file up in the batch's rows first."""
        recovered = recover_interrupted(self.library)
        chosen, skipped = self._selection(request)
        notes = BatchNotes(
            separator=request.options.id3v23_separator,
            extra_fields=request.options.extra_fields,
            keep_mtime=request.options.keep_mtime,
            request={
                "paths": list(request.paths),
                "label": request.label,
                "min_confidence": request.min_confidence,
                "reviewed_only": request.reviewed_only,
            },
            pid=os.getpid(),
            host=socket.gethostname(),
        )
        with self.library.session() as session, session.begin():
            batch = TagBatch(
                mode=request.mode,
                labels={k: v for k, v in request.genre_strings.items()},
                counts={"skipped": skipped, "unchanged": 0},
                notes=notes.to_text(),
            )
            session.add(batch)
            session.flush()
            batch_id = batch.id
        _ACTIVE_BATCHES.add(batch_id)
        stop = cancel_check(cancel)
        meter = RateMeter(len(chosen), "tag", progress)
        changes: list[FileChange] = []
        cancelled = False
        try:
            for c in chosen:
                if stop():
                    cancelled = True
                    break
                change = self._apply_one(batch_id, c, request)
                changes.append(change)
                meter.report(c.path, change)
        finally:
            _ACTIVE_BATCHES.discard(batch_id)
            unchanged = sum(1 for ch in changes if ch.action == Action.UNCHANGED)
            with self.library.session() as session, session.begin():
                batch = session.get(TagBatch, batch_id)
                if batch is not None:
                    notes.finished = True
                    batch.notes = notes.to_text()
                    batch.counts = {
                        "skipped": skipped,
                        "unchanged": unchanged,
                        "cancelled": cancelled,
                    }
        return TagResult(batch_id, changes, skipped, recovered, cancelled)

    def _apply_one(self, batch_id: int, c: Candidate, request: TagRequest) -> FileChange:
        planned, st = _examine(c, request)
        if planned.action == Action.UNCHANGED:  # nothing to do, so nothing to back up
            return planned
        if planned.action in (Action.STALE, Action.ERROR):
            status = (
                TagChangeStatus.STALE if planned.action == Action.STALE else TagChangeStatus.ERROR
            )
            with self.library.session() as session, session.begin():
                session.add(
                    TagChange(
                        batch_id=batch_id,
                        track_id=c.track_id,
                        path=c.path,
                        old_genres=planned.old_genres,
                        new_genres=planned.new_genres,
                        old_size=c.size,
                        old_mtime_ns=c.mtime_ns,
                        status=status,
                        error=planned.reason,
                    )
                )
            return _with(planned, action=status.value)

        assert st is not None
        # Back up first: the old values are safe in the database before the file is touched.
        with self.library.session() as session, session.begin():
            row = TagChange(
                batch_id=batch_id,
                track_id=c.track_id,
                path=c.path,
                old_genres=planned.old_genres,
                new_genres=planned.new_genres,
                old_size=st.st_size,
                old_mtime_ns=st.st_mtime_ns,
                status=TagChangeStatus.PENDING,
            )
            session.add(row)
            session.flush()
            row_id = row.id

        try:
            confidence = c.confidence if c.decided_by == "model" else None
            model = c.model if c.decided_by == "model" else None
            write_genres(
                c.path, planned.new_genres, request.options, confidence=confidence, model=model
            )
        except TagError as exc:
            _finish_row(self.library, row_id, TagChangeStatus.ERROR, exc.reason)
            return _with(planned, action=TagChangeStatus.ERROR.value, reason=exc.reason)

        status, reason = _settle_written(self.library, row_id, request.options)
        return _with(planned, action=status.value, reason=reason)


# --- steps --------------------------------------------------------------------------------------


def _examine(c: Candidate, request: TagRequest) -> tuple[FileChange, os.stat_result | None]:
    base = FileChange(c.track_id, c.path, Action.ERROR, [], [], None, c.label, c.decided_by)
    try:
        st = os.stat(c.path)
    except FileNotFoundError:
        return _with(base, reason="file not found"), None
    except OSError as exc:
        return _with(base, reason=f"cannot stat file: {exc.strerror or exc}"), None
    if (st.st_size, st.st_mtime_ns) != (c.size, c.mtime_ns):
        return _with(base, action=Action.STALE, reason=STALE_REASON), st
    try:
        old = read_genres(c.path, request.options)
    except TagError as exc:
        return _with(base, reason=exc.reason), st
    assert c.label is not None
    new = merge_genres(old, request.genre_for(c.label), request.mode)
    action = Action.UNCHANGED if new == old else Action.WRITE
    return _with(base, action=action, old_genres=old, new_genres=new), st


def _with(change: FileChange, **kwargs: Any) -> FileChange:
    values = {**change.__dict__, **kwargs}
    return FileChange(**values)


def _finish_row(library: Library, row_id: int, status: TagChangeStatus, error: str | None) -> None:
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        if row is not None:
            row.status = status
            row.error = error


def _settle_written(
    library: Library, row_id: int, options: TagOptions
) -> tuple[TagChangeStatus, str | None]:
    """After a write: re-read and compare, then record the new state in the row and the track."""
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        try:
            tags = read_tags(row.path, options)
            st = os.stat(row.path)
        except (TagError, OSError) as exc:
            reason = exc.reason if isinstance(exc, TagError) else str(exc)
            row.status, row.error = TagChangeStatus.ERROR, f"re-reading after the write: {reason}"
            return TagChangeStatus.ERROR, row.error
        row.new_size, row.new_mtime_ns = st.st_size, st.st_mtime_ns
        wanted = normalize_genres(list(row.new_genres))
        if tags.genres != wanted:
            row.status = TagChangeStatus.ERROR
            row.error = f"verification failed: genres read back as {tags.genres}, not {wanted}"
            return TagChangeStatus.ERROR, row.error
        row.status, row.error = TagChangeStatus.WRITTEN, None
        update_track_after_write(session, row.track_id, row.path, st, tags.genres, tags.format)
        return TagChangeStatus.WRITTEN, None


def update_track_after_write(
    session: Session,
    track_id: int | None,
    path: str,
    st: os.stat_result,
    genres: Sequence[str],
    tag_format: str | None = None,
) -> None:
    """Make the library's row agree with the file we just wrote, so the next scan skips it."""
    if track_id is None:
        return
    track = session.get(Track, track_id)
    if track is None or track.path != path:
        return  # moved or removed meanwhile; the next scan sorts it out
    track.size, track.mtime_ns = st.st_size, st.st_mtime_ns
    track.genres = list(genres)
    if tag_format:
        track.tag_format = tag_format
    # The fingerprint covers the size, which a tag write may change (see fingerprint.py).
    with contextlib.suppress(OSError):
        track.fingerprint = fingerprint(path, st.st_size)


# --- interrupted batches ------------------------------------------------------------------------


def batch_is_running(notes: BatchNotes, batch_id: int) -> bool:
    """Whether a batch is still being written, here or by another live process on this host."""
    if notes.finished:
        return False
    if batch_id in _ACTIVE_BATCHES:
        return True
    if notes.pid is None or notes.host != socket.gethostname() or notes.pid == os.getpid():
        return False
    try:
        os.kill(notes.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    except OSError:
        return False
    return True


def recover_interrupted(
    library: Library, batch_ids: Iterable[int] | None = None
) -> list[FileChange]:
    """Settle the pending rows of batches that were killed midway, by re-reading each file.

    - the file holds the row's new genres: it was written → written (new size/mtime recorded,
      the track row updated);
    - it holds the old genres and its size/mtime are as backed up: never touched → skipped;
    - anything else: someone else changed it → stale, left alone.

    Leftover temporary files of the killed writer are removed from the rows' folders. Batches
    still being written by a live process are left alone. Returns the settled rows.
    """
    with library.session() as session:
        query = (
            select(TagBatch.id, TagBatch.notes)
            .where(
                TagBatch.id.in_(
                    select(TagChange.batch_id).where(TagChange.status == TagChangeStatus.PENDING)
                )
            )
            .order_by(TagBatch.id)
        )
        if batch_ids is not None:
            query = query.where(TagBatch.id.in_(list(batch_ids)))
        batches = [(bid, BatchNotes.parse(text)) for bid, text in session.execute(query)]
    settled: list[FileChange] = []
    for batch_id, notes in batches:
        if batch_is_running(notes, batch_id):
            continue
        options = notes.options()
        with library.session() as session:
            row_ids = list(
                session.scalars(
                    select(TagChange.id)
                    .where(
                        TagChange.batch_id == batch_id,
                        TagChange.status == TagChangeStatus.PENDING,
                    )
                    .order_by(TagChange.id)
                )
            )
        cleaned: set[str] = set()
        for row_id in row_ids:
            settled.append(_settle_pending(library, row_id, options, cleaned))
        with library.session() as session, session.begin():
            batch = session.get(TagBatch, batch_id)
            if batch is not None:
                notes.finished = True
                batch.notes = notes.to_text()
                counts = dict(batch.counts or {})
                counts["interrupted"] = True
                batch.counts = counts
    return settled


def _settle_pending(
    library: Library, row_id: int, options: TagOptions, cleaned: set[str]
) -> FileChange:
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        folder = os.path.dirname(row.path)
        if folder not in cleaned:
            cleaned.add(folder)
            cleanup_stale_temp_files(folder)
        old = normalize_genres(list(row.old_genres))
        new = normalize_genres(list(row.new_genres))
        try:
            tags = read_tags(row.path, options)
            st = os.stat(row.path)
        except (TagError, OSError) as exc:
            reason = exc.reason if isinstance(exc, TagError) else str(exc)
            row.status, row.error = TagChangeStatus.ERROR, f"interrupted; then {reason}"
        else:
            if tags.genres == new:
                row.status, row.error = TagChangeStatus.WRITTEN, None
                row.new_size, row.new_mtime_ns = st.st_size, st.st_mtime_ns
                track = session.get(Track, row.track_id) if row.track_id is not None else None
                # Only if the library still shows the file as it was before this write.
                if track is not None and (track.size, track.mtime_ns) == (
                    row.old_size,
                    row.old_mtime_ns,
                ):
                    update_track_after_write(
                        session, row.track_id, row.path, st, tags.genres, tags.format
                    )
            elif tags.genres == old and (st.st_size, st.st_mtime_ns) == (
                row.old_size,
                row.old_mtime_ns,
            ):
                row.status = TagChangeStatus.SKIPPED
                row.error = "the batch was interrupted before this file was written"
            else:
                row.status = TagChangeStatus.STALE
                row.error = "the batch was interrupted and the file changed since"
        return FileChange(
            row.track_id,
            row.path,
            row.status,
            list(row.old_genres),
            list(row.new_genres),
            row.error,
        )


# --- history ------------------------------------------------------------------------------------


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
        out.append(
            BatchSummary(
                b.id,
                b.created_at,
                b.mode,
                dict(b.labels or {}),
                counts,
                bool(b.undone),
                b.undone_at,
                BatchNotes.parse(b.notes).finished,
                BatchNotes.parse(b.notes),
            )
        )
    return out


__all__ = [
    "Action",
    "BatchNotes",
    "BatchSummary",
    "Candidate",
    "DEFAULT_GENRE_STRINGS",
    "FileChange",
    "MODES",
    "SkipReason",
    "TagPlan",
    "TagRequest",
    "TagResult",
    "TagWriter",
    "batch_is_running",
    "batch_summaries",
    "recover_interrupted",
    "select_candidates",
    "skip_reason",
    "update_track_after_write",
]
