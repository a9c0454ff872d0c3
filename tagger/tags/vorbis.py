"""Vorbis comments: FLAC, Ogg Vorbis, Opus (and Ogg FLAC/Speex). One GENRE field per value."""

from __future__ import annotations

from typing import ClassVar

from mutagen.flac import FLAC, Padding, VCFLACDict
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis

from .base import stable_digest
from .field_table import FieldTable, MappingTagHandler

VORBIS_FIELDS = FieldTable(
    title=("title",),
    artist=("artist",),
    album=("album",),
    year=("date", "year"),
    genre="GENRE",
    fold_case=True,  # Vorbis field names are case-insensitive
)


class VorbisHandler(MappingTagHandler):
    file_types: ClassVar[tuple[type, ...]] = (FLAC, OggVorbis, OggOpus, OggFLAC, OggSpeex)
    family = "vorbis"
    table = VORBIS_FIELDS

    def snapshot(self, path: str) -> dict[str, str]:
        # The vendor string is the encoder's name, not the user's: mutagen keeps it, but a newly
        # added comment block gets mutagen's own, so it is not compared (items() leaves it out).
        out = super().snapshot(path)
        f = self.file_type(path)
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
