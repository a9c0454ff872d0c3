"""The schema revisions this tagger knows, read from the migration files without Alembic.

Opening a library only has to compare its stamped revision with the newest one; importing
Alembic for that costs more than the whole of `tagger list`. The files under
`migrations/versions/` stay the one owner of the revision graph: this reads their
`revision = "..."` and `down_revision = "..."` lines, and Alembic itself (imported only when a
library must be upgraded) is the judge whenever the graph is not one plain chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).with_name("migrations") / "versions"

# A module-level assignment of a quoted string (or None), as Alembic's template writes them.
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(?:['\"]([^'\"]+)['\"]|(None))\s*$", re.MULTILINE
)


@dataclass(frozen=True)
class Revisions:
    known: frozenset[str]
    head: str | None  # None when the files do not form one chain: ask Alembic


@cache
def revisions() -> Revisions:
    parents: dict[str, str | None] = {}
    chain = True
    for path in sorted(VERSIONS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        found = {m[1]: m[2] or None for m in _ASSIGNMENT.finditer(path.read_text("utf-8"))}
        if "revision" not in found or "down_revision" not in found:
            chain = False  # e.g. a merge revision's tuple: not read here
            continue
        parents[found["revision"]] = found["down_revision"]
    heads = set(parents) - set(parents.values())
    head = next(iter(heads)) if chain and len(heads) == 1 else None
    return Revisions(frozenset(parents), head)
