"""Fault injection: the disk under the library fills up during a scan (issue 9).

A real small tmpfs where this process may mount one (root), else SQLite's page limit, which
raises the very error a full disk does (SQLITE_FULL). Either way the scan stops with one-line
`LibraryError`, and the library stays consistent: it passes `PRAGMA integrity_check`, keeps
what was committed, and a scan with space again finishes the job.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from tagger.library import store
from tagger.library.scanner import scan
from tagger.library.store import Library, LibraryError

FILES = 400


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, object]]:
    """(folder for the library, give_space()): a 384 KB tmpfs, or a page limit on the library."""
    folder = tmp_path / "small-disk"
    if _mount_tmpfs(folder, "384k"):

        def give_space() -> None:
            subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)

        try:
            yield folder, give_space
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    limit = {"pages": 60}
    real = store.create_library_engine

    def limited(url, create=True):
        engine = real(url, create)

        @event.listens_for(engine, "connect")
        def _limit(dbapi_connection, _record):
            if limit["pages"]:
                dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

        return engine

    monkeypatch.setattr(store, "create_library_engine", limited)
    yield folder, lambda: limit.update(pages=0)


def test_a_disk_filling_during_a_scan_leaves_a_consistent_library(
    tmp_path: Path, small_disk: tuple[Path, object]
) -> None:
    folder, give_space = small_disk
    music = tmp_path / "music"
    music.mkdir()
    for i in range(FILES):
        (music / f"{i:04d} {'long name ' * 20}.mp3").write_bytes(b"not audio")
    db = folder / "library.db"

    with pytest.raises(LibraryError) as info, Library.open(db) as lib:
        scan(lib, [music])
    message = str(info.value)
    assert "\n" not in message and str(db) in message and "disk is full" in message

    give_space()  # type: ignore[operator]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = connection.execute("SELECT count(*) FROM tracks").fetchone()[0]
    connection.close()
    assert kept < FILES  # the fault came in the middle
    with Library.open(db) as lib:
        result = scan(lib, [music])
    assert result.found == FILES and result.added == FILES - kept
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM tracks").fetchone() == (FILES,)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
