"""`tagger tag --apply` SIGKILLed midway over 200 files: no file damaged, the database intact,
and then either `tagger undo` restores every old value or a re-run finishes the job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from tag_library_helpers import add_track, make_mp3, mp3_template

from tagger.cli import main
from tagger.library.schema import TagChange, TagChangeStatus, Track
from tagger.library.store import Library
from tagger.tags import read_genres

N_FILES = 200
KILL_AFTER = 50
REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _old(n: int) -> list[str]:
    return [f"Old {n}"] if n % 4 else []  # every fourth file starts with no genre


def _new(n: int) -> list[str]:
    return [*_old(n), "Metal"]


def _decodes(path: Path) -> bool:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(audio=0)) > 0


def _replaced(files: list[Path], before: dict[Path, int]) -> int:
    """How many files the batch has replaced so far (a safe write renames a new inode into
    place). Counted on the files, not by reading the database the killed process writes."""
    return sum(path.stat().st_ino != before[path] for path in files)  # os.replace: atomic


def _tag_apply_killed(db: Path, env: dict[str, str], files: list[Path]) -> None:
    before = {path: path.stat().st_ino for path in files}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tagger", "tag", "--apply", "--db", str(db)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while _replaced(files, before) < KILL_AFTER:
            assert proc.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _check_files_old_or_new(files: list[Path]) -> int:
    new = 0
    for n, path in enumerate(files):
        genres = read_genres(path)
        assert genres in (_old(n), _new(n)), (path.name, genres)
        new += genres == _new(n)
        assert _decodes(path), path.name
    return new


def _check_database(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _check_library_agrees(lib: Library, files: list[Path]) -> None:
    with lib.session() as s:
        tracks = {t.path: t for t in s.query(Track)}
        assert s.query(TagChange).filter_by(status=TagChangeStatus.PENDING).count() == 0
    for path in files:
        t, st = tracks[str(path)], path.stat()
        assert (t.size, t.mtime_ns, t.genres) == (st.st_size, st.st_mtime_ns, read_genres(path))


def test_kill_mid_batch_then_undo_or_rerun(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    template = mp3_template(tmp_path_factory.getbasetemp() / "kill-template")
    music = tmp_path / "music"
    db = tmp_path / "lib.db"
    files = [
        make_mp3(
            template,
            music / f"{n // 50:02d}" / f"t-{n:03d}.mp3",
            _old(n) or None,
            v2_version=3 if n % 2 else 4,
        )
        for n in range(N_FILES)
    ]
    with Library.open(db) as lib:
        for path in files:
            add_track(lib, path, user_label="metal")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TAGGER_SETTINGS": str(tmp_path / "settings.json"),
    }

    # 1. Killed midway: every file decodes and is exactly old or new; the database is fine.
    _tag_apply_killed(db, env, files)
    new = _check_files_old_or_new(files)
    assert KILL_AFTER <= new < N_FILES
    _check_database(db)

    # 2. `tagger undo` of the killed batch restores every old value, including the write that
    # was in flight (a pending row whose file holds the new genres counts as written).
    capsys.readouterr()
    assert main(["undo", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"restored {new} files" in out
    for n, path in enumerate(files):
        assert read_genres(path) == _old(n), path.name
    assert not list(music.rglob("*.tagger-tmp-*"))
    with Library.open(db) as lib:
        _check_library_agrees(lib, files)

    # 3. Killed again; this time a re-run finishes the job.
    _tag_apply_killed(db, env, files)
    assert KILL_AFTER <= _check_files_old_or_new(files) < N_FILES
    _check_database(db)
    assert main(["tag", "--apply", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "already tagged" in out
    for n, path in enumerate(files):
        assert read_genres(path) == _new(n), path.name
        assert _decodes(path), path.name
    assert not list(music.rglob("*.tagger-tmp-*"))
    with Library.open(db) as lib:
        _check_library_agrees(lib, files)
    # The killed batch is settled: what it wrote counts as written, the rest as skipped.
    assert main(["history", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 3
