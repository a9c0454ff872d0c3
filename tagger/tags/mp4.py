"""MP4/M4A atoms: a ``©gen`` list.

A legacy numeric ``gnre`` atom is read (mutagen maps it to its genre name). It is removed only
when the genre is written: mutagen always writes the genre back as ``©gen``, the modern form
that every current player reads, and two genre atoms that disagree would be worse.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm

from .base import (
    EXTRA_CONFIDENCE,
    EXTRA_MODEL,
    MappingTagHandler,
    TagOptions,
    TrackTags,
    first_text,
    parse_year,
    stable_digest,
)

GENRE = "\xa9gen"
FREEFORM = "----:com.apple.iTunes:"
_SKIP = {GENRE, "gnre", FREEFORM + EXTRA_CONFIDENCE, FREEFORM + EXTRA_MODEL}


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
    genre_key = GENRE

    def extra_key(self, name: str) -> str:
        return FREEFORM + name

    def extra_value(self, values: object) -> str | None:
        return bytes(values[0]).decode("utf-8", "replace") if values else None  # type: ignore[index]

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self.file_type(path).tags
        if tags is None:
            return TrackTags(None, None, None, None, [], self.family)
        return TrackTags(
            title=first_text(tags.get("\xa9nam")),
            artist=first_text(tags.get("\xa9ART")),
            album=first_text(tags.get("\xa9alb")),
            year=parse_year(first_text(tags.get("\xa9day"))),
            genres=[str(g).strip() for g in tags.get(GENRE, []) if str(g).strip()],
            format=self.family,
        )

    def snapshot(self, path: str) -> dict[str, str]:
        tags = self.file_type(path).tags
        if tags is None:
            return {}
        return {
            f"mp4:{key}": stable_digest([_value_key(v) for v in values])
            if isinstance(values, list)
            else stable_digest(_value_key(values))
            for key, values in tags.items()
            if key not in _SKIP
        }

    def extra_item(self, value: str) -> object:
        return [MP4FreeForm(value.encode("utf-8"), AtomDataType.UTF8)]

    def clear_legacy_genre(self, tags: Any) -> None:
        if "gnre" in tags:
            del tags["gnre"]
