"""ID3 (mp3, wav, aiff, and the other ID3-carrying types): v2.2/2.3/2.4 and the v1 genre byte.

Reading understands the numeric genre forms ``(9)``, ``(138)Foo``, ``9``, ``(RX)``/``(CR)`` (via
mutagen's ``TCON.genres``) and an ID3v1-only file. Writing keeps the file's ID3v2 version: a v2.3
tag gets one string joined by the configured separator, a v2.4 tag real multiple values. An ID3v1
tag is never added; an existing one gets the nearest v1 genre and keeps every other byte.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from mutagen.aiff import AIFF
from mutagen.apev2 import APENoHeaderError, APEv2
from mutagen.dsdiff import DSDIFF
from mutagen.dsf import DSF
from mutagen.id3 import ID3, TCON, TXXX, Encoding, ID3FileType, ID3NoHeaderError
from mutagen.id3._id3v1 import find_id3v1
from mutagen.mp3 import MP3
from mutagen.trueaudio import TrueAudio
from mutagen.wave import WAVE

from .base import (
    EXTRA_CONFIDENCE,
    EXTRA_MODEL,
    Extras,
    TagHandler,
    TagOptions,
    TrackTags,
    first_text,
    split_joined,
    stable_digest,
)
from .field_table import FieldTable

# Frame ids; the genre's numeric forms and v2.3 joining are handled by the code below.
ID3_FIELDS = FieldTable(
    title=("TIT2",),
    artist=("TPE1",),
    album=("TALB",),
    year=("TDRC", "TYER"),
    genre="TCON",
    extras={name: f"TXXX:{name}" for name in (EXTRA_CONFIDENCE, EXTRA_MODEL)},
)

ID3V1_GENRES: list[str] = list(TCON.GENRES)
ID3V1_NO_GENRE = 255
_OTHER = ID3V1_GENRES.index("Other")
_CHUNK_TYPES = (AIFF, WAVE, DSF, DSDIFF)  # the ID3 tag lives in a chunk; no ID3v1 there


def nearest_id3v1_genre(genres: list[str]) -> int:
    """The ID3v1 genre byte that best stands for ``genres``.

    The first genre that names a v1 genre exactly (case-insensitive) wins; otherwise the first
    genre that contains a v1 genre as whole words, taking the longest such name ("Melodic Death
    Metal" -> "Death Metal", "Hardcore Punk" -> "Hardcore" (129)); otherwise the longest v1 name
    (4+ letters) inside a genre ("Metalcore" -> "Metal"); otherwise "Other" (12).
    No genres at all -> 255, the "no genre" byte.
    """
    if not genres:
        return ID3V1_NO_GENRE
    lowered = [g.casefold() for g in ID3V1_GENRES]
    for g in genres:
        if g.casefold() in lowered:
            return lowered.index(g.casefold())
    for g in genres:
        words = g.casefold()
        best: int | None = None
        for i, name in enumerate(lowered):
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", words) and (
                best is None or len(name) > len(lowered[best])
            ):
                best = i
        if best is not None:
            return best
    for g in genres:
        # Compound names: "Metalcore" -> "Metal". Short names are too likely to be accidents.
        hits = [i for i, name in enumerate(lowered) if len(name) >= 4 and name in g.casefold()]
        if hits:
            return max(hits, key=lambda i: len(lowered[i]))
    return _OTHER


class ID3Handler(TagHandler):
    file_types: ClassVar[tuple[type, ...]] = (
        MP3,
        TrueAudio,
        AIFF,
        WAVE,
        DSF,
        DSDIFF,
        ID3FileType,
    )
    family = "id3"

    def __init__(self, file_type: type) -> None:
        self.file_type = file_type

    # -- loading -------------------------------------------------------------------------------

    def _is_chunk_type(self) -> bool:
        return issubclass(self.file_type, _CHUNK_TYPES)

    def _load(self, path: str, *, with_v1: bool, raw: bool = False) -> ID3 | None:
        """The file's ID3v2 tag (None when it has none). ``with_v1`` folds an ID3v1 tag in.

        ``raw`` keeps the frames exactly as stored. mutagen's default translation to v2.4 and
        back is lossy (a Latin-1 TYER comes back as UTF-16, "PNG" mimes are rewritten), so
        writing works on raw frames and the writer saves the tag in its own version. Only
        v2.2, whose frame ids mutagen cannot write, is translated (it becomes v2.3).
        """
        translate = not raw
        if raw and self._peek_major_version(path) == 2:
            translate = True
        if self._is_chunk_type():
            return self.file_type(path, translate=translate).tags
        try:
            return ID3(path, load_v1=with_v1, translate=translate)
        except ID3NoHeaderError:
            return None

    def _peek_major_version(self, path: str) -> int | None:
        if not self._is_chunk_type():
            # The version is byte 3 of the header at the start: no need to parse the tag.
            with open(path, "rb") as f:
                header = f.read(4)
            return header[3] if len(header) == 4 and header[:3] == b"ID3" else None
        tags = self._load(path, with_v1=False)
        return None if tags is None else tags.version[1]

    # -- reading -------------------------------------------------------------------------------

    def read(self, path: str, options: TagOptions) -> TrackTags:
        tags = self._load(path, with_v1=True)
        if tags is None:
            return TrackTags(None, None, None, None, [], "id3")
        # mutagen reports a v1-only tag as translated to v2.4; only the missing header tells.
        v1_only = not self._is_chunk_type() and getattr(tags, "_header", True) is None
        fmt = "id3v1" if v1_only else f"id3v2.{tags.version[1]}"
        fields = ID3_FIELDS.read(tags, fmt)
        mark = first_text(tags.get(ID3_FIELDS.extras[EXTRA_MODEL]))
        return replace(fields, genres=self._genres_of(tags, options), model_mark=mark)

    @staticmethod
    def _genres_of(tags: ID3, options: TagOptions) -> list[str]:
        frame = tags.get("TCON")
        if frame is None:
            return []
        values = [str(g) for g in frame.genres]
        if tags.version[:2] >= (2, 4):
            return [v.strip() for v in values if v.strip()]
        out: list[str] = []
        for v in values:
            out.extend(split_joined(v, options.id3v23_separator))
        return out

    def extras(self, path: str) -> dict[str, str]:
        tags = self._load(path, with_v1=False, raw=True)
        out: dict[str, str] = {}
        if tags is not None:
            for name, key in ID3_FIELDS.extras.items():
                frame = tags.get(key)
                if frame is not None:
                    out[name] = str(frame.text[0]) if frame.text else ""
        return out

    def snapshot(self, path: str) -> dict[str, str]:
        tags = self._load(path, with_v1=False, raw=True)
        out: dict[str, str] = {}
        if tags is not None:
            skip = ID3_FIELDS.written_keys()
            for key, frame in tags.items():
                if key in skip:
                    continue
                out[f"id3:{key}"] = stable_digest(_frame_bytes(frame))
            unknown = list(getattr(tags, "unknown_frames", []))
            if unknown:
                out["id3:unknown"] = stable_digest(unknown)
        if not self._is_chunk_type():
            block = _read_v1_block(path)
            if block is not None:
                out["id3v1"] = stable_digest(block[:-1])
            try:
                ape = APEv2(path)
            except (APENoHeaderError, OSError):
                pass
            else:
                out["apev2"] = stable_digest(sorted((k, bytes(v)) for k, v in ape.items()))
        return out

    # -- writing -------------------------------------------------------------------------------

    def check_writable_genres(self, path: str, genres: list[str], options: TagOptions) -> None:
        for g in genres:
            if g.isdigit() or g in ("RX", "CR"):
                raise ValueError(f"genre {g!r} would read back as an ID3v1 genre code")
        tags = self._load(path, with_v1=False, raw=True)
        if _target_version(tags) == 3:
            core = options.id3v23_separator.strip() or options.id3v23_separator
            for g in genres:
                if core and core in g:
                    raise ValueError(
                        f"genre {g!r} contains the ID3v2.3 separator {options.id3v23_separator!r}"
                    )

    def set_genres(
        self, path: str, genres: list[str], options: TagOptions, extras: Extras | None
    ) -> None:
        if self._is_chunk_type():
            f = self.file_type(path, translate=self._peek_major_version(path) == 2)
            if f.tags is None:
                f.add_tags()
            tags = f.tags
        else:
            tags = self._load(path, with_v1=False, raw=True)
            if tags is None:
                tags = ID3()
        version = _target_version(tags)
        translated_from_v22 = tags.version[:2] == (2, 2)
        v1_block = None if self._is_chunk_type() else _read_v1_block(path)

        tags.delall("TCON")
        if genres:
            escaped = [_escape(g) for g in genres]
            if version == 4:
                tags.add(TCON(encoding=Encoding.UTF8, text=escaped))
            else:
                joined = options.id3v23_separator.join(genres)
                tags.add(TCON(encoding=_v23_encoding([joined]), text=[_escape(joined)]))
        if extras is not None:
            for name, value in extras.items():
                tags.delall(f"TXXX:{name}")
                if value is not None:
                    enc = Encoding.UTF8 if version == 4 else _v23_encoding([value])
                    tags.add(TXXX(encoding=enc, desc=name, text=[value]))

        if translated_from_v22:
            tags.update_to_v23()
        # v23_sep=None: other multi-valued frames keep their null-separated values as loaded.
        if self._is_chunk_type():
            tags.save(path, v2_version=version, v23_sep=None)
        else:
            tags.save(path, v1=1, v2_version=version, v23_sep=None)
            if v1_block is not None:
                _patch_v1_genre(path, v1_block, nearest_id3v1_genre(genres))


def _target_version(tags: ID3 | None) -> int:
    """Keep the tag's version; v2.2 (which mutagen cannot write) becomes v2.3, no tag v2.4."""
    if tags is None or tags.version[0] != 2 or tags.version[1] >= 4:
        return 4
    return 3


def _escape(genre: str) -> str:
    # A leading "(" would be read as a numeric reference; ID3 escapes it by doubling.
    return "(" + genre if genre.startswith("(") else genre


def _v23_encoding(values: list[str]) -> Encoding:
    try:
        for v in values:
            v.encode("latin-1")
    except UnicodeEncodeError:
        return Encoding.UTF16
    return Encoding.LATIN1


def _frame_bytes(frame: Any) -> bytes:
    write = getattr(frame, "_writeData", None)
    if write is None:
        return repr(frame).encode()
    return bytes(write())


def _read_v1_block(path: str) -> bytes | None:
    with open(path, "rb") as f:
        tag, offset = find_id3v1(f)
        if tag is None or offset != -128:
            return None
        f.seek(offset, 2)
        block = f.read(128)
    return block if len(block) == 128 and block[:3] == b"TAG" else None


def _patch_v1_genre(path: str, original_block: bytes, genre: int) -> None:
    """Put the original ID3v1 bytes back with only the genre byte changed.

    mutagen rebuilds the whole v1 tag from the v2 frames, which would overwrite a v1 title or
    comment that differs from the v2 one; the user's v1 fields are theirs.
    """
    with open(path, "r+b") as f:
        tag, offset = find_id3v1(f)
        if tag is None or offset != -128:
            raise OSError("ID3v1 tag vanished while saving")
        f.seek(offset, 2)
        f.write(original_block[:-1] + bytes([genre]))
