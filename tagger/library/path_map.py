"""Library roots mapped per host: shared storage mounted at different points on different hosts.

The library stores each file under one spelling (the *library path*); a host that mounts the
same storage elsewhere says where, in `TAGGER_PATH_MAP`:

    TAGGER_PATH_MAP="/mnt/a=/srv/music;/Volumes/music=/srv/other"

Each `LOCAL=LIBRARY` entry means "what the library calls LIBRARY/... is LOCAL/... here".
Entries are separated by `;` (paths may hold `:`); the longest matching prefix wins, matched on
whole path components. The scanner stores library paths; whatever opens a file asks `to_local`
first (through `Library.paths`; the Ray decode tasks through their own host's map). With no map,
both directions are the identity. A LOCAL that is a symbolic link also matches its real path in
`to_library`, because the scanner and the commands resolve the links of the folders they are
given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PATH_MAP_ENV = "TAGGER_PATH_MAP"


class PathMapError(ValueError):
    """A TAGGER_PATH_MAP entry that is not LOCAL=LIBRARY with two absolute paths."""


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _swap(path: str, old: str, new: str) -> str:
    rest = path[len(old.rstrip("/")) :]
    return new.rstrip("/") + rest if new != "/" or rest else new


@dataclass(frozen=True)
class PathMap:
    entries: tuple[tuple[str, str], ...] = ()  # (local, library)
    resolved: tuple[tuple[str, str], ...] = ()  # (real path of a linked local, library)

    @classmethod
    def parse(cls, text: str) -> PathMap:
        entries = []
        for item in filter(None, (part.strip() for part in text.split(";"))):
            local, sep, library = item.partition("=")
            if not sep or not os.path.isabs(local) or not os.path.isabs(library):
                raise PathMapError(
                    f"{PATH_MAP_ENV}: {item!r} is not LOCAL=LIBRARY with two absolute paths"
                )
            entries.append((os.path.normpath(local), os.path.normpath(library)))
        resolved = [(os.path.realpath(lo), li) for lo, li in entries if os.path.realpath(lo) != lo]
        return cls(tuple(entries), tuple(resolved))

    @classmethod
    def from_env(cls) -> PathMap:
        return cls.parse(os.environ.get(PATH_MAP_ENV, ""))

    def to_local(self, library_path: str) -> str:
        return self._translate(library_path, source=1, target=0)

    def to_library(self, local_path: str) -> str:
        return self._translate(local_path, source=0, target=1, extra=self.resolved)

    def _translate(
        self, path: str, source: int, target: int, extra: tuple[tuple[str, str], ...] = ()
    ) -> str:
        matches = [e for e in (*self.entries, *extra) if _under(path, e[source])]
        if not matches:
            return path
        best = max(matches, key=lambda e: len(e[source]))
        return _swap(path, best[source], best[target])
