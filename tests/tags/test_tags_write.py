from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen import File
from mutagen.apev2 import APEv2
from mutagen.id3 import ID3, TCON
from mutagen.id3._id3v1 import find_id3v1
from tag_test_files import (
    ENCODINGS,
    VARIANTS,
    ape_items,
    decodes,
    mp4_with_legacy_gnre,
    other_fields,
    packet_checksums,
    raw_id3_frames,
)

import tagger.tags.safe_write as writer
from tagger.tags import (
    TagError,
    TagOptions,
    cleanup_stale_temp_files,
    merge_genres,
    read_genres,
    read_tags,
    write_genres,
)

ALL = list(VARIANTS)
MP3S = ["mp3_v23", "mp3_v24"]


def _temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if writer.TEMP_MARKER in p.name]


@pytest.mark.parametrize("variant", ALL)
@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("add", ["Rock", "Drum/Bass", "Metal"]),
        ("replace", ["Metal"]),
        ("fill", ["Rock", "Drum/Bass"]),
    ],
)
def test_modes_keep_everything_else(
    rich_file: Callable[[str], Path], variant: str, mode: str, expected: list[str]
) -> None:
    path = rich_file(variant)
    fields, packets, family = other_fields(path), packet_checksums(path), read_tags(path).format
    write_genres(path, merge_genres(read_genres(path), "Metal", mode))  # type: ignore[arg-type]
    after = read_tags(path)
    assert after.genres == expected
    assert after.format == family  # same tag family and same ID3 version
    assert other_fields(path) == fields
    assert packet_checksums(path) == packets
    assert not _temp_files(path.parent)


@pytest.mark.parametrize("variant", MP3S)
def test_id3_frames_byte_identical(rich_file: Callable[[str], Path], variant: str) -> None:
    path = rich_file(variant)
    before = raw_id3_frames(path)
    write_genres(path, ["Metal", "Hardcore"])
    after = raw_id3_frames(path)
    assert before.pop(b"TCON") != after.pop(b"TCON")
    assert after == before
    assert set(before) >= {b"APIC", b"USLT", b"TXXX", b"UFID", b"COMM", b"TIT2"}


