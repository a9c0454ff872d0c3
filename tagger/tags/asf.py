"""ASF (WMA): ``WM/Genre``, one attribute per value."""

from __future__ import annotations

from typing import ClassVar

from mutagen.asf import ASF

from .base import (
    EXTRA_CONFIDENCE,
    EXTRA_MODEL,
    MappingTagHandler,
    TagOptions,
    TrackTags,
    first_of,
    parse_year,
    stable_digest,
    texts,
)

GENRE = "WM/Genre"
_SKIP = {GENRE, EXTRA_CONFIDENCE, EXTRA_MODEL}


class ASFHandler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (ASF,)
    family = "asf"
    genre_key = GENRE

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self.file_type(path).tags
        if tags is None:
            return TrackTags(None, None, None, None, [], self.family)

        def first(key: str) -> str | None:
            return first_of(tags.get(key))

        return TrackTags(
            title=first("Title"),
            artist=first("Author") or first("WM/AlbumArtist"),
            album=first("WM/AlbumTitle"),
            year=parse_year(first("WM/Year")),
            genres=texts(tags.get(GENRE)),
            format=self.family,
        )

    def snapshot(self, path: str) -> dict[str, str]:
        tags = self.file_type(path).tags
        if tags is None:
            return {}
        out: dict[str, list[object]] = {}
        for key, attrs in tags.items():
            if key in _SKIP:
                continue
            for attr in attrs if isinstance(attrs, list) else [attrs]:
                out.setdefault(key, []).append(
                    (
                        type(attr).__name__,
                        attr.value,
                        getattr(attr, "language", None),
                        getattr(attr, "stream", None),
                    )
                )
        return {f"asf:{k}": stable_digest(v) for k, v in out.items()}
