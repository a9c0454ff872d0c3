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

from .field_table import FieldTable, MappingTagHandler

APEV2_FIELDS = FieldTable(
    title=("Title",),
    artist=("Artist",),
    album=("Album",),
    year=("Year",),
    genre="Genre",
    fold_case=True,
)


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
    table = APEV2_FIELDS

    def value_digest(self, values: object) -> object:
        return (values.kind, bytes(values))  # type: ignore[attr-defined]

    def extra_item(self, value: str) -> object:
        return value
