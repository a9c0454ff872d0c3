"""Database faults on real SQLite files: each ends in one line that names the user's file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from tagger.library import store
from tagger.library.database_faults import where
from tagger.library.store import Library, LibraryError, resolve_url

INSERT_TRACK = text(
    "INSERT INTO tracks (path, size, mtime_ns, genres, status, added_at, updated_at) "
    "VALUES (:path, 1, 2, '[]', 'new', '2024-01-01', '2024-01-01')"
)


def _one_line_naming(exc: LibraryError, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message and str(path) in message
    assert "sqlite://" not in message and "sqlalche.me" not in message
    return message


def _fill(path: Path, rows: int) -> None:
    with Library.open(path) as lib, lib.session() as s, s.begin():
        for i in range(rows):
            s.execute(INSERT_TRACK, {"path": f"/music/{i:05d}/" + "x" * 200})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_open_of_a_missing_library_creates_nothing(tmp_path):
    db = tmp_path / "nope" / "dir" / "lib.db"
    with pytest.raises(LibraryError) as info:
        Library.open(db, create=False)
    assert "no library at" in _one_line_naming(info.value, db)
    assert not (tmp_path / "nope").exists()


def test_create_makes_the_folders_and_the_library(tmp_path):
    db = tmp_path / "new" / "lib.db"
    Library.open(db, create=True).close()
    Library.open(db, create=False).close()  # now there is one
    assert db.is_file()


def test_another_applications_database_is_refused_and_left_byte_identical(tmp_path):
    db = tmp_path / "photos.db"
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO albums (name) VALUES ('holiday')")
    connection.commit()
    connection.close()
    before = _sha(db)
    with pytest.raises(LibraryError) as info:
        Library.open(db)
    assert "another application's database" in _one_line_naming(info.value, db)
    assert _sha(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.db"]  # no -wal, no -shm


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path):
    db = tmp_path / "song.db"
    db.write_bytes(b"ID3\x04\x00" + os.urandom(4000))
    before = _sha(db)
    with pytest.raises(LibraryError, match="not an SQLite database"):
        Library.open(db)
    assert _sha(db) == before


def test_a_library_of_a_newer_tagger_is_refused(tmp_path):
    db = tmp_path / "lib.db"
    _fill(db, 1)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(LibraryError, match="newer tagger"):
        Library.open(db)


def test_a_full_disk_is_one_line(tmp_path):
    """SQLite's own page limit raises the very error a full disk does (SQLITE_FULL)."""
    db = tmp_path / "lib.db"
    lib = Library.open(db)

    @event.listens_for(lib.engine, "connect")
    def _almost_full(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    lib.engine.dispose()  # new connections get the limit
    with pytest.raises(LibraryError) as info, lib.session() as s, s.begin():
        for i in range(2000):
            s.execute(INSERT_TRACK, {"path": f"/music/{i:05d}/" + "x" * 200})
    assert "the disk is full" in _one_line_naming(info.value, db)
    lib.close()


def test_a_damaged_library_is_one_line(tmp_path):
    db = tmp_path / "lib.db"
    _fill(db, 3000)
    data = bytearray(db.read_bytes())
    data[4096 * 3 : 4096 * 12] = os.urandom(4096 * 9)  # overwrite nine pages of the table
    db.write_bytes(bytes(data))
    with pytest.raises(LibraryError) as info, Library.open(db) as lib, lib.session() as s:
        s.execute(text("SELECT count(*), max(path) FROM tracks")).all()
    assert "is damaged" in _one_line_naming(info.value, db)


def _crash_while_open(db: Path) -> None:
    """A process that writes one row and dies without closing, as a SIGKILL would leave it."""
    program = (
        "import os, sys\n"
        "from tagger.library.store import Library\n"
        "from sqlalchemy import text\n"
        "lib = Library.open(sys.argv[1])\n"
        "with lib.session() as s, s.begin():\n"
        f"    s.execute(text({str(INSERT_TRACK)!r}), {{'path': '/music/last.mp3'}})\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", program, str(db)], check=True)
    assert db.with_name(db.name + "-wal").stat().st_size > 0


@pytest.fixture
def quick_checks(monkeypatch):
    calls: list[str] = []
    real = store.quick_check

    def counting(library, connection):
        calls.append(library)
        real(library, connection)

    monkeypatch.setattr(store, "quick_check", counting)
    return calls


def test_opening_after_a_crash_checks_integrity_and_keeps_the_rows(tmp_path, quick_checks):
    db = tmp_path / "lib.db"
    _fill(db, 10)
    Library.open(db).close()
    assert quick_checks == []  # a clean close leaves no -wal: no check
    _crash_while_open(db)
    with Library.open(db) as lib, lib.session() as s:
        assert s.execute(text("SELECT count(*) FROM tracks")).scalar() == 11
    assert quick_checks == [str(db)]


def test_a_library_damaged_by_a_crash_is_refused_at_opening(tmp_path, quick_checks):
    db = tmp_path / "lib.db"
    _fill(db, 3000)
    _crash_while_open(db)
    with db.open("r+b") as f:
        f.seek(4096 * 5)
        f.write(os.urandom(4096 * 4))
    with pytest.raises(LibraryError) as info:
        Library.open(db)
    assert "is damaged" in _one_line_naming(info.value, db)
    assert quick_checks == [str(db)]


def test_passwords_are_never_shown(tmp_path):
    url = resolve_url("postgresql+nosuchdriver://tagger:s3cret@db.example/lib")
    assert where(url) == "postgresql+nosuchdriver://tagger:***@db.example/lib"
    with pytest.raises(LibraryError) as info:
        Library.open("postgresql+nosuchdriver://tagger:s3cret@db.example/lib")
    assert "s3cret" not in str(info.value) and "tagger:***@db.example" in str(info.value)
    with pytest.raises(LibraryError) as info:
        Library.open("postgresql://tagger:s3cret@[broken/lib")
    assert "s3cret" not in str(info.value)
