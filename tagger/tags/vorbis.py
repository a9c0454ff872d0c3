"""Vorbis comments: FLAC, Ogg Vorbis, Opus (and Ogg FLAC/Speex). One GENRE field per value."""

from __future__ import annotations

from typing import ClassVar

from mutagen.flac import FLAC, Padding, VCFLACDict
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis

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

_SKIP = {"genre", EXTRA_CONFIDENCE.lower(), EXTRA_MODEL.lower()}


class VorbisHandler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (FLAC, OggVorbis, OggOpus, OggFLAC, OggSpeex)
    family = "vorbis"
    genre_key = "GENRE"  # Vorbis field names are case-insensitive

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self.file_type(path).tags
        if tags is None:
            return TrackTags(None, None, None, None, [], self.family)
        return TrackTags(
            title=first_text(tags.get("title")),
            artist=first_text(tags.get("artist")),
            album=first_text(tags.get("album")),
            year=parse_year(first_text(tags.get("date")) or first_text(tags.get("year"))),
            genres=[g.strip() for g in tags.get("genre", []) if g.strip()],
            format=self.family,
        )

    def snapshot(self, path: str) -> dict[str, str]:
        f = self.file_type(path)
        out: dict[str, str] = {}
        if f.tags is not None:
            # The vendor string is the encoder's name, not the user's: mutagen keeps it, but a
            # newly added comment block gets mutagen's own, so it is not compared.
            fields = [(k.lower(), v) for k, v in f.tags if k.lower() not in _SKIP]
            if fields:
                out["vorbis:fields"] = stable_digest(fields)
        if isinstance(f, FLAC):
            # Pictures, seek table, cue sheet, application blocks: everything but the comment
            # block we edit and the padding mutagen may resize.
            blocks = [
                (b.code, b.write())
                for b in f.metadata_blocks
                if not isinstance(b, Padding | VCFLACDict)
            ]
            out["flac:blocks"] = stable_digest(blocks)
        return out
