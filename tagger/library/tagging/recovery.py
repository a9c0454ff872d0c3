"""Settle what a killed tag batch or undo left behind: pending rows and temporary files.

A batch killed between its backup row and the file's rename leaves the row pending; an undo
killed mid-file leaves its row marked `UNDO_MARK`. Either may leave a hidden `.tagger-tmp-`
copy beside the file. `recover_interrupted` settles the rows by re-reading each file and removes
the copies; `apply` and `undo_batch` run it first.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable

from sqlalchemy import or_, select

from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, Track
from tagger.library.store import Library
from tagger.library.tagging.batch_model import BatchNotes, FileChange
from tagger.library.tagging.track_sync import update_track_after_write
from tagger.tags import TagError, TagOptions, cleanup_stale_temp_files, read_tags
from tagger.tags.base import normalize_genres

# A written row whose file an undo is restoring right now (kept in `tag_changes.error`).
UNDO_MARK = "undo in progress"

# Batches being written by this process right now; recovery leaves them alone.
ACTIVE_BATCHES: set[int] = set()


def batch_is_running(notes: BatchNotes, batch_id: int) -> bool:
    """Whether a batch is still being written, here or by another live process on this host."""
    if notes.finished:
        return False
    if batch_id in ACTIVE_BATCHES:
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

    Leftover temporary files of a killed writer or undo are removed from the rows' folders.
    Batches still being written by a live process are left alone. Returns the settled rows.
    """
    with library.session() as session:
        query = (
            select(TagBatch.id, TagBatch.notes)
            .where(
                TagBatch.id.in_(
                    select(TagChange.batch_id).where(
                        or_(
                            TagChange.status == TagChangeStatus.PENDING,
                            TagChange.error == UNDO_MARK,
                        )
                    )
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
        _clean_undo_leftovers(library, batch_id)
        options = notes.options()
        row_ids = batch_change_ids(library, batch_id, TagChangeStatus.PENDING)
        if not row_ids:
            continue
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


def _clean_undo_leftovers(library: Library, batch_id: int) -> None:
    """Remove the temporary copies an undo killed mid-file left (its rows keep the mark)."""
    with library.session() as session:
        paths = session.scalars(
            select(TagChange.path).where(
                TagChange.batch_id == batch_id, TagChange.error == UNDO_MARK
            )
        )
        local = [library.paths.to_local(p) for p in paths]  # the files on this host
        for folder in {os.path.dirname(os.path.realpath(p)) for p in local}:
            cleanup_stale_temp_files(folder)


def _settle_pending(
    library: Library, row_id: int, options: TagOptions, cleaned: set[str]
) -> FileChange:
    with library.session() as session, session.begin():
        row = session.get(TagChange, row_id)
        assert row is not None
        local = library.paths.to_local(row.path)  # the file on this host
        # The writer's copy lies beside the real file, not beside a link to it.
        folder = os.path.dirname(os.path.realpath(local))
        if folder not in cleaned:
            cleaned.add(folder)
            cleanup_stale_temp_files(folder)
        old = normalize_genres(list(row.old_genres))
        new = normalize_genres(list(row.new_genres))
        try:
            tags = read_tags(local, options)
            st = os.stat(local)
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
                        session, row.track_id, row.path, st, tags.genres, tags.format, local
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
            local,
            row.status,
            list(row.old_genres),
            list(row.new_genres),
            row.error,
        )


def batch_change_ids(library: Library, batch_id: int, status: TagChangeStatus) -> list[int]:
    """The ids of a batch's file rows in `status`, in the order they were written."""
    with library.session() as session:
        return list(
            session.scalars(
                select(TagChange.id)
                .where(TagChange.batch_id == batch_id, TagChange.status == status)
                .order_by(TagChange.id)
            )
        )