def test_id3v23_stays_v23_joined(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("mp3_v23")
    write_genres(path, ["Metal", "Drum/Bass"])
    assert path.read_bytes()[3] == 3
    tcon = raw_id3_frames(path)[b"TCON"][0]
    assert tcon[10:].rstrip(b"\x00") == b"\x00Metal; Drum/Bass"  # latin-1, one "; "-joined string
    assert read_genres(path) == ["Metal", "Drum/Bass"]


def test_id3v24_stays_v24_multivalue(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("mp3_v24")
    write_genres(path, ["Metal", "Drum/Bass"])
    assert path.read_bytes()[3] == 4
    tcon = raw_id3_frames(path)[b"TCON"][0]
    assert tcon[10:].rstrip(b"\x00") == b"\x03Metal\x00Drum/Bass"  # UTF-8, null-separated
    assert ID3(str(path))["TCON"].text == ["Metal", "Drum/Bass"]


def test_wav_and_aiff_keep_version(rich_file: Callable[[str], Path]) -> None:
    for variant, version in [("wav", 4), ("aiff", 3)]:
        path = rich_file(variant)
        write_genres(path, ["Metal", "Hardcore"])
        tags = File(str(path)).tags
        assert tags.version[1] == version
        assert read_genres(path) == ["Metal", "Hardcore"]


def test_custom_separator(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("mp3_v23")
    opts = TagOptions(id3v23_separator=" | ")
    write_genres(path, ["Metal", "Drum/Bass"], opts)
    assert raw_id3_frames(path)[b"TCON"][0].rstrip(b"\x00").endswith(b"Metal | Drum/Bass")
    assert read_genres(path, opts) == ["Metal", "Drum/Bass"]
    # A genre that contains the separator could not be read back as written: refused.
    before = path.read_bytes()
    with pytest.raises(TagError, match="separator"):
        write_genres(path, ["Metal", "Drum/Bass"], TagOptions(id3v23_separator="/"))
    assert path.read_bytes() == before


def test_empty_genre_list_removes_the_genre(rich_file: Callable[[str], Path]) -> None:
    for variant in ALL:
        path = rich_file(variant)
        write_genres(path, [])
        assert read_genres(path) == []


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_fill_on_untagged_file(plain_file: Callable[[str], Path], kind: str) -> None:
    path = plain_file(kind)
    packets = packet_checksums(path)
    write_genres(path, merge_genres(read_genres(path), "Hardcore", "fill"))
    assert read_genres(path) == ["Hardcore"]
    assert packet_checksums(path) == packets
    assert decodes(path)


# -- ID3v1 -----------------------------------------------------------------------------------


def test_id3v1_never_added(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("mp3_v24")
    write_genres(path, ["Metal"])
    with open(path, "rb") as f:
        assert find_id3v1(f) == (None, 0)
    assert path.read_bytes()[-128:-125] != b"TAG"


def _append_v1(path: Path, genre: int) -> bytes:
    block = (
        b"TAG"
        + b"Old v1 title".ljust(30, b"\0")
        + b"Old v1 artist".ljust(30, b"\0")
        + b"Old v1 album".ljust(30, b"\0")
        + b"1999"
        + b"v1 comment".ljust(28, b"\0")
        + b"\0\x07"
        + bytes([genre])
    )
    with open(path, "ab") as f:
        f.write(block)
    return block


@pytest.mark.parametrize(
    ("genres", "v1_genre"),
    [
        (["Metal"], 9),
        (["Hardcore"], 129),
        (["Melodic Death Metal", "Metal"], 9),  # an exact name anywhere beats a near one
        (["Melodic Death Metal"], 22),
        (["Metalcore"], 9),
        (["Hardcore Punk"], 129),
        (["Zydeco-Grind"], 12),  # nothing near: "Other"
        ([], 255),
    ],
)
def test_existing_id3v1_gets_nearest_genre_only(
    rich_file: Callable[[str], Path], genres: list[str], v1_genre: int
) -> None:
    path = rich_file("mp3_v23")
    old = _append_v1(path, 17)
    packets = packet_checksums(path)
    write_genres(path, genres)
    new = path.read_bytes()[-128:]
    assert new[:-1] == old[:-1]  # title, artist, album, year, comment, track: as they were
    assert new[-1] == v1_genre
    assert packet_checksums(path) == packets


def test_mp3_apev2_tag_left_alone(rich_file: Callable[[str], Path]) -> None:
    """An mp3 with ID3 and APEv2 is an ID3 file; its APEv2 tag stays byte-identical."""
    path = rich_file("mp3_v23")
    ape = APEv2()
    ape["Genre"] = "Jazz"
    ape["Title"] = "ape title"
    ape["Lyrics"] = "ape lyrics"
    ape.save(str(path))
    before = ape_items(path)
    tail = path.read_bytes()[path.read_bytes().index(b"APETAGEX") :]
    write_genres(path, ["Metal"])
    assert read_genres(path) == ["Metal"]
    assert ape_items(path) == before
    assert path.read_bytes().endswith(tail)


# -- legacy MP4 gnre -------------------------------------------------------------------------


def test_mp4_gnre_replaced_by_gen(plain_file: Callable[[str], Path]) -> None:
    path = mp4_with_legacy_gnre(plain_file("m4a"), 9)
    packets = packet_checksums(path)
    write_genres(path, merge_genres(read_genres(path), "Hardcore", "add"))
    data = path.read_bytes()
    assert b"gnre" not in data and b"\xa9gen" in data
    assert read_genres(path) == ["Metal", "Hardcore"]
    assert packet_checksums(path) == packets


# -- extra fields ----------------------------------------------------------------------------

EXTRA_KEYS = {
    "mp3_v23": ("TXXX:MHT_CONFIDENCE", "TXXX:MHT_MODEL"),
    "mp3_v24": ("TXXX:MHT_CONFIDENCE", "TXXX:MHT_MODEL"),
    "wav": ("TXXX:MHT_CONFIDENCE", "TXXX:MHT_MODEL"),
    "aiff": ("TXXX:MHT_CONFIDENCE", "TXXX:MHT_MODEL"),
    "flac": ("MHT_CONFIDENCE", "MHT_MODEL"),
    "ogg": ("MHT_CONFIDENCE", "MHT_MODEL"),
    "opus": ("MHT_CONFIDENCE", "MHT_MODEL"),
    "m4a": ("----:com.apple.iTunes:MHT_CONFIDENCE", "----:com.apple.iTunes:MHT_MODEL"),
    "wv": ("MHT_CONFIDENCE", "MHT_MODEL"),
    "wma": ("MHT_CONFIDENCE", "MHT_MODEL"),
}


def _field_text(path: Path, key: str) -> str | None:
    tags = File(str(path)).tags
    if key not in tags:
        return None
    value = tags[key]
    if hasattr(value, "text"):
        return str(value.text[0])
    if isinstance(value, list):
        value = value[0]
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


@pytest.mark.parametrize("variant", ALL)
def test_extra_fields_on_and_off(rich_file: Callable[[str], Path], variant: str) -> None:
    conf_key, model_key = EXTRA_KEYS[variant]
    path = rich_file(variant)
    write_genres(path, ["Metal"], confidence=0.93, model="cnn-bigru-v1")
    assert _field_text(path, conf_key) is None and _field_text(path, model_key) is None
    assert read_tags(path).model_mark is None

    fields = other_fields(path)
    on = TagOptions(extra_fields=True)
    write_genres(path, ["Hardcore"], on, confidence=0.93, model="cnn-bigru-v1")
    assert _field_text(path, conf_key) == "0.9300"
    assert _field_text(path, model_key) == "cnn-bigru-v1"
    assert read_genres(path) == ["Hardcore"]
    assert read_tags(path).model_mark == "cnn-bigru-v1"  # what a new library's scan reads
    assert other_fields(path) == fields

    # A later write without a confidence must not leave the old one next to the new genre.
    write_genres(path, ["Metal"], on, model="cnn-bigru-v2")
    assert _field_text(path, conf_key) is None
    assert _field_text(path, model_key) == "cnn-bigru-v2"
    assert other_fields(path) == fields


def test_bad_confidence_refused(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("flac")
    with pytest.raises(TagError, match="confidence"):
        write_genres(path, ["Metal"], TagOptions(extra_fields=True), confidence=1.5)


# -- safety ----------------------------------------------------------------------------------


def test_read_only_file_refused_even_for_root(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("mp3_v24")
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(TagError, match="read-only") as info:
        write_genres(path, ["Metal"])
    assert info.value.path == str(path)
    assert path.read_bytes() == before
    assert not _temp_files(path.parent)


def test_read_only_folder_refused(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("flac")
    before = path.read_bytes()
    path.parent.chmod(0o555)
    try:
        with pytest.raises(TagError, match="folder is read-only"):
            write_genres(path, ["Metal"])
    finally:
        path.parent.chmod(0o755)
    assert path.read_bytes() == before
    assert not _temp_files(path.parent)


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(TagError, match="not found"):
        write_genres(tmp_path / "gone.mp3", ["Metal"])
    assert list(tmp_path.iterdir()) == []


def test_unsupported_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("hello\n" * 100)
    with pytest.raises(TagError, match="unsupported"):
        write_genres(path, ["Metal"])
    assert path.read_text() == "hello\n" * 100
    assert _temp_files(tmp_path) == []


def test_file_vanishing_mid_write(
    rich_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rich_file("ogg")
    real_copy = writer._copy_file

    def copy_then_vanish(src: str, dst: str) -> None:
        real_copy(src, dst)
        os.unlink(src)

    monkeypatch.setattr(writer, "_copy_file", copy_then_vanish)
    with pytest.raises(TagError, match="vanished"):
        write_genres(path, ["Metal"])
    assert not path.exists()  # not resurrected from our copy
    assert not _temp_files(path.parent)


def test_file_changed_by_someone_else_mid_write(
    rich_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rich_file("m4a")
    real_copy = writer._copy_file

    def copy_then_touch(src: str, dst: str) -> None:
        real_copy(src, dst)
        with open(src, "ab") as f:
            f.write(b"\0")

    monkeypatch.setattr(writer, "_copy_file", copy_then_touch)
    changed_by_other = path.read_bytes() + b"\0"
    with pytest.raises(TagError, match="changed on disk"):
        write_genres(path, ["Metal"])
    assert path.read_bytes() == changed_by_other
    assert not _temp_files(path.parent)


def test_disk_full(rich_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = rich_file("mp3_v23")
    before = path.read_bytes()

    def copy_until_full(src: str, dst: str) -> None:
        with open(dst, "wb") as f:
            f.write(before[: len(before) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer, "_copy_file", copy_until_full)
    with pytest.raises(TagError, match="disk full"):
        write_genres(path, ["Metal"])
    assert path.read_bytes() == before
    assert not _temp_files(path.parent)


def test_failed_verification_leaves_original(
    rich_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rich_file("flac")
    before = path.read_bytes()
    digests = iter(["before", "after"])
    monkeypatch.setattr(writer, "audio_packet_digest", lambda _p: next(digests))
    with pytest.raises(TagError, match="audio data would change"):
        write_genres(path, ["Metal"])
    assert path.read_bytes() == before
    assert not _temp_files(path.parent)


def test_mode_owner_and_mtime(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("opus")
    path.chmod(0o640)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_100_000_000_000_000_000))
    write_genres(path, ["Metal"], TagOptions(keep_mtime=True))
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert st.st_mtime_ns == 1_100_000_000_000_000_000
    write_genres(path, ["Hardcore"])
    assert path.stat().st_mtime_ns != 1_100_000_000_000_000_000
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_no_rewrite_when_nothing_changes(rich_file: Callable[[str], Path]) -> None:
    path = rich_file("wv")
    ino = path.stat().st_ino
    write_genres(path, ["rock", "Drum/Bass"][:0] + read_genres(path))
    assert path.stat().st_ino == ino


def test_symlink_target_is_written(rich_file: Callable[[str], Path]) -> None:
    target = rich_file("mp3_v24")
    link = target.parent / "link.mp3"
    link.symlink_to(target)
    write_genres(link, ["Metal"])
    assert link.is_symlink()
    assert read_genres(target) == ["Metal"]


def test_cleanup_stale_temp_files(tmp_path: Path) -> None:
    stale = tmp_path / ".song.mp3.tagger-tmp-a1b2_c3"
    stale.write_bytes(b"half a file")
    keep = [tmp_path / "song.mp3", tmp_path / "song.tagger-tmp-notes.txt", tmp_path / ".hidden"]
    for p in keep:
        p.write_bytes(b"user data")
    (tmp_path / ".dir.tagger-tmp-abc").mkdir()
    assert cleanup_stale_temp_files(tmp_path) == [str(stale)]
    assert all(p.exists() for p in keep)
    assert cleanup_stale_temp_files(tmp_path / "missing") == []


def test_foreign_v23_frames_survive_byte_for_byte(plain_file: Callable[[str], Path]) -> None:
    """Frames that mutagen's v2.4 translation would rewrite (Latin-1 TYER/TDAT, a bare "PNG"
    mime, a legacy "(9)" genre) stay exactly as another tagger stored them."""
    from mutagen.id3 import APIC, TDAT, TYER

    path = plain_file("mp3")
    tags = ID3()
    tags.add(TYER(encoding=0, text="1999"))
    tags.add(TDAT(encoding=0, text="0304"))
    tags.add(APIC(encoding=0, mime="PNG", type=3, desc="", data=b"\x89PNG fake"))
    tags.add(TCON(encoding=0, text="(9)"))
    tags.save(str(path), v2_version=3, v23_sep=None)  # raw: no update_to_v23()
    before = raw_id3_frames(path)
    write_genres(path, merge_genres(read_genres(path), "Hardcore", "add"))
    after = raw_id3_frames(path)
    assert after.pop(b"TCON")[0].rstrip(b"\x00").endswith(b"Metal; Hardcore")
    before.pop(b"TCON")
    assert after == before


def test_id3v22_is_read_and_written_as_v23(plain_file: Callable[[str], Path]) -> None:
    path = plain_file("mp3")
    frames = b""
    for fid, text in [(b"TT2", b"\x00Old title"), (b"TCO", b"\x00(9)Drum/Bass")]:
        frames += fid + len(text).to_bytes(3, "big") + text
    body = frames + b"\x00" * 64
    size = len(body)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    path.write_bytes(b"ID3\x02\x00\x00" + synchsafe + body + path.read_bytes())
    packets = packet_checksums(path)
    tags = read_tags(path)
    assert (tags.format, tags.title, tags.genres) == (
        "id3v2.2",
        "Old title",
        ["Metal", "Drum/Bass"],
    )
    write_genres(path, merge_genres(tags.genres, "Hardcore", "add"))
    tags = read_tags(path)
    assert (tags.format, tags.title, tags.genres) == (
        "id3v2.3",
        "Old title",
        ["Metal", "Drum/Bass", "Hardcore"],
    )
    assert packet_checksums(path) == packets
