"""APEv2 tags: Monkey's Audio, WavPack, Musepack, OptimFROG, TAK. Multi-values natively.

A file whose main tag is ID3 (an mp3 that also carries an APEv2 tag) is handled by the ID3
handler, which leaves the APEv2 tag byte-identical, as Picard does.
"""

from __future__ import annotations

from typing import ClassVar

from mutagen.apev2 import APEv2File
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.musepack import Musepack
from mutagen.optimfrog import OptimFROG
from mutagen.tak import TAK
from mutagen.wavpack import WavPack

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

_SKIP = {"genre", EXTRA_CONFIDENCE.lower(), EXTRA_MODEL.lower()}


class APEv2Handler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (
        MonkeysAudio,
        WavPack,
        Musepack,
        OptimFROG,
        TAK,
        APEv2File,
    )
    family = "apev2"
    genre_key = "Genre"

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self.file_type(path).tags
        if tags is None:
            return TrackTags(None, None, None, None, [], self.family)

        def first(key: str) -> str | None:
            return first_of(tags.get(key))

        return TrackTags(
            title=first("Title"),
            artist=first("Artist"),
            album=first("Album"),
            year=parse_year(first("Year")),
            genres=texts(tags.get("Genre")),
            format=self.family,
        )

    def snapshot(self, path: str) -> dict[str, str]:
        tags = self.file_type(path).tags
        if tags is None:
            return {}
        return {
            f"ape:{key.lower()}": stable_digest((value.kind, bytes(value)))
            for key, value in tags.items()
            if key.lower() not in _SKIP
        }

    def extra_item(self, value: str) -> object:
        return value
