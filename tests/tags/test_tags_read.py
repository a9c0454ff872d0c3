from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.id3 import ID3, TCON, TIT2
from tag_test_files import ENCODINGS, VARIANTS, mp4_with_legacy_gnre, raw_id3_frames

from tagger.tags import TagError, TagOptions, read_genres, read_tags
from tagger.tags.base import parse_year


def _mp3_with_raw_tcon(path: Path, text: list[str], version: int) -> Path:
    tags = ID3()
    tags.add(TIT2(encoding=0, text="t"))
    tags.add(TCON(encoding=0, text=text))
    # No update_to_v23(): that would normalise "(9)" away; we want the raw legacy forms.
    tags.save(str(path), v2_version=version, v23_sep=None)
    return path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(9)", ["Metal"]),
        ("(138)Foo", ["Black Metal", "Foo"]),
        ("9", ["Metal"]),
        ("(RX)", ["Remix"]),
        ("(CR)", ["Cover"]),
        ("(9)(129)", ["Metal", "Hardcore"]),
        ("(9)Metal", ["Metal"]),
        ("((Foo)", ["(Foo)"]),
        ("Metal; Hardcore", ["Metal", "Hardcore"]),
        ("Metal;Hardcore", ["Metal", "Hardcore"]),
        ("Metal ; Drum/Bass", ["Metal", "Drum/Bass"]),
        ("Drum/Bass", ["Drum/Bass"]),
        ("AC/DC Rock", ["AC/DC Rock"]),
    ],
)
def test_id3v23_forms(plain_file: Callable[[str], Path], raw: str, expected: list[str]) -> None:
    path = _mp3_with_raw_tcon(plain_file("mp3"), [raw], 3)
    assert raw.encode("latin-1") in raw_id3_frames(path)[b"TCON"][0]  # really stored raw
    tags = read_tags(path)
    assert tags.format == "id3v2.3"
    assert tags.genres == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["9", "Hardcore"], ["Metal", "Hardcore"]),
        (["(138)"], ["Black Metal"]),
        (["Drum/Bass", "Metal"], ["Drum/Bass", "Metal"]),
        (["Metal; Hardcore"], ["Metal; Hardcore"]),  # v2.4 has real lists: no splitting
    ],
)
def test_id3v24_forms(
    plain_file: Callable[[str], Path], raw: list[str], expected: list[str]
) -> None:
    path = _mp3_with_raw_tcon(plain_file("mp3"), raw, 4)
    tags = read_tags(path)
    assert tags.format == "id3v2.4"
    assert tags.genres == expected


def test_separator_is_configurable(plain_file: Callable[[str], Path]) -> None:
    path = _mp3_with_raw_tcon(plain_file("mp3"), ["Metal | Hard/core"], 3)
    assert read_genres(path) == ["Metal | Hard/core"]
    assert read_genres(path, TagOptions(id3v23_separator=" | ")) == ["Metal", "Hard/core"]


def _v1_block(genre: int) -> bytes:
    return (
        b"TAG"
        + b"V1 Title".ljust(30, b"\0")
        + b"V1 Artist".ljust(30, b"\0")
        + b"V1 Album".ljust(30, b"\0")
        + b"1999"
        + b"v1 comment".ljust(28, b"\0")
        + b"\0\x05"
        + bytes([genre])
    )


def test_id3v1_only(plain_file: Callable[[str], Path]) -> None:
    path = plain_file("mp3")
    with open(path, "ab") as f:
        f.write(_v1_block(9))
    tags = read_tags(path)
    assert tags == read_tags(str(path))
    assert tags.format == "id3v1"
    assert (tags.title, tags.artist, tags.album, tags.year) == (
        "V1 Title",
        "V1 Artist",
        "V1 Album",
        1999,
    )
    assert tags.genres == ["Metal"]


def test_untagged_files(plain_file: Callable[[str], Path]) -> None:
    families = {"mp3": "id3", "wav": "id3", "aiff": "id3", "flac": "vorbis", "m4a": "mp4"}
    for kind, family in families.items():
        tags = read_tags(plain_file(kind))
        assert tags.genres == []
        assert tags.format == family


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_format_reads(rich_file: Callable[[str], Path], variant: str) -> None:
    tags = read_tags(rich_file(variant))
    assert tags.format == VARIANTS[variant][1]
    assert tags.genres == ["Rock", "Drum/Bass"]
    assert (tags.title, tags.artist, tags.album, tags.year) == ("Title", "Artist", "Album", 2004)


def test_mp4_legacy_gnre_is_read(plain_file: Callable[[str], Path]) -> None:
    path = mp4_with_legacy_gnre(plain_file("m4a"), 9)
    assert b"gnre" in path.read_bytes()
    assert read_genres(path) == ["Metal"]


@pytest.mark.parametrize(
    ("kind", "wrong_suffix", "family"),
    [
        ("flac", ".mp3", "vorbis"),
        ("mp3", ".ogg", "id3"),
        ("wav", ".m4a", "id3"),
        ("m4a", ".flac", "mp4"),
        ("wma", ".mp3", "asf"),
        ("wv", ".wav", "apev2"),
    ],
)
def test_handler_is_chosen_by_content(
    tmp_path: Path, encoded: dict[str, Path], kind: str, wrong_suffix: str, family: str
) -> None:
    path = tmp_path / f"misnamed{wrong_suffix}"
    shutil.copyfile(encoded[kind], path)
    assert read_tags(path).format.startswith(family)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 20)
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.ogg"
    noise.write_bytes(os.urandom(4096))
    for path, words in [
        (text, "unsupported"),
        (empty, "empty"),
        (noise, "unsupported"),
        (tmp_path / "missing.mp3", "not found"),
        (tmp_path, "not a file"),
    ]:
        with pytest.raises(TagError) as info:
            read_tags(path)
        assert words in info.value.reason
        assert info.value.path == str(path)


def test_adts_aac_has_no_tag_family(tmp_path: Path, encoded: dict[str, Path]) -> None:
    import av

    src = encoded["m4a"]
    dst = tmp_path / "raw.aac"
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="adts") as out:
        stream = out.add_stream_from_template(inp.streams.audio[0])
        for packet in inp.demux(inp.streams.audio[0]):
            if packet.size:
                packet.stream = stream
                out.mux(packet)
    with pytest.raises(TagError, match="unsupported"):
        read_tags(dst)


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_truncated_and_corrupt_files_give_result_or_tag_error(
    tmp_path: Path, rich_templates: dict[str, Path], kind: str
) -> None:
    variant = next(v for v, (k, _) in VARIANTS.items() if k == kind)
    data = rich_templates[variant].read_bytes()
    cuts = [data[:16], data[: len(data) // 3], data[: len(data) // 2] + os.urandom(500)]
    flipped = bytearray(data)
    for i in range(12, min(len(flipped), 4000), 97):
        flipped[i] ^= 0x5A
    for n, blob in enumerate([*cuts, bytes(flipped)]):
        path = tmp_path / f"bad{n}{ENCODINGS[kind][2]}"
        path.write_bytes(blob)
        try:
            tags = read_tags(path)
        except TagError as e:
            assert e.reason
        else:
            assert isinstance(tags.genres, list)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2004", 2004),
        ("2004-12-31", 2004),
        ("20041231", 2004),
        ("(P) 1994 Label", 1994),
        ("1986-10-07T00:00:00Z", 1986),
        ("987 AD", None),
        ("0000", None),
        ("", None),
        (None, None),
    ],
)
def test_one_year_parser_for_every_family(text: str | None, year: int | None) -> None:
    assert parse_year(text) == year
