"""Audio files for the tag tests, made here with PyAV and tagged with mutagen.

Imported by name (``tag_test_files``, unique in the suite) rather than as ``conftest``, which
several test folders may have.

Each format is encoded once per session (0.3 s of a sine) and copied per test. ``rich`` files
also carry the fields a careless tagger damages: cover art, lyrics, ReplayGain, MusicBrainz ids,
comments.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import av
import pytest
from audio_factory import write_tone
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, COMM, ID3, TALB, TCON, TDRC, TIT2, TPE1, TXXX, UFID, USLT
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wavpack import WavPack

# kind -> (container format, codec, file suffix, sample rate)
ENCODINGS: dict[str, tuple[str, str, str, int]] = {
    "mp3": ("mp3", "libmp3lame", ".mp3", 44100),
    "flac": ("flac", "flac", ".flac", 44100),
    "ogg": ("ogg", "vorbis", ".ogg", 44100),
    "opus": ("ogg", "libopus", ".opus", 48000),
    "m4a": ("ipod", "aac", ".m4a", 44100),
    "wav": ("wav", "pcm_s16le", ".wav", 44100),
    "aiff": ("aiff", "pcm_s16be", ".aiff", 44100),
    "wv": ("wv", "wavpack", ".wv", 44100),
    "wma": ("asf", "wmav2", ".wma", 44100),
}

# Tagged variants used across the tests: kind -> (encoding, tag family as read_tags reports)
VARIANTS: dict[str, tuple[str, str]] = {
    "mp3_v23": ("mp3", "id3v2.3"),
    "mp3_v24": ("mp3", "id3v2.4"),
    "wav": ("wav", "id3v2.4"),
    "aiff": ("aiff", "id3v2.3"),
    "flac": ("flac", "vorbis"),
    "ogg": ("ogg", "vorbis"),
    "opus": ("opus", "vorbis"),
    "m4a": ("m4a", "mp4"),
    "wv": ("wv", "apev2"),
    "wma": ("wma", "asf"),
}

COVER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # not a real picture; bytes are bytes
LYRICS = "Scream\nscream again"
MB_TRACK = "c0ffee00-1234-4567-89ab-0123456789ab"
OLD_GENRES = ["Rock", "Drum/Bass"]


def encode(kind: str, path: Path, seconds: float = 0.3) -> Path:
    return write_tone(path, seconds, ENCODINGS[kind][3], bit_rate=128_000)


def add_rich_tags(variant: str, path: Path, genres: list[str] | None = None) -> None:
    """Title/artist/album/year, the given genres and all the fields that must survive."""
    genres = OLD_GENRES if genres is None else genres
    if variant in ("mp3_v23", "mp3_v24", "wav", "aiff"):
        v = 3 if variant in ("mp3_v23", "aiff") else 4
        if variant in ("wav", "aiff"):
            from mutagen import File

            f = File(str(path))
            f.add_tags()
            tags = f.tags
        else:
            tags = ID3()
        tags.add(TIT2(encoding=3, text="Title"))
        tags.add(TPE1(encoding=3, text="Artist"))
        tags.add(TALB(encoding=3, text="Album"))
        tags.add(TDRC(encoding=3, text="2004"))
        if genres:
            text = ["; ".join(genres)] if v == 3 else genres
            tags.add(TCON(encoding=3, text=text))
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=COVER))
        tags.add(USLT(encoding=3, lang="eng", desc="", text=LYRICS))
        tags.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text="-7.50 dB"))
        tags.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_PEAK", text="0.988"))
        tags.add(TXXX(encoding=3, desc="MusicBrainz Album Id", text="album-id-1"))
        tags.add(UFID(owner="http://musicbrainz.org", data=MB_TRACK.encode()))
        tags.add(COMM(encoding=3, lang="eng", desc="", text="a comment"))
        if v == 3:
            tags.update_to_v23()
        tags.save(str(path), v2_version=v)
    elif variant in ("flac", "ogg", "opus"):
        cls = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[variant]
        f = cls(str(path))
        if f.tags is None:
            f.add_tags()
        pic = Picture()
        pic.type = 3
        pic.mime = "image/png"
        pic.desc = "Cover"
        pic.data = COVER
        f["TITLE"] = "Title"
        f["ARTIST"] = "Artist"
        f["ALBUM"] = "Album"
        f["DATE"] = "2004"
        if genres:
            f["GENRE"] = genres
        f["REPLAYGAIN_TRACK_GAIN"] = "-7.50 dB"
        f["MUSICBRAINZ_TRACKID"] = MB_TRACK
        f["LYRICS"] = LYRICS
        f["COMMENT"] = "a comment"
        if isinstance(f, FLAC):
            f.add_picture(pic)
        else:
            import base64

            f["METADATA_BLOCK_PICTURE"] = [base64.b64encode(pic.write()).decode("ascii")]
        f.save()
    elif variant == "m4a":
        f = MP4(str(path))
        if f.tags is None:
            f.add_tags()
        f["\xa9nam"] = "Title"
        f["\xa9ART"] = "Artist"
        f["\xa9alb"] = "Album"
        f["\xa9day"] = "2004"
        if genres:
            f["\xa9gen"] = genres
        f["covr"] = [MP4Cover(COVER, MP4Cover.FORMAT_PNG)]
        f["\xa9lyr"] = LYRICS
        f["\xa9cmt"] = "a comment"
        f["----:com.apple.iTunes:MusicBrainz Track Id"] = [MP4FreeForm(MB_TRACK.encode())]
        f["----:com.apple.iTunes:replaygain_track_gain"] = [MP4FreeForm(b"-7.50 dB")]
        f.save()
    elif variant == "wv":
        f = WavPack(str(path))
        if f.tags is None:
            f.add_tags()
        f["Title"] = "Title"
        f["Artist"] = "Artist"
        f["Album"] = "Album"
        f["Year"] = "2004"
        if genres:
            f["Genre"] = genres
        f["Lyrics"] = LYRICS
        f["Comment"] = "a comment"
        f["REPLAYGAIN_TRACK_GAIN"] = "-7.50 dB"
        f["MUSICBRAINZ_TRACKID"] = MB_TRACK
        from mutagen.apev2 import BINARY, APEValue

        f["Cover Art (Front)"] = APEValue(b"cover.png\x00" + COVER, BINARY)
        f.save()
    elif variant == "wma":
        from mutagen.asf import ASFByteArrayAttribute

        f = ASF(str(path))
        f["Title"] = "Title"
        f["Author"] = "Artist"
        f["WM/AlbumTitle"] = "Album"
        f["WM/Year"] = "2004"
        if genres:
            f["WM/Genre"] = genres
        f["WM/Lyrics"] = LYRICS
        f["Description"] = "a comment"
        f["REPLAYGAIN_TRACK_GAIN"] = "-7.50 dB"
        f["MusicBrainz/Track Id"] = MB_TRACK
        f["WM/Picture"] = [ASFByteArrayAttribute(b"\x03" + COVER)]
        f.save()
    else:
        raise ValueError(variant)


@pytest.fixture(scope="session")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("encoded")
    return {kind: encode(kind, folder / f"base{spec[2]}") for kind, spec in ENCODINGS.items()}


@pytest.fixture(scope="session")
def rich_templates(
    tmp_path_factory: pytest.TempPathFactory, encoded: dict[str, Path]
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rich")
    out: dict[str, Path] = {}
    for variant, (kind, _) in VARIANTS.items():
        p = folder / f"{variant}{ENCODINGS[kind][2]}"
        shutil.copyfile(encoded[kind], p)
        add_rich_tags(variant, p)
        out[variant] = p
    return out


@pytest.fixture
def rich_file(tmp_path: Path, rich_templates: dict[str, Path]) -> Callable[[str], Path]:
    """A fresh, writable copy of the tagged template for a variant."""

    def make(variant: str) -> Path:
        src = rich_templates[variant]
        dst = tmp_path / f"song-{variant}{src.suffix}"
        shutil.copyfile(src, dst)
        return dst

    return make


@pytest.fixture
def plain_file(tmp_path: Path, encoded: dict[str, Path]) -> Callable[[str], Path]:
    """A fresh copy of an encoded file with every tag removed."""

    def make(kind: str) -> Path:
        src = encoded[kind]
        dst = tmp_path / f"plain-{kind}{src.suffix}"
        shutil.copyfile(src, dst)
        if kind == "mp3":
            from mutagen.id3 import delete

            delete(str(dst))  # FFmpeg's muxer writes an ID3v2.4 tag with its encoder name
        else:
            from mutagen import File

            f = File(str(dst))
            if f is not None and f.tags is not None:
                f.delete()
        return dst

    return make


def packet_checksums(path: Path) -> list[str]:
    """sha1 of every demuxed audio packet, as FFmpeg sees the file (independent of the code
    under test)."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        return [hashlib.sha1(bytes(p)).hexdigest() for p in c.demux(stream) if p.size]


