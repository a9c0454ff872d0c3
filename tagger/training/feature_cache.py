"""A disk cache of the log-Mel windows of labeled tracks, so that retraining skips decoding.

Decoding and the front end are most of a training run's cost on a small machine (every labeled
track is read once per run); the windows themselves never change while the file and the front end
stay the same. So they are kept on disk under the user cache folder:

- keyed by the file's content fingerprint plus the front-end config (a moved or retagged file
  still hits; a different front end never reuses another's windows);
- bounded: least recently used entries are removed once the folder holds more than `max_bytes`
  (a hit refreshes an entry's modification time, which is what "recently used" reads);
- safe to delete at any time: every entry is written to a temporary name and renamed into place,
  and an entry that cannot be read (a crash before the rename, a full disk, a bad sector) is
  removed and reported as a miss, so it is simply computed again.

An entry is a few named arrays (one .npz file, no pickles); what they mean is the caller's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from tagger import APP_NAME

CACHE_ENV = "TAGGER_FEATURE_CACHE"
DEFAULT_MAX_BYTES = 8 * 1024**3  # ~2,000 tracks of 60 float16 windows (~4 MB each)
FORMAT_VERSION = 1
SUFFIX = ".npz"
PARTIAL = ".part"  # a write in progress, or one a crash interrupted


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "features"


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int


class FeatureCache:
    def __init__(self, folder: str | Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        if max_bytes <= 0:
            raise ValueError("the feature cache needs a positive size limit")
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self._written_since_trim = 0

    @staticmethod
    def key(fingerprint: str, front_end: Mapping[str, Any]) -> str:
        text = json.dumps(
            {"v": FORMAT_VERSION, "fingerprint": fingerprint, "front_end": dict(front_end)},
            sort_keys=True,
        )
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def __contains__(self, key: str) -> bool:
        return self._file(key).is_file()

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        """The arrays stored under `key`, or None (absent, or unreadable and now removed)."""
        file = self._file(key)
        try:
            with np.load(file, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            _remove(file)
            return None
        with contextlib.suppress(OSError):  # a concurrent trim may have removed it
            os.utime(file)  # recency for the LRU
        return arrays

    def put(self, key: str, arrays: Mapping[str, np.ndarray]) -> None:
        """Store atomically; a failure to write (full disk, read-only folder) is not an error."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=PARTIAL, dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, **arrays)
                os.replace(tmp, self._file(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self._written_since_trim += sum(a.nbytes for a in arrays.values())
        if self._written_since_trim > self.max_bytes // 16:
            self.trim()

    def _entries(self, suffixes: tuple[str, ...] = (SUFFIX,)) -> list[os.DirEntry]:
        try:
            with os.scandir(self.folder) as it:
                return [e for e in it if e.name.endswith(suffixes) and e.is_file()]
        except FileNotFoundError:
            return []

    def stats(self) -> CacheStats:
        entries = self._entries()
        return CacheStats(len(entries), sum(_size(e) for e in entries))

    def trim(self) -> int:
        """Remove the least recently used entries until the cache fits; returns bytes freed."""
        self._written_since_trim = 0
        entries = []
        for e in self._entries():
            try:
                st = e.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime_ns, st.st_size, Path(e.path)))
        total = sum(size for _, size, _ in entries)
        freed = 0
        for _, size, path in sorted(entries):
            if total - freed <= self.max_bytes:
                break
            _remove(path)
            freed += size
        return freed

    def clear(self) -> int:
        """Remove every entry (and leftovers of interrupted writes); returns bytes freed."""
        freed = 0
        for e in self._entries((SUFFIX, PARTIAL)):
            freed += _size(e)
            _remove(Path(e.path))
        return freed


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except FileNotFoundError:
        return 0


def _remove(path: Path) -> None:
    # Another process's trim, or a read-only folder: a stale entry is harmless.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
