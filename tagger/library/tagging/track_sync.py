"""Keep a library track's row in step with the file a tag batch (or its undo) just wrote."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from sqlalchemy.orm import Session

from tagger.library.fingerprint import fingerprint
from tagger.library.schema import Track


def update_track_after_write(
    session: Session,
    track_id: int | None,
    path: str,
    st: os.stat_result,
    genres: Sequence[str],
    tag_format: str | None = None,
    local_path: str | None = None,
) -> None:
    """Make the library's row agree with the file we just wrote, so the next scan skips it.
    `path` is the library's spelling, `local_path` the file on this host (default: `path`)."""
    if track_id is None:
        return
    track = session.get(Track, track_id)
    if track is None or track.path != path:
        return  # moved or removed meanwhile; the next scan sorts it out
    track.size, track.mtime_ns = st.st_size, st.st_mtime_ns
    track.genres = list(genres)
    # `model_genres` stays: what this write added is its tag_changes row's to say, and an undo
    # brings back the bytes (and the mark) the scanner read them from (written_genres.py).
    if tag_format:
        track.tag_format = tag_format
    # The fingerprint covers the size, which a tag write may change (see fingerprint.py).
    with contextlib.suppress(OSError):
        track.fingerprint = fingerprint(local_path or path, st.st_size)