def decodes(path: Path) -> bool:
    with av.open(str(path)) as c:
        frames = sum(1 for _ in c.decode(audio=0))
    return frames > 0


def id3_frames(path: Path, suffix: str) -> dict[str, bytes]:
    """Every ID3v2 frame as stored, keyed by its mutagen HashKey (chunk formats included)."""
    from mutagen import File

    tags = File(str(path)).tags if suffix in (".wav", ".aiff") else ID3(str(path), load_v1=False)
    return {k: bytes(f._writeData()) for k, f in tags.items()}


def raw_id3_frames(path: Path) -> dict[bytes, list[bytes]]:
    """The raw frames (header + data) of an mp3's ID3v2.3/2.4 tag, parsed by hand, so that
    "byte-identical" means the bytes on disk, not mutagen's view of them."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    major = data[3]
    size = _synchsafe(data[6:10])
    body = data[10 : 10 + size]
    frames: dict[bytes, list[bytes]] = {}
    pos = 0
    while pos + 10 <= len(body) and body[pos] != 0:
        fid = body[pos : pos + 4]
        raw_size = body[pos + 4 : pos + 8]
        fsize = _synchsafe(raw_size) if major == 4 else int.from_bytes(raw_size, "big")
        frames.setdefault(fid, []).append(body[pos : pos + 10 + fsize])
        pos += 10 + fsize
    return frames


def _synchsafe(b: bytes) -> int:
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def ape_items(path: Path) -> dict[str, bytes]:
    return {k.lower(): bytes(v) for k, v in APEv2(str(path)).items()}


_GENRE_KEYS = {"tcon", "genre", "\xa9gen", "gnre", "wm/genre"}


def other_fields(path: Path) -> dict[str, object]:
    """Every tag field except the genre and the MHT_* extras, as comparable values."""
    from mutagen import File

    f = File(str(path))
    out: dict[str, object] = {}
    if isinstance(f.tags, ID3):
        for key, frame in f.tags.items():
            if key == "TCON" or key.startswith("TXXX:MHT_"):
                continue
            out[key] = bytes(frame._writeData())
    elif f.tags is not None:
        for key, value in f.tags.items():
            if key.lower() in _GENRE_KEYS or "mht_" in key.lower():
                continue
            out.setdefault(key.lower(), []).append(repr(value))
    if isinstance(f, FLAC):
        out["flac-pictures"] = [p.write() for p in f.pictures]
    return out


def mp4_with_legacy_gnre(path: Path, genre_index: int) -> Path:
    """Turn a 2-character ©gen atom into a same-sized numeric gnre atom, byte by byte.

    mutagen reads gnre but never writes it, so the legacy form is made by hand."""
    f = MP4(str(path))
    if f.tags is None:
        f.add_tags()
    f["\xa9gen"] = "AB"
    f.save()
    data = bytearray(path.read_bytes())
    i = data.index(b"\xa9gen")
    assert data[i + 4 : i + 8] == b"\x00\x00\x00\x12" and data[i + 8 : i + 12] == b"data"
    data[i : i + 4] = b"gnre"
    data[i + 12 : i + 16] = b"\x00\x00\x00\x00"  # version/flags: implicit (binary)
    assert data[i + 20 : i + 22] == b"AB"
    data[i + 20 : i + 22] = (genre_index + 1).to_bytes(2, "big")  # gnre counts from 1
    path.write_bytes(bytes(data))
    return path
