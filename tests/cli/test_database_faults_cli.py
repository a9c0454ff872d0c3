"""Database faults at the command level: a full disk during `scan` or `tag --apply`, a damaged
library, another application's SQLite file. Each ends in ONE line and a nonzero status."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text
from tag_library_helpers import add_track, fake_model, make_mp3, mp3_template

from tagger.cli import main
from tagger.library import store
from tagger.library.store import Library


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "env-library.db"))


def one_line_failure(capsys: pytest.CaptureFixture[str], *argv: str, says: str) -> None:
    """The command fails with one `tagger: error:` line that says `says`; no traceback (an
    exception escaping `main` would fail the test)."""
    status = main(list(argv))
    err = capsys.readouterr().err
    assert status != 0
    lines = [line for line in err.splitlines() if line.startswith("tagger:")]
    assert len(lines) == 1 and lines[0].startswith("tagger: error:") and says in lines[0], err
    assert "Traceback" not in err and "sqlalche.me" not in err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def almost_full_disk(monkeypatch: pytest.MonkeyPatch):
    """Every library opened from now on may grow by only `room` pages: SQLite then fails as on
    a full disk (SQLITE_FULL). Set `.room` to None to give the disk its space back."""

    class Disk:
        room: int | None = 2

    disk = Disk()
    real = store.create_library_engine

    def limited(url, create=True):
        engine = real(url, create)

        @event.listens_for(engine, "connect")
        def _limit(dbapi_connection, _record):
            if disk.room is not None:
                pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages + disk.room}")

        return engine

    monkeypatch.setattr(store, "create_library_engine", limited)
    return disk


def test_a_full_disk_during_scan_is_one_line_and_a_rescan_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], almost_full_disk
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for i in range(300):
        (music / f"{i:04d} {'x' * 180}.mp3").write_bytes(b"not audio")
    db = tmp_path / "lib.db"
    almost_full_disk.room = None
    Library.open(db).close()
    almost_full_disk.room = 2
    one_line_failure(capsys, "scan", str(music), "--db", str(db), "--no-classify", says="full")

    almost_full_disk.room = None
    assert main(["scan", str(music), "--db", str(db), "--no-classify"]) == 1  # unreadable files
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM tracks").fetchone() == (300,)


def test_a_full_disk_during_tag_apply_is_one_line_and_every_file_comes_back(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    almost_full_disk,
) -> None:
    template = mp3_template(tmp_path_factory.getbasetemp() / "fault-template")
    songs = [make_mp3(template, tmp_path / "music" / f"{i}.mp3", ["Rock"]) for i in range(40)]
    originals = {p: sha256(p) for p in songs}
    db = tmp_path / "lib.db"
    almost_full_disk.room = None
    with Library.open(db) as lib:
        model = fake_model(lib)
        for song in songs:
            add_track(lib, song, model_id=model, predicted="metal", confidence=0.95)
    almost_full_disk.room = 1  # the disk fills while the batch runs
    one_line_failure(capsys, "tag", "--apply", "--db", str(db), says="full")

    almost_full_disk.room = None  # space again: the next command settles what was left
    assert main(["tag", "--apply", "--db", str(db)]) == 0
    assert main(["undo", "--db", str(db)]) == 0
    for batch in range(2):  # undo whatever the interrupted batch wrote too
        main(["undo", str(batch + 1), "--db", str(db)])
    capsys.readouterr()
    assert {p: sha256(p) for p in songs} == originals
    assert sorted(os.listdir(tmp_path / "music")) == sorted(p.name for p in songs)


@pytest.fixture
def damaged_library(tmp_path: Path) -> Path:
    db = tmp_path / "lib.db"
    with Library.open(db) as lib, lib.session() as s, s.begin():
        for i in range(3000):
            s.execute(
                text(
                    "INSERT INTO tracks (path, size, mtime_ns, genres, status, added_at, "
                    "updated_at) VALUES (:p, 1, 2, '[]', 'ok', '2024-01-01', '2024-01-01')"
                ),
                {"p": f"{tmp_path}/music/{i:05d}/" + "x" * 200},
            )
    data = bytearray(db.read_bytes())
    data[4096 * 3 : 4096 * 40] = os.urandom(4096 * 37)  # table and index pages, not the schema
    db.write_bytes(bytes(data))
    (tmp_path / "music").mkdir()
    return db


@pytest.mark.parametrize(
    "command",
    [["list"], ["stats"], ["scan", "MUSIC", "--no-classify"], ["tag"], ["tag", "--apply"]],
    ids=" ".join,
)
def test_a_damaged_library_is_one_line(
    damaged_library: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    music = str(damaged_library.parent / "music")
    argv = [music if a == "MUSIC" else a for a in command] + ["--db", str(damaged_library)]
    one_line_failure(capsys, *argv, says="damaged")


@pytest.mark.parametrize(
    "command",
    [["list"], ["stats"], ["scan", "MUSIC", "--no-classify"], ["tag", "--apply"], ["undo"]],
    ids=" ".join,
)
def test_another_applications_database_is_one_line_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "photos.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO albums (name) VALUES ('holiday')")
    connection.close()
    before = sha256(db)
    (tmp_path / "music").mkdir()
    argv = [str(tmp_path / "music") if a == "MUSIC" else a for a in command] + ["--db", str(db)]
    one_line_failure(capsys, *argv, says="another application's database")
    assert sha256(db) == before
