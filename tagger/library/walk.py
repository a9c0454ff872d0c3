"""Finding audio files under folders: stat only, nothing is opened.

Copes with what real folders hold:
- symlink loops and folders reachable twice: each real folder (device, inode) is visited once,
  and each real file is reported once;
- folders that cannot be read: reported through `on_error`, the walk goes on;
- an audio name that is not a regular file (a broken link, a link to `/dev/zero`, a FIFO) is
  yielded with its `problem`, never opened (reading a device or a FIFO never ends), so the
  library can show it as that file's error;
- hidden files and folders (a leading dot): skipped; hidden audio files and hidden folders are
  told to `on_hidden`, so a scan can say how many it left out;
- everything whose extension is not an audio extension (`audio/formats.py`): skipped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tagger.audio.formats import AUDIO_EXTENSIONS


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int
    problem: str | None = None  # why this is no audio file to read (then nothing opens it)


def is_audio_name(name: str) -> bool:
    _, dot, ext = name.rpartition(".")
    return bool(dot) and f".{ext.lower()}" in AUDIO_EXTENSIONS


def normalize_root(root: str | Path) -> str:
    """The absolute, symlink-free spelling of a folder, so that one file has one path."""
    return os.path.realpath(os.path.expanduser(str(root)))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def not_a_file(path: str) -> FoundFile:
    """An audio name that is no regular file, with the reason; its link's own size and time."""
    st = os.lstat(path)
    try:
        os.stat(path)
    except OSError:
        return FoundFile(path, st.st_size, st.st_mtime_ns, "broken symbolic link")
    return FoundFile(path, st.st_size, st.st_mtime_ns, "not a regular file")


def walk_audio(
    roots: Iterable[str | Path],
    on_error: Callable[[str, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_hidden: Callable[[str], None] | None = None,
) -> Iterator[FoundFile]:
    """Yield every audio file under `roots` (a root may also be a single file)."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def report(path: str, reason: str) -> None:
        if on_error is not None:
            on_error(path, reason)

    def file_entry(path: str, st: os.stat_result) -> FoundFile | None:
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            return None
        seen_files.add(key)
        return FoundFile(path, st.st_size, st.st_mtime_ns)

    for root in roots:
        top = normalize_root(root)
        try:
            st = os.stat(top)
        except OSError as exc:
            report(top, exc.strerror or str(exc))
            continue
        if not os.path.isdir(top):
            if not is_audio_name(top):
                continue
            found = file_entry(top, st) if stat.S_ISREG(st.st_mode) else not_a_file(top)
            if found:
                yield found
            continue
        stack = [top]
        while stack:
            if cancelled is not None and cancelled():
                return
            folder = stack.pop()
            try:
                key = (os.stat(folder).st_dev, os.stat(folder).st_ino)
                if key in seen_dirs:
                    continue
                seen_dirs.add(key)
                with os.scandir(folder) as entries:
                    items = sorted(entries, key=lambda e: e.name)
            except OSError as exc:
                report(folder, exc.strerror or str(exc))
                continue
            subfolders = []
            for entry in items:
                if entry.name.startswith("."):
                    # A hidden audio file or folder is worth a word; .DS_Store and the like not.
                    if on_hidden is not None and (is_audio_name(entry.name) or _is_dir(entry)):
                        on_hidden(entry.path)
                    continue
                try:
                    if entry.is_dir():  # follows symlinks; loops are cut by seen_dirs
                        subfolders.append(entry.path)
                    elif is_audio_name(entry.name):
                        found = (
                            file_entry(entry.path, entry.stat())
                            if entry.is_file()
                            else not_a_file(entry.path)
                        )
                        if found:
                            yield found
                except OSError as exc:  # a file removed meanwhile, a link loop
                    if is_audio_name(entry.name):
                        yield FoundFile(entry.path, 0, 0, exc.strerror or str(exc))
            stack.extend(reversed(subfolders))
