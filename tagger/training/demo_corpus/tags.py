"""Tag the rendered files with mutagen: one small writer per tag family.

The fields are the ones a real collection has: title, artist, album, date, genre (sometimes
missing) and track number. An empty genre is left out entirely rather than written empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK
from mutagen.mp4 import MP4
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE


@dataclass(frozen=True)
class TrackTags:
    title: str
    artist: str
    album: str
    year: int
    genre: str  # "" = no genre tag
    track_number: int


def _id3(tags: TrackTags) -> ID3:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TDRC(encoding=3, text=str(tags.year)))
    id3.add(TRCK(encoding=3, text=str(tags.track_number)))
    if tags.genre:
        id3.add(TCON(encoding=3, text=tags.genre))
    return id3


def _write_mp3(path: Path, tags: TrackTags) -> None:
    _id3(tags).save(str(path), v2_version=4)


def _write_wav(path: Path, tags: TrackTags) -> None:
    audio = WAVE(str(path))
    audio.add_tags()
    for frame in _id3(tags).values():
        audio.tags.add(frame)
    audio.save()


def _vorbis_fields(tags: TrackTags) -> dict[str, str]:
    fields = {
        "title": tags.title,
        "artist": tags.artist,
        "album": tags.album,
        "date": str(tags.year),
        "tracknumber": str(tags.track_number),
    }
    if tags.genre:
        fields["genre"] = tags.genre
    return fields


def _write_vorbis(cls: type) -> callable:
    def write(path: Path, tags: TrackTags) -> None:
        audio = cls(str(path))
        if audio.tags is None:
            audio.add_tags()
        for key, value in _vorbis_fields(tags).items():
            audio.tags[key] = [value]
        audio.save()

    return write


def _write_mp4(path: Path, tags: TrackTags) -> None:
    audio = MP4(str(path))
    if audio.tags is None:
        audio.add_tags()
    audio.tags["\xa9nam"] = [tags.title]
    audio.tags["\xa9ART"] = [tags.artist]
    audio.tags["\xa9alb"] = [tags.album]
    audio.tags["\xa9day"] = [str(tags.year)]
    audio.tags["trkn"] = [(tags.track_number, 0)]
    if tags.genre:
        audio.tags["\xa9gen"] = [tags.genre]
    audio.save()


WRITERS = {
    "mp3": _write_mp3,
    "wav": _write_wav,
    "flac": _write_vorbis(FLAC),
    "ogg": _write_vorbis(OggVorbis),
    "m4a": _write_mp4,
}


def write_tags(path: Path, fmt: str, tags: TrackTags) -> None:
    WRITERS[fmt](path, tags)
