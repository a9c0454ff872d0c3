"""Write genres so that a file is always either exactly old or exactly new, never half.

The user's file is never opened for writing. The change is made on a copy beside it (same
folder, so the final rename stays on one file system), the copy is synced and verified
(genres as asked, every other tag field and every audio packet unchanged), given the
original's permissions, owner and, if asked, times, and then renamed over the original with
``os.replace``, which is atomic. A kill at any moment leaves the original or the finished
copy in place, plus at worst a hidden ``.name.tagger-tmp-XXXX`` file that
:func:`cleanup_stale_temp_files` removes.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable

from .audio_payload import audio_packet_digest
from .base import Extras, TagError, TagHandler, TagOptions, normalize_genres
from .byte_backup import ByteBackup, capture, rebuild_into
from .registry import describe_error, handler_for

TEMP_MARKER = ".tagger-tmp-"
_NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_MKSTEMP_RANDOM = 8
_TEMP_NAME = re.compile(r"^\..+" + re.escape(TEMP_MARKER) + r"[A-Za-z0-9_]+$")

_ERRNO_REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "file vanished while writing",
}


def write_genres(
    path: str | os.PathLike[str],
    genres: list[str],
    options: TagOptions | None = None,
    *,
    confidence: float | None = None,
    model: str | None = None,
    keep_backup: Callable[[ByteBackup | None], None] | None = None,
    handler: TagHandler | None = None,
) -> None:
    """Set the genres of ``path`` to exactly ``genres`` (trimmed, de-duplicated).

    With ``options.extra_fields`` the confidence and model name are written too (a ``None``
    removes an old value so that it cannot mislabel the new genre). Nothing else in the file
    changes. Raises TagError, with the file untouched, on any problem. A file whose genres
    (and extra fields) already are as asked is not rewritten.

    ``keep_backup`` receives the bytes needed to undo the write exactly (None when too large)
    after the copy is finished and verified but before it replaces the original: what it stores
    is safe before the file changes, and if it raises, nothing is written.
    """
    opts = options or TagOptions()
    shown = os.fspath(path)
    # Through a symlink we replace the target, not the link.
    real = os.path.realpath(shown)
    wanted = normalize_genres(list(genres))
    extras = Extras(_format_confidence(shown, confidence), model) if opts.extra_fields else None

    original = _check_writable(real, shown)
    if handler is None:
        handler = handler_for(real)
    try:
        try:
            handler.check_writable_genres(real, wanted, opts)
        except ValueError as e:
            raise TagError(shown, f"cannot store these genres: {e}") from None
        if _already_written(handler, real, wanted, opts, extras):
            return
        before_fields = handler.snapshot(real)
        before_audio = audio_packet_digest(real)

        def change_copy(copy: str) -> None:
            handler.set_genres(copy, wanted, opts, extras)
            _verify(handler, shown, copy, wanted, opts, extras, before_fields, before_audio)
            if keep_backup is not None:
                keep_backup(capture(real, copy))

        _replace_with_changed_copy(real, shown, original, opts, change_copy)
    except TagError:
        raise
    except OSError as e:
        reason = _ERRNO_REASONS.get(e.errno or 0, e.strerror or str(e))
        raise TagError(shown, f"could not write tags: {reason}") from None
    except Exception as e:  # a mutagen bug on an odd file must not escape as anything else
        raise TagError(shown, f"could not write tags: {describe_error(e)}") from None


def restore_original_bytes(
    path: str | os.PathLike[str], backup: ByteBackup, options: TagOptions | None = None
) -> None:
    """Give ``path`` back the exact bytes it had before the write that ``backup`` belongs to.

    Same safety as :func:`write_genres` (a copy, verified by the original's sha256, renamed
    over the file). Raises TagError, with the file untouched, when the file is no longer
    exactly as that write left it.
    """
    opts = options or TagOptions()
    shown = os.fspath(path)
    real = os.path.realpath(shown)
    original = _check_writable(real, shown)

    def change_copy(copy: str) -> None:
        rebuild_into(real, backup, copy)

    try:
        _replace_with_changed_copy(real, shown, original, opts, change_copy)
    except TagError:
        raise
    except ValueError as e:
        raise TagError(shown, f"cannot restore the original bytes: {e}") from None
    except OSError as e:
        reason = _ERRNO_REASONS.get(e.errno or 0, e.strerror or str(e))
        raise TagError(shown, f"could not restore the file: {reason}") from None


def temp_name_prefix(real: str) -> str:
    """The hidden temporary name's start for ``real``, short enough for the file system.

    The file name itself may use the whole 255-byte limit; the temporary name adds a dot, the
    marker and mkstemp's 8 random characters, so the original's name is shortened to fit.
    """
    name = os.path.basename(real)
    room = _NAME_MAX - 1 - len(os.fsencode(TEMP_MARKER)) - _MKSTEMP_RANDOM
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return f".{name}{TEMP_MARKER}"


def _replace_with_changed_copy(
    real: str,
    shown: str,
    original: os.stat_result,
    opts: TagOptions,
    change_copy: Callable[[str], None],
) -> None:
    """Copy ``real`` beside itself, let ``change_copy`` change the copy, swap it in atomically."""
    folder = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(prefix=temp_name_prefix(real), dir=folder)
    os.close(fd)
    try:
        _copy_file(real, tmp)
        change_copy(tmp)
        _copy_ownership(tmp, original)
        if opts.keep_mtime:
            os.utime(tmp, ns=(original.st_atime_ns, original.st_mtime_ns))
        _fsync_path(tmp)
        _check_unchanged(real, shown, original)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def cleanup_stale_temp_files(
    folder: str | os.PathLike[str], *, min_age_seconds: float = 0.0
) -> list[str]:
    """Remove ``.name.tagger-tmp-XXXX`` files that a killed run left in ``folder``.

    They are never the user's data: the original is only ever replaced by a finished,
    verified copy. ``min_age_seconds`` spares files young enough to belong to a writer that
    is still running in another process. Returns the paths removed.
    """
    removed: list[str] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if min_age_seconds and now - entry.stat(follow_symlinks=False).st_mtime < (
                min_age_seconds
            ):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(entry.path)
    return removed


# -- steps ---------------------------------------------------------------------------------------


def _format_confidence(shown: str, confidence: float | None) -> str | None:
    if confidence is None:
        return None
    value = float(confidence)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise TagError(shown, f"confidence must be between 0 and 1, not {confidence!r}")
    return f"{value:.4f}"


def _check_writable(real: str, shown: str) -> os.stat_result:
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise TagError(shown, "file not found") from None
    except OSError as e:
        raise TagError(shown, f"cannot stat file: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TagError(shown, "not a regular file")
    # Mode bits, not just access(): root may write anything, but a file someone made
    # read-only is a wish we respect.
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise TagError(shown, "file is read-only")
    if not os.access(real, os.W_OK):
        raise TagError(shown, "no permission to write the file")
    folder = os.path.dirname(real) or "."
    dst = os.stat(folder)
    if not dst.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
        folder, os.W_OK | os.X_OK
    ):
        raise TagError(shown, "folder is read-only (the safe write needs a copy beside the file)")
    return st


def _already_written(
    handler: TagHandler, real: str, wanted: list[str], opts: TagOptions, extras: Extras | None
) -> bool:
    if handler.read(real, opts).genres != wanted:
        return False
    if extras is None:
        return True
    present = {k: v for k, v in extras.items() if v is not None}
    return handler.extras(real) == present


def _verify(
    handler: TagHandler,
    shown: str,
    tmp: str,
    wanted: list[str],
    opts: TagOptions,
    extras: Extras | None,
    before_fields: dict[str, str],
    before_audio: str | None,
) -> None:
    got = handler.read(tmp, opts).genres
    if got != wanted:
        raise TagError(shown, f"verification failed: genres read back as {got}, not {wanted}")
    if extras is not None:
        present = {k: v for k, v in extras.items() if v is not None}
        got_extras = handler.extras(tmp)
        if got_extras != present:
            raise TagError(shown, f"verification failed: extra fields read back as {got_extras}")
    after_fields = handler.snapshot(tmp)
    if after_fields != before_fields:
        changed = sorted(
            k
            for k in before_fields.keys() | after_fields.keys()
            if before_fields.get(k) != after_fields.get(k)
        )
        raise TagError(shown, f"verification failed: the write would also change {changed}")
    if before_audio is not None and audio_packet_digest(tmp) != before_audio:
        raise TagError(shown, "verification failed: the audio data would change")


def _copy_file(src: str, dst: str) -> None:
    shutil.copyfile(src, dst)


def _copy_ownership(tmp: str, original: os.stat_result) -> None:
    os.chmod(tmp, stat.S_IMODE(original.st_mode))
    if hasattr(os, "chown"):
        # Only root (or the owner, to a group it is in) may do this; elsewhere the copy is
        # ours already, which is the best an unprivileged user can do.
        with contextlib.suppress(PermissionError):
            os.chown(tmp, original.st_uid, original.st_gid)


def _check_unchanged(real: str, shown: str, original: os.stat_result) -> None:
    try:
        now = os.stat(real)
    except FileNotFoundError:
        raise TagError(shown, "file vanished while writing; nothing was written") from None
    if (now.st_ino, now.st_size, now.st_mtime_ns) != (
        original.st_ino,
        original.st_size,
        original.st_mtime_ns,
    ):
        raise TagError(shown, "file changed on disk while writing; nothing was written")


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows, where directories cannot be opened; the rename is still done
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
