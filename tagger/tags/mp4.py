"""MP4/M4A atoms: a ``©gen`` list.

A legacy numeric ``gnre`` atom is read (mutagen maps it to its genre name). It is removed only
when the genre is written: mutagen always writes the genre back as ``©gen``, the modern form
that every current player reads, and two genre atoms that disagree would be worse.
"""

from __future__ import annotations

from typing import ClassVar

from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm

from .base import EXTRA_CONFIDENCE, EXTRA_MODEL
from .field_table import FieldTable, MappingTagHandler

FREEFORM = "----:com.apple.iTunes:"

MP4_FIELDS = FieldTable(
    title=("\xa9nam",),
    artist=("\xa9ART",),
    album=("\xa9alb",),
    year=("\xa9day",),
    genre="\xa9gen",
    extras={name: FREEFORM + name for name in (EXTRA_CONFIDENCE, EXTRA_MODEL)},
    legacy_genres=("gnre",),
)


def _value_key(value: object) -> object:
    return (
        type(value).__name__,
        value,
        getattr(value, "imageformat", None),
        getattr(value, "dataformat", None),
        getattr(value, "version", None),
    )


class MP4Handler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (MP4,)
    family = "mp4"
    table = MP4_FIELDS

    def value_digest(self, values: object) -> object:
        if isinstance(values, list):
            return [_value_key(v) for v in values]
        return _value_key(values)

    def extra_value(self, values: object) -> str | None:
        return bytes(values[0]).decode("utf-8", "replace") if values else None  # type: ignore[index]

    def extra_item(self, value: str) -> object:
        return [MP4FreeForm(value.encode("utf-8"), AtomDataType.UTF8)]
