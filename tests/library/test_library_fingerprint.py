from __future__ import annotations

import os
from pathlib import Path

from tagger.library.fingerprint import fingerprint


def test_same_bytes_same_print_other_bytes_other_print(tmp_path: Path) -> None:
    data = os.urandom(200_000)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_bytes(data)
    b.write_bytes(data)
    c.write_bytes(data[:100_000] + bytes(4096) + data[104_096:])
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)


def test_rewriting_tags_at_the_start_or_end_in_place_keeps_the_print(tmp_path: Path) -> None:
    data = bytearray(os.urandom(200_000))
    path = tmp_path / "song.mp3"
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    data[:2000] = os.urandom(2000)  # an ID3v2 tag rewritten inside its padding
    data[-128:] = os.urandom(128)  # an ID3v1 tag
    path.write_bytes(bytes(data))
    assert fingerprint(path) == before


def test_size_is_part_of_the_print_and_small_files_work(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"abc")
    b.write_bytes(b"abcd")
    assert fingerprint(a) != fingerprint(b)
    (tmp_path / "empty").write_bytes(b"")
    assert len(fingerprint(tmp_path / "empty")) == 40
