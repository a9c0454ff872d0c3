"""The front cover picture of a file, whatever its tag family, as image bytes (or None).

One function rather than a method per handler: reading a picture is the same few mutagen calls
per family, and nothing here ever writes.
"""

from __future__ import annotations

import base64
import os
import struct

from mutagen.apev2 import APEv2, APEValue
from mutagen.asf import ASF
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from .base import TagError
from .registry import detect_type

FRONT_COVER = 3  # the picture type "Cover (front)" in ID3 APIC and FLAC/Vorbis pictures


def read_cover(path: str | os.PathLike[str]) -> bytes | None:
    """The front cover (else the first picture) embedded in ``path``; None if there is none or
    the file cannot be read."""
    p = os.fspath(path)
    try:
        audio = detect_type(p)(p)
    except TagError:
        return None
    except Exception:  # a damaged picture block must never break showing a track
        return None
    tags = getattr(audio, "tags", None)
    try:
        if isinstance(tags, ID3):
            return _best([(f.type, f.data) for f in tags.getall("APIC")])
        if isinstance(audio, FLAC):
            return _best([(pic.type, pic.data) for pic in audio.pictures])
        if isinstance(audio, MP4):
            covers = (tags or {}).get("covr") or []
            return bytes(covers[0]) if covers else None
        if isinstance(audio, ASF):
            return _best([_asf_picture(v.value) for v in (tags or {}).get("WM/Picture", [])])
        if isinstance(tags, APEv2):
            return _ape_cover(tags)
        if tags is not None and hasattr(tags, "get"):  # Vorbis comments (Ogg Vorbis, Opus)
            blocks = tags.get("metadata_block_picture") or []
            pictures = [Picture(base64.b64decode(b)) for b in blocks]
            return _best([(pic.type, pic.data) for pic in pictures])
    except Exception:
        return None
    return None


def _best(pictures: list[tuple[int, bytes]]) -> bytes | None:
    pictures = [(kind, data) for kind, data in pictures if data]
    if not pictures:
        return None
    front = [data for kind, data in pictures if kind == FRONT_COVER]
    return bytes(front[0] if front else pictures[0][1])


def _asf_picture(raw: bytes) -> tuple[int, bytes]:
    """WM/Picture: type (1 byte), size (4), MIME and description (UTF-16, NUL-ended), data."""
    kind, size = struct.unpack_from("<bI", raw)
    pos = 5
    for _ in range(2):  # skip the MIME type and the description
        end = raw.index(b"\x00\x00", pos)
        while (end - pos) % 2:
            end = raw.index(b"\x00\x00", end + 1)
        pos = end + 2
    return kind, raw[pos : pos + size]


def _ape_cover(tags: APEv2) -> bytes | None:
    for key in ("Cover Art (Front)", *[k for k in tags if k.lower().startswith("cover art")]):
        value: APEValue | None = tags.get(key)
        if value is not None:
            data = bytes(value)
            return data.split(b"\x00", 1)[1] if b"\x00" in data else data  # "name\0image"
    return None
