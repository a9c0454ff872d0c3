"""Each tag family's fields as data, and the handler that the mapping families share.

Like Picard's ``formats/`` translation tables and beets' mediafile storage styles, a
`FieldTable` says where a family keeps the title, artist, album, year, the genre and the MHT_*
fields. Reading, the snapshot that proves nothing else changed, and clearing on write are all
driven by it, so a family is described once instead of in the keys of each method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .base import (
    EXTRA_CONFIDENCE,
    EXTRA_MODEL,
    Extras,
    TagHandler,
    TagOptions,
    TrackTags,
    first_text,
    parse_year,
    stable_digest,
    texts,
)


@dataclass(frozen=True)
class FieldTable:
    """Where one tag family stores each field; several keys are tried in order."""

    title: tuple[str, ...]
    artist: tuple[str, ...]
    album: tuple[str, ...]
    year: tuple[str, ...]
    genre: str
    # MHT_* field name → the key it is stored under.
    extras: Mapping[str, str] = field(
        default_factory=lambda: {EXTRA_CONFIDENCE: EXTRA_CONFIDENCE, EXTRA_MODEL: EXTRA_MODEL}
    )
    # Older genre fields removed when the genre is written (two that disagree would be worse).
    legacy_genres: tuple[str, ...] = ()
    # Vorbis and APEv2 keys are case-insensitive.
    fold_case: bool = False

    def key(self, name: str) -> str:
        return name.casefold() if self.fold_case else name

    def written_keys(self) -> frozenset[str]:
        """The keys a genre write may change; the snapshot leaves them out."""
        keys = (self.genre, *self.legacy_genres, *self.extras.values())
        return frozenset(self.key(k) for k in keys)

    def first(self, tags: Any, keys: tuple[str, ...]) -> str | None:
        for key in keys:
            value = first_text(tags.get(key))
            if value:
                return value
        return None

    def read(self, tags: Any, family: str) -> TrackTags:
        """The fields a tag mapping (or an ID3 tag, keyed by frame id) holds."""
        return TrackTags(
            title=self.first(tags, self.title),
            artist=self.first(tags, self.artist),
            album=self.first(tags, self.album),
            year=parse_year(self.first(tags, self.year)),
            genres=texts(tags.get(self.genre)),
            format=family,
        )


class MappingTagHandler(TagHandler):
    """A family whose tags map a field name to a list of values (Vorbis, MP4, APEv2, ASF)."""

    table: FieldTable

    def __init__(self, file_type: type) -> None:
        self.file_type = file_type

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self.file_type(path).tags
        if tags is None:
            return TrackTags(None, None, None, None, [], self.family)
        mark = self.extra_value(tags.get(self.table.extras[EXTRA_MODEL]))
        return replace(self.table.read(tags, self.family), model_mark=mark or None)

    def snapshot(self, path: str) -> dict[str, str]:
        tags = self.file_type(path).tags
        if tags is None:
            return {}
        skip = self.table.written_keys()
        # ASF lists a key once per attribute, so values are gathered per key first.
        grouped: dict[str, list[object]] = {}
        for key, values in tags.items():
            if self.table.key(key) not in skip:
                grouped.setdefault(self.table.key(key), []).append(self.value_digest(values))
        return {f"{self.family}:{k}": stable_digest(v) for k, v in grouped.items()}

    def value_digest(self, values: object) -> object:
        """What of a stored value must stay equal (its bytes and its type information)."""
        return values

    def extra_item(self, value: str) -> object:
        """An MHT_* value as this family stores it."""
        return [value]

    def extra_value(self, values: object) -> str | None:
        return first_text(values)

    def set_genres(
        self, path: str, genres: list[str], options: TagOptions, extras: Extras | None
    ) -> None:
        f = self.file_type(path)
        if f.tags is None:
            f.add_tags()
        tags = f.tags
        for key in self.table.legacy_genres:
            if key in tags:
                del tags[key]
        if genres:
            tags[self.table.genre] = list(genres)
        elif self.table.genre in tags:
            del tags[self.table.genre]
        if extras is not None:
            for name, value in extras.items():
                key = self.table.extras[name]
                if value is not None:
                    tags[key] = self.extra_item(value)
                elif key in tags:
                    del tags[key]
        f.save()

    def extras(self, path: str) -> dict[str, str]:
        tags = self.file_type(path).tags
        out: dict[str, str] = {}
        if tags is not None:
            for name, key in self.table.extras.items():
                value = self.extra_value(tags.get(key))
                if value:
                    out[name] = value
        return out
