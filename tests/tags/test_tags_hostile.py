"""Files that used to defeat the tag handlers: a damaged ID3 tag, a name of the full 255 bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tag_test_files import encode

from tagger.tags import TagError, read_genres, read_tags, write_genres
from tagger.tags.safe_write import TEMP_MARKER, temp_name_prefix


@pytest.fixture(scope="module")
def mp3_audio(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return encode("mp3", tmp_path_factory.mktemp("hostile") / "base.mp3").read_bytes()


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("truncated frame", b"ID3\x03\x00\x00\x00\x00\x7f\x7fTIT2\x00\x00\x00\x05\x00\x00\x00ab"),
        ("unknown version", b"ID3\x09\x00\x00\x00\x00\x01\x00" + b"\0" * 128),
        ("invalid flags", b"ID3\x04\x00\xff\x00\x00\x01\x00" + b"\0" * 128),
    ],
)
def test_a_damaged_id3_tag_gives_a_reason_a_person_can_read(
    tmp_path: Path, mp3_audio: bytes, name: str, head: bytes
) -> None:
    path = tmp_path / "damaged.mp3"
    path.write_bytes(head + mp3_audio)
    with pytest.raises(TagError) as caught:
        read_tags(path)
    reason = caught.value.reason
    assert reason.startswith("unreadable tags: ")
    assert len(reason.removeprefix("unreadable tags: ").strip()) > 5, name


def test_a_file_whose_name_uses_all_255_bytes_can_be_tagged(
    tmp_path: Path, mp3_audio: bytes
) -> None:
    name = "é" * 125 + "x.mp3"  # 250 + 5 bytes in UTF-8: the longest name Linux allows
    assert len(name.encode()) == 255
    path = tmp_path / name
    path.write_bytes(mp3_audio)

    write_genres(path, ["Metal"])

    assert read_genres(path) == ["Metal"]
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary copy left over
    prefix = temp_name_prefix(str(path))
    assert len(prefix.encode()) + 8 <= 255 and prefix.endswith(TEMP_MARKER)
