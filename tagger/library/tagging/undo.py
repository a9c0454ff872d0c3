"""Undo a tag batch: put back the exact genres each file had before, unless it changed since.

A file is restored only when it is still exactly as the batch left it: the size and mtime the
batch recorded after its write, and the genres it wrote. Anything else means someone (a tag
editor, a later batch) changed it since, and overwriting that would lose their change, so the file
is refused with a message and left alone.

Where the batch kept the bytes its write replaced (`original_bytes`) and the file is still
exactly, to the byte, what the write left, the original bytes are put back, so the file equals
the original's sha256 (frame encodings, padding and the ID3v1 genre byte included). Otherwise
(an older batch, a backup too large to keep) the old genres are written back.

Undo is safe to re-run and to kill. Before a file is rewritten its row is marked (status still
written, `error` = UNDO_MARK) in a committed transaction; a re-run that finds a marked row whose
file already holds the old genres knows the restore went through and only records it. Pending
rows of an interrupted batch are settled first (`recover_interrupted`): those whose file holds the
new genres count as written, and are restored.

Stacked batches undo newest first: undoing batch 2 puts a file back exactly as batch 1 left it, so
batch 1's row for that file takes the file's new size and mtime and stays undoable. Undoing
batch 1 while batch 2's change is still in the file is refused for that file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import select

from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.queries import last_undoable_batch
from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, utcnow
from tagger.library.store import Library
from tagger.library.tagging.batch_model import BatchNotes, FileChange
from tagger.library.tagging.recovery import (
    UNDO_MARK,
    batch_change_ids,
    batch_is_running,
    recover_interrupted,
)
from tagger.library.tagging.track_sync import update_track_after_write
from tagger.tags import (
    ByteBackup,
    TagError,
    TagOptions,
    handler_for,
    read_with,
    restore_original_bytes,
    write_genres,
)
from tagger.tags.base import normalize_genres
from tagger.tags.byte_backup import file_sha256


class UndoError(Exception):
    """There is no such batch, or nothing to undo."""


@dataclass(frozen=True)
class UndoOutcome:
    path: str
    status: str  # "restored", "refused", "error"
    genres: list[str]  # restored: the genres now in the file; otherwise what it was to get
    reason: str | None = None


@dataclass
class UndoResult:
    batch_id: int
    outcomes: list[UndoOutcome] = field(default_factory=list)
    recovered: list[FileChange] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def undo_batch(
    library: Library,
    batch_id: int | None = None,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> UndoResult:
    """Restore the old genres of every file batch `batch_id` (default: the last one) wrote.

    Raises UndoError when the batch does not exist or there is nothing to undo.
    """
    with library.session() as session:
        if batch_id is None:
            batch_id = last_undoable_batch(session)
            if batch_id is None:
                raise UndoError("nothing to undo: no tag batch has written any file")
        batch = session.get(TagBatch, batch_id)
        if batch is None:
            raise UndoError(f"there is no tag batch {batch_id}")
        notes = BatchNotes.parse(batch.notes)
    if batch_is_running(notes, batch_id):
        raise UndoError(
            f"tag batch {batch_id} is still being written (process {notes.pid}); "
            "undo it when it has finished"
        )
    result = UndoResult(batch_id)
    result.recovered = recover_interrupted(library, [batch_id])
    options = notes.options()

    row_ids = batch_change_ids(library, batch_id, TagChangeStatus.WRITTEN)
    stop = cancel_check(cancel)
    meter = RateMeter(len(row_ids), "undo", progress)
    for row_id in row_ids:
        if stop():
            result.cancelled = True
            break
        outcome = _undo_one(library, batch_id, row_id, options)
        result.outcomes.append(outcome)
        meter.report(outcome.path, outcome)

    if not result.cancelled:
        with library.session() as session, session.begin():
            batch = session.get(TagBatch, batch_id)
            if batch is not None and not batch.undone:
                batch.undone, batch.undone_at = True, utcnow()
    return result


def _undo_one(library: Library, batch_id: int, row_id: int, options: TagOptions) -> UndoOutcome:
    with library.session() as session:
        row = session.get(TagChange, row_id)
        assert row is not None
        stored_path = row.path
        path = library.paths.to_local(stored_path)  # the file on this host
        old = normalize_genres(list(row.old_genres))
        new = normalize_genres(list(row.new_genres))
        marked = row.error == UNDO_MARK
        expected = (row.new_size, row.new_mtime_ns)
        backup = _parse_backup(row.original_bytes)

    try:
        handler = handler_for(path)
        current = read_with(handler, path, options).genres
        st = os.stat(path)
    except (TagError, OSError) as exc:
        reason = exc.reason if isinstance(exc, TagError) else (exc.strerror or str(exc))
        if isinstance(exc, FileNotFoundError) or "not found" in reason:
            reason = "file not found"
        return UndoOutcome(path, "refused", old, f"{reason}; nothing restored")

    if marked and current == old:
        # A previous undo restored it and was stopped before recording that.
        _record_restored(library, row_id, stored_path, path, st, current, None)
        return UndoOutcome(path, "restored", current)

    if (st.st_size, st.st_mtime_ns) != expected or current != new:
        what = "its genres" if current != new else "its size or modification time"
        return UndoOutcome(
            path,
            "refused",
            old,
            f"the file changed since batch {batch_id} ({what} differ); left as it is",
        )

    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        row.error = UNDO_MARK
    try:
        if backup is not None and file_sha256(path) == backup.new_sha256:
            restore_original_bytes(path, backup, options)
        else:
            # Extra fields written by the batch are removed with the genre (None removes them).
            write_genres(path, old, options, handler=handler)
        after = read_with(handler, path, options)
        st = os.stat(path)
    except (TagError, OSError) as exc:
        reason = exc.reason if isinstance(exc, TagError) else (exc.strerror or str(exc))
        _clear_mark(library, row_id, f"undo failed: {reason}")
        return UndoOutcome(path, "error", old, reason)
    if after.genres != old:
        reason = f"verification failed: genres read back as {after.genres}, not {old}"
        _clear_mark(library, row_id, f"undo failed: {reason}")
        return UndoOutcome(path, "error", old, reason)
    _record_restored(library, row_id, stored_path, path, st, after.genres, after.format)
    return UndoOutcome(path, "restored", after.genres)


def _parse_backup(blob: bytes | None) -> ByteBackup | None:
    if not blob:
        return None
    try:
        return ByteBackup.from_bytes(blob)
    except (ValueError, KeyError):
        return None  # a damaged backup: restore the genres instead


def _record_restored(
    library: Library,
    row_id: int,
    path: str,
    local: str,
    st: os.stat_result,
    genres: list[str],
    tag_format: str | None,
) -> None:
    """`path`: the file as the library stores it; `local`: the same file on this host."""
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        row.status, row.error = TagChangeStatus.UNDONE, None
        update_track_after_write(session, row.track_id, path, st, genres, tag_format, local)
        # Stacked batches: when this batch had written straight over an earlier batch's result,
        # the file is now exactly as that earlier batch left it again, so that batch stays
        # undoable: its "as we left it" size and mtime become the ones the file has now.
        earlier = session.scalars(
            select(TagChange).where(
                TagChange.path == path,
                TagChange.id < row.id,
                TagChange.status == TagChangeStatus.WRITTEN,
                TagChange.new_size == row.old_size,
                TagChange.new_mtime_ns == row.old_mtime_ns,
            )
        )
        for prior in earlier:
            if normalize_genres(list(prior.new_genres)) == list(genres):
                prior.new_size, prior.new_mtime_ns = st.st_size, st.st_mtime_ns


def _clear_mark(library: Library, row_id: int, error: str) -> None:
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        if row is not None and row.status == TagChangeStatus.WRITTEN:
            row.error = error


__all__ = [
    "UNDO_MARK",
    "UndoError",
    "UndoOutcome",
    "UndoResult",
    "undo_batch",
]
