"""Two `tagger scan` processes started together on the same new folder and the same library (two
hosts sharing a PostgreSQL library; two processes sharing an SQLite file): both finish, every
file gets one row and one prediction, and the results are those of a plain SQLite scan."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from library_helpers import MakeLibrary, predictions_per_track, stored_results
from sqlalchemy import select, text

from tagger.library.schema import Track, TrackStatus
from tagger.library.store import Library

pytestmark = [pytest.mark.slow, pytest.mark.both_backends]
PROJECT = Path(__file__).resolve().parents[2]
FILES = 30


def _scanner(root: Path, db: str, model: Path) -> subprocess.Popen:
    args = ["scan", str(root), "--db", db, "--model", str(model), "--workers", "1"]
    return subprocess.Popen(
        [sys.executable, "-m", "tagger", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )


class _StartGate:
    """Holds the tracks table so that neither scanner can add a row until both have compared
    the folder with the library (each then finds every file new): the race, every time.

    PostgreSQL: a SHARE lock on `tracks` (reads pass, inserts wait), opened once both scanners
    wait on it. SQLite: the write lock, opened once both scanners have the file open and had a
    moment to reach their first write (well inside their 10 s busy timeout)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.connection = library.engine.connect()
        self.transaction = self.connection.begin()
        if library.engine.dialect.name == "postgresql":
            self.connection.execute(text("LOCK TABLE tracks IN SHARE MODE"))
        else:
            self.connection.exec_driver_sql("DELETE FROM tracks WHERE id < 0")  # the write lock

    def open_when_waiting(self, scanners: list[subprocess.Popen], db: str) -> None:
        deadline = time.monotonic() + 120
        while not self._all_waiting(scanners, db):
            assert time.monotonic() < deadline, "the scanners never reached the library"
            assert all(p.poll() is None for p in scanners), "a scanner ended before the gate"
            time.sleep(0.05)
        self.transaction.commit()
        self.connection.close()

    def _all_waiting(self, scanners: list[subprocess.Popen], db: str) -> bool:
        if self.library.engine.dialect.name == "postgresql":
            with self.library.engine.connect() as c:
                waiting = c.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            return waiting == len(scanners)
        holding = [_has_open(p.pid, db) for p in scanners]
        if all(holding):
            time.sleep(2.0)  # walk 30 files and reach the first write
            return True
        return False


def _has_open(pid: int, file: str) -> bool:
    try:
        return any(
            os.path.realpath(f"/proc/{pid}/fd/{fd}") == os.path.realpath(file)
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:
        return False


def test_two_first_scans_of_one_new_folder_store_each_file_once(
    library_db: str, tiny_model: Path, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    make_music(FILES, root)
    with Library.open(library_db) as library:
        gate = _StartGate(library)
        scanners = [_scanner(root, library_db, tiny_model) for _ in range(2)]
        gate.open_when_waiting(scanners, library_db)
        outputs = [p.communicate(timeout=300)[0] for p in scanners]
        for p, out in zip(scanners, outputs, strict=True):
            assert p.returncode == 0, out
        per_track = predictions_per_track(library)
        assert len(per_track) == FILES and set(per_track.values()) == {1}, per_track
        with library.session() as s:
            assert set(s.scalars(select(Track.status))) == {TrackStatus.OK}
        shared = stored_results(library)
    # Both found every file new; the one that lost the race to a row says so as unchanged.
    assert sum(f"{FILES} audio files: {FILES} new" in out for out in outputs) >= 1, outputs

    alone_db = str(tmp_path / "alone.db")
    alone = _scanner(root, alone_db, tiny_model)
    out, _ = alone.communicate(timeout=300)
    assert alone.returncode == 0, out
    with Library.open(alone_db) as library:
        expected = stored_results(library)
    assert set(shared) == set(expected)
    for path, (label, probabilities) in expected.items():
        assert shared[path][0] == label
        assert shared[path][1] == pytest.approx(probabilities, abs=1e-4)
