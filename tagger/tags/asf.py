"""ASF (WMA): ``WM/Genre``, one attribute per value."""

from __future__ import annotations

from typing import ClassVar

from mutagen.asf import ASF

from .field_table import FieldTable, MappingTagHandler

ASF_FIELDS = FieldTable(
    title=("Title",),
    artist=("Author", "WM/AlbumArtist"),
    album=("WM/AlbumTitle",),
    year=("WM/Year",),
    genre="WM/Genre",
)


class ASFHandler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (ASF,)
    family = "asf"
    table = ASF_FIELDS

    def value_digest(self, values: object) -> object:
        attrs = values if isinstance(values, list) else [values]
        return [
            (type(a).__name__, a.value, getattr(a, "language", None), getattr(a, "stream", None))
            for a in attrs
        ]
