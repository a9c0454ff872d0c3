"""Write the effective label of library tracks into their files as a genre, safely and undoably.

`TagWriter.plan` answers "what would change?" and writes nothing. `TagWriter.apply` does it, one
file at a time, each in its own short transactions:

1. stat the file. If its size or mtime differ from what the library recorded at scan time, the
   file is *stale*: someone else changed it, our idea of its tags may be wrong, so it is not
   touched (status stale; `tagger scan` brings the library up to date).
2. read its genres fresh from the file and merge the label in (`merge_genres`). No change, no
   write.
3. **back up first**: a `tag_changes` row with the old genres, old size and old mtime is
   committed (status pending) *before* the file is touched; the bytes the write replaces are
   added to it (`original_bytes`) after the new copy is verified and before it replaces the
   file, so undo can give the file back byte for byte.
4. `write_genres` (atomic: temp copy, fsync, verify, rename). A per-file failure (read-only,
   vanished, disk full) marks the row error and the batch goes on.
5. re-read the genres and compare; then the row becomes written, with the new size and mtime,
   and the track row gets the new size, mtime, genres and fingerprint, so the library and the
   files agree and the next scan sees nothing to do.

A batch killed between 3 and 5 leaves pending rows; see `recovery.py`. The file's tag family is
detected once per file (`handler_for`) and the handler passed to every step.

Per-batch options (ID3v2.3 separator, extra fields, keep-mtime) and bookkeeping (which process
runs it, whether it finished) live as JSON in `tag_batches.notes`; see `BatchNotes`.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from dataclasses import replace

from tagger.library.folders import library_folders
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.schema import TagBatch, TagChange, TagChangeStatus
from tagger.library.store import Library
from tagger.library.tagging.batch_model import (
    MODES,
    OUTSIDE_REASON,
    STALE_REASON,
    Action,
    BatchNotes,
    Candidate,
    FileChange,
    TagPlan,
    TagRequest,
    TagResult,
)
from tagger.library.tagging.recovery import ACTIVE_BATCHES, recover_interrupted
from tagger.library.tagging.selection import RealFolders, select_candidates, skip_reason
from tagger.library.tagging.track_sync import update_track_after_write
from tagger.tags import ByteBackup, TagError, TagHandler, merge_genres, write_genres
from tagger.tags.base import normalize_genres
from tagger.tags.registry import handler_for, read_with


class TagWriter:
    """Plans and applies genre-tag batches over a library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def _selection(self, request: TagRequest) -> tuple[list[Candidate], dict[str, int]]:
        if request.mode not in MODES:
            raise ValueError(f"unknown mode {request.mode!r}; expected add, replace or fill")
        # The request names files as this host mounts them; the library has its own spelling.
        stored = replace(request, paths=tuple(map(self.library.paths.to_library, request.paths)))
        with self.library.session() as session, session.begin():
            candidates = select_candidates(session, stored)
        chosen: list[Candidate] = []
        skipped: Counter[str] = Counter()
        for c in candidates:
            reason = skip_reason(c, request)
            if reason is None:
                chosen.append(c)
            else:
                skipped[reason.value] += 1
        return chosen, dict(skipped)

    def _real_folders(self, request: TagRequest) -> RealFolders:
        with self.library.session() as session:
            stored = library_folders(session)
        return RealFolders(request, [self.library.paths.to_local(f) for f in stored])

    def _local(self, c: Candidate) -> str:
        return self.library.paths.to_local(c.path)

    def plan(
        self,
        request: TagRequest,
        *,
        progress: ProgressCallback | None = None,
        cancel: Cancel = None,
    ) -> TagPlan:
        """What `apply` would do, reading each file's genres; writes nothing, not even the DB."""
        chosen, skipped = self._selection(request)
        folders = self._real_folders(request)
        stop = cancel_check(cancel)
        meter = RateMeter(len(chosen), "plan", progress)
        changes: list[FileChange] = []
        for c in chosen:
            if stop():
                return TagPlan(request, changes, skipped, cancelled=True)
            change, _examined = _examine(c, self._local(c), request, folders)
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
        folders = self._real_folders(request)
        notes = BatchNotes(
            separator=request.options.id3v23_separator,
            extra_fields=request.options.extra_fields,
            keep_mtime=request.options.keep_mtime,
            request={
                "paths": list(request.paths),
                "label": request.label,
                "min_confidence": request.min_confidence,
                "reviewed_only": request.reviewed_only,
                "include_unreviewed": request.include_unreviewed,
                "follow_links_outside": request.follow_links_outside,
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
        ACTIVE_BATCHES.add(batch_id)
        stop = cancel_check(cancel)
        meter = RateMeter(len(chosen), "tag", progress)
        changes: list[FileChange] = []
        cancelled = False
        try:
            for c in chosen:
                if stop():
                    cancelled = True
                    break
                change = self._apply_one(batch_id, c, request, folders)
                changes.append(change)
                meter.report(c.path, change)
        finally:
            ACTIVE_BATCHES.discard(batch_id)
            unchanged = sum(1 for ch in changes if ch.action == Action.UNCHANGED)
            outside = sum(1 for ch in changes if ch.action == Action.OUTSIDE)
            with self.library.session() as session, session.begin():
                batch = session.get(TagBatch, batch_id)
                if batch is not None:
                    notes.finished = True
                    batch.notes = notes.to_text()
                    batch.counts = {
                        "skipped": {**skipped, **({"outside": outside} if outside else {})},
                        "unchanged": unchanged,
                        "cancelled": cancelled,
                    }
        return TagResult(batch_id, changes, skipped, recovered, cancelled)

    def _apply_one(
        self, batch_id: int, c: Candidate, request: TagRequest, folders: RealFolders
    ) -> FileChange:
        local = self._local(c)
        planned, handler = _examine(c, local, request, folders)
        if planned.action in (Action.UNCHANGED, Action.OUTSIDE):  # nothing to write or back up
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
            return planned.but(action=status.value)

        assert handler is not None
        # Back up first: the old values are safe in the database before the file is touched.
        with self.library.session() as session, session.begin():
            row = TagChange(
                batch_id=batch_id,
                track_id=c.track_id,
                path=c.path,
                old_genres=planned.old_genres,
                new_genres=planned.new_genres,
                old_size=c.size,
                old_mtime_ns=c.mtime_ns,
                status=TagChangeStatus.PENDING,
            )
            session.add(row)
            session.flush()
            row_id = row.id

        def keep_backup(backup: ByteBackup | None) -> None:
            if backup is None:
                return  # too large to keep: undo restores the genres instead
            with self.library.session() as session, session.begin():
                stored = session.get(TagChange, row_id)
                assert stored is not None
                stored.original_bytes = backup.to_bytes()

        try:
            confidence = c.confidence if c.decided_by == "model" else None
            model = c.model if c.decided_by == "model" else None
            write_genres(
                local,
                planned.new_genres,
                request.options,
                confidence=confidence,
                model=model,
                keep_backup=keep_backup,
                handler=handler,
            )
        except TagError as exc:
            _finish_row(self.library, row_id, TagChangeStatus.ERROR, exc.reason)
            return planned.but(action=TagChangeStatus.ERROR.value, reason=exc.reason)

        status, reason = _settle_written(self.library, row_id, local, request, handler)
        return planned.but(action=status.value, reason=reason)


def _examine(
    c: Candidate, local: str, request: TagRequest, folders: RealFolders
) -> tuple[FileChange, TagHandler | None]:
    """The planned change for one file (`local`: the track's file on this host, as the change
    names it), and the handler of its tag family (None: not readable)."""
    base = FileChange(c.track_id, local, Action.ERROR, [], [], None, c.label, c.decided_by)
    try:
        st = os.stat(local)
    except FileNotFoundError:
        return base.but(reason="file not found"), None
    except OSError as exc:
        return base.but(reason=f"cannot stat file: {exc.strerror or exc}"), None
    if (st.st_size, st.st_mtime_ns) != (c.size, c.mtime_ns):
        return base.but(action=Action.STALE, reason=STALE_REASON), None
    note = None
    if not folders.contain(local):
        if not request.follow_links_outside:
            return base.but(action=Action.OUTSIDE, reason=OUTSIDE_REASON), None
        note = OUTSIDE_REASON
    try:
        handler = handler_for(local)
        old = read_with(handler, local, request.options).genres
    except TagError as exc:
        return base.but(reason=exc.reason, note=note), None
    assert c.label is not None
    new = merge_genres(old, request.genre_for(c.label), request.mode)
    action = Action.UNCHANGED if new == old else Action.WRITE
    return base.but(action=action, old_genres=old, new_genres=new, note=note), handler


def _finish_row(library: Library, row_id: int, status: TagChangeStatus, error: str | None) -> None:
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        if row is not None:
            row.status = status
            row.error = error


def _settle_written(
    library: Library, row_id: int, local: str, request: TagRequest, handler: TagHandler
) -> tuple[TagChangeStatus, str | None]:
    """After a write: re-read and compare, then record the new state in the row and the track."""
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        try:
            tags = read_with(handler, local, request.options)
            st = os.stat(local)
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
        update_track_after_write(
            session, row.track_id, row.path, st, tags.genres, tags.format, local_path=local
        )
        return TagChangeStatus.WRITTEN, None
