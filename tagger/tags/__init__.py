"""Genre tags in audio files: read them, merge a label in, write them without ever damaging
the file.

The rest of the program sees only ``genres: list[str]`` and the values below; one handler
module per tag family (``id3``, ``vorbis``, ``mp4``, ``apev2``, ``asf``) knows the formats, and
``registry`` picks the handler from the file's content.
"""

from __future__ import annotations

import os
from typing import Literal

from .base import TagError, TagHandler, TagOptions, TrackTags
from .byte_backup import ByteBackup
from .cover import read_cover
from .merge import merge_genres
from .registry import handler_for, read_with
from .safe_write import cleanup_stale_temp_files, restore_original_bytes, write_genres

__all__ = [
    "ByteBackup",
    "restore_original_bytes",
    "TagError",
    "TagHandler",
    "TagOptions",
    "TrackTags",
    "cleanup_stale_temp_files",
    "merge_genres",
    "read_genres",
    "read_tags",
    "read_with",
    "handler_for",
    "write_genres",
    "read_cover",
    "MergeMode",
]

MergeMode = Literal["add", "replace", "fill"]


def read_tags(path: str | os.PathLike[str], options: TagOptions | None = None) -> TrackTags:
    """Title, artist, album, year, genres and tag family of ``path``.

    Never raises anything but TagError: a missing, unreadable, corrupt or unsupported file is
    a TagError with a reason a person can read.
    """
    p = os.fspath(path)
    return read_with(handler_for(p), p, options or TagOptions())


def read_genres(path: str | os.PathLike[str], options: TagOptions | None = None) -> list[str]:
    """The genres stored in ``path`` (an empty list when it has none)."""
    return read_tags(path, options).genres
