import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.asf import ASF, ASFByteArrayAttribute
from tag_test_files import COVER, VARIANTS

from tagger.tags import read_cover


@pytest.mark.parametrize("variant", [v for v in VARIANTS if VARIANTS[v][1] != "asf"])
def test_front_cover_is_read_from_every_family(rich_file: Callable[[str], Path], variant: str):
    assert read_cover(rich_file(variant)) == COVER


def test_asf_picture_structure_is_parsed(rich_file: Callable[[str], Path]):
    variant = next(v for v in VARIANTS if VARIANTS[v][1] == "asf")
    path = rich_file(variant)
    f = ASF(path)
    mime, desc = "image/png\0".encode("utf-16-le"), "front\0".encode("utf-16-le")
    raw = struct.pack("<bI", 3, len(COVER)) + mime + desc + COVER
    f.tags["WM/Picture"] = [ASFByteArrayAttribute(raw)]
    f.save()
    assert read_cover(path) == COVER


def test_no_cover_and_bad_files_give_none(plain_file: Callable[[str], Path], tmp_path: Path):
    assert read_cover(plain_file("mp3")) is None
    assert read_cover(plain_file("flac")) is None
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio" * 10)
    assert read_cover(junk) is None
    assert read_cover(tmp_path / "missing.flac") is None
