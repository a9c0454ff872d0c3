"""File names that are not UTF-8 are stored byte for byte and found again (library/path_text.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from audio_factory import tone, write_audio
from sqlalchemy import select

from tagger.library.paths import tracks_under
from tagger.library.scanner import scan
from tagger.library.schema import Track, TrackStatus
from tagger.library.store import Library


def latin1(folder: Path, name: bytes) -> Path:
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name))


def test_a_latin1_folder_and_file_round_trip_and_are_found_under_their_folder(
    tmp_path: Path, library: Library
) -> None:
    folder = latin1(tmp_path, b"M\xf6tley")
    folder.mkdir()
    song = write_audio(latin1(folder, b"Caf\xe9.flac"), tone(2.0))
    plain = write_audio(folder / "plain.flac", tone(2.0))
    result = scan(library, [folder])
    assert (result.added, result.errors) == (2, 0)
    with library.session() as s:
        found = s.scalars(select(Track.path).where(tracks_under([str(folder)]))).all()
        assert sorted(found) == sorted([str(song), str(plain)])
        s.add(Track(path="/elsewhere/x.mp3", size=1, mtime_ns=1, genres=[], error=f"{song}: bad"))
        s.commit()
        row = s.scalar(select(Track).where(Track.path == "/elsewhere/x.mp3"))
        assert row is not None and row.error == f"{song}: bad"
    assert os.path.exists(found[0]) and os.path.exists(found[1])  # the real files
    assert scan(library, [folder]).unchanged == 2  # the rescan recognises them

    db = library.engine.url.database
    with sqlite3.connect(db) as connection:  # stored as TEXT holding the file's own bytes
        connection.text_factory = bytes
        stored = dict(connection.execute("SELECT path, typeof(path) FROM tracks").fetchall())
    connection.close()
    assert stored[os.fsencode(song)] == b"text" and stored[os.fsencode(plain)] == b"text"


def test_a_utf8_name_is_stored_as_plain_text(tmp_path: Path, library: Library) -> None:
    song = write_audio(tmp_path / "Motörhead – Ace.flac", tone(2.0))
    scan(library, [tmp_path])
    with sqlite3.connect(library.engine.url.database) as connection:
        assert connection.execute("SELECT path FROM tracks").fetchall() == [(str(song),)]
    connection.close()
    with library.session() as s:
        assert s.scalar(select(Track.status)) == TrackStatus.NEW
