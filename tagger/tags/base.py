"""The one interface every tag family implements, and the plain values it trades in.

The rest of the program sees ``genres: list[str]`` and these dataclasses; only the handler
modules (one per tag family, as in Picard's ``formats/``) know about frames, atoms or keys.
"""

from __future__ import annotations

import abc
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mutagen import FileType

EXTRA_CONFIDENCE = "MHT_CONFIDENCE"
EXTRA_MODEL = "MHT_MODEL"


class TagError(Exception):
    """A file's tags could not be read or written. The file itself was left as it was."""

    def __init__(self, path: str | object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))


@dataclass(frozen=True)
class TrackTags:
    title: str | None
    artist: str | None
    album: str | None
    year: int | None
    genres: list[str] = field(default_factory=list)
    # The tag family found in the file, e.g. "id3v2.3", "id3v2.4", "id3v1", "vorbis", "mp4",
    # "apev2", "asf"; a file that has no tag yet gets its family's bare name ("id3").
    format: str = ""
    # MHT_MODEL, when the file carries it: this program wrote a model's label as its genre
    # (`tagger tag --extra-fields`), so that genre is a guess, not the user's knowledge.
    model_mark: str | None = None


@dataclass(frozen=True)
class TagOptions:
    # Joins several genres inside one ID3v2.3 TCON string. Reading splits on this separator
    # with surrounding spaces trimmed (so "; " also accepts ";"), and on nothing else, so that a
    # genre such as "Drum/Bass" survives.
    id3v23_separator: str = "; "
    # Also write MHT_CONFIDENCE / MHT_MODEL next to the genre.
    extra_fields: bool = False
    # Give the rewritten file the original's access and modification times.
    keep_mtime: bool = False


@dataclass(frozen=True)
class Extras:
    """The optional fields written with a genre. ``None`` removes a field that is there."""

    confidence: str | None
    model: str | None

    def items(self) -> list[tuple[str, str | None]]:
        return [(EXTRA_CONFIDENCE, self.confidence), (EXTRA_MODEL, self.model)]


def split_joined(value: str, separator: str) -> list[str]:
    """Split one stored string on ``separator`` (its non-space core), trimming each part."""
    core = separator.strip() or separator
    parts = [value] if not core else value.split(core)
    return [p.strip() for p in parts if p.strip()]


def normalize_genres(genres: list[str]) -> list[str]:
    """Trim, drop empties and drop case-insensitive duplicates, keeping the first spelling."""
    out: list[str] = []
    seen: set[str] = set()
    for g in genres:
        if not isinstance(g, str):
            raise TypeError(f"genre must be str, not {type(g).__name__}")
        g = g.strip()
        key = g.casefold()
        if g and key not in seen:
            seen.add(key)
            out.append(g)
    return out


# A year of the second millennium or the third, not glued to a longer number before it
# ("2004", "2004-12-31", "20041231", "(P) 1994 Label"; not "0000" or "987").
_YEAR = re.compile(r"(?<!\d)([12]\d{3})")


def parse_year(value: object) -> int | None:
    """The year a date tag names, or None. The one year parser of the program."""
    if value is None:
        return None
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


def texts(values: object) -> list[str]:
    """The non-empty, stripped strings of a tag value: None, a str, a list or a frame."""
    if values is None:
        return []
    if isinstance(values, str):
        return [values.strip()] if values.strip() else []
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        items = [values]
    return [str(v).strip() for v in items if str(v).strip()]


def first_text(values: object) -> str | None:
    """The first of ``texts(values)``, or None."""
    found = texts(values)
    return found[0] if found else None


def stable_digest(value: object) -> str:
    """A digest of a tag value that is equal exactly when the stored value is equal.

    Used to prove that everything except the genre is unchanged after a write, without
    holding cover art twice as text.
    """
    h = hashlib.sha256()

    def feed(v: object) -> None:
        h.update(type(v).__name__.encode())
        if isinstance(v, bytes | bytearray | memoryview):
            b = bytes(v)
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)
        elif isinstance(v, str):
            b = v.encode("utf-8", "surrogatepass")
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)
        elif isinstance(v, list | tuple):
            h.update(len(v).to_bytes(8, "little"))
            for item in v:
                feed(item)
        else:
            feed(repr(v))

    feed(value)
    return h.hexdigest()


class TagHandler(abc.ABC):
    """One tag family (ID3, Vorbis comments, MP4 atoms, APEv2, ASF)."""

    #: The mutagen file types this handler owns.
    file_types: ClassVar[tuple[type[FileType], ...]] = ()
    #: Short name of the family, used in ``TrackTags.format``.
    family: ClassVar[str] = ""

    @abc.abstractmethod
    def read(self, path: str, options: TagOptions) -> TrackTags:
        """Title, artist, album, year and genres as the file holds them."""

    def genres(self, path: str, options: TagOptions) -> list[str]:
        return self.read(path, options).genres

    @abc.abstractmethod
    def set_genres(
        self, path: str, genres: list[str], options: TagOptions, extras: Extras | None
    ) -> None:
        """Write exactly ``genres`` (and ``extras`` when given) into ``path``, in place.

        Only ever called on the writer's private temporary copy.
        """

    @abc.abstractmethod
    def extras(self, path: str) -> dict[str, str]:
        """The MHT_* fields that are present."""

    @abc.abstractmethod
    def snapshot(self, path: str) -> dict[str, str]:
        """A digest per tag field other than the genre and the MHT_* fields.

        The writer compares this before and after, so a write that touched anything else is
        refused.
        """

    def check_writable_genres(self, path: str, genres: list[str], options: TagOptions) -> None:  # noqa: B027
        """Raise ValueError when ``genres`` cannot be stored faithfully in this family."""
