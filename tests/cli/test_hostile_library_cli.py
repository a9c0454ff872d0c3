"""Issue 9 through the real `tagger` command (a subprocess): hostile files never stop a scan,
odd file names go all the way from scan to undo, and links leaving the library need a word."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from audio_factory import tone, write_audio
from hostile_corpus import make_hostile_corpus

from tagger.cli import main

REPO = Path(__file__).resolve().parents[2]


def tagger(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m tagger ARGS` with its own settings; output as bytes (names may be any)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["TAGGER_SETTINGS"] = str(tmp_path / "settings.json")
    env["TAGGER_DB"] = str(tmp_path / "env-library.db")
    return subprocess.run(
        [sys.executable, "-m", "tagger", *map(os.fsdecode, args)],
        capture_output=True,
        env=env,
        timeout=300,
    )


def listed(tmp_path: Path, db: Path, *flags: str) -> list[dict]:
    run = tagger(tmp_path, "list", "--db", db, "--format", "json", *flags)
    assert run.returncode == 0, run.stderr
    run.stdout.decode("utf-8")  # valid UTF-8 whatever the file names
    return json.loads(run.stdout)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_of_hostile_files_beside_good_ones(tmp_path: Path, random_model: Path) -> None:
    music = tmp_path / "music"
    cases = make_hostile_corpus(music / "hostile")
    (music / "good").mkdir()
    good = [
        write_audio(music / "good" / f"song {i}.flac", tone(3.0 + i, freq=220.0 * (i + 1)))
        for i in range(3)
    ]
    (music / ".hidden.mp3").write_bytes(good[0].read_bytes())
    db = tmp_path / "lib.db"

    run = tagger(tmp_path, "scan", music, "--db", db, "--model", random_model, "--workers", "1")

    assert run.returncode == 1, run.stderr  # some files failed, and the status says so
    assert b"Traceback" not in run.stderr + run.stdout
    assert b"skipped 1 hidden file" in run.stdout
    rows = {os.fsencode(r["path"]): r for r in listed(tmp_path, db)}
    expected = [c.path for c in cases] + good
    assert sorted(rows) == sorted(os.fsencode(p) for p in expected)  # one row per file
    for case in cases:
        row = rows[os.fsencode(case.path)]
        if case.decodes:
            assert row["status"] == "ok" and row["label"] in ("hardcore", "metal"), case.name
        else:
            assert row["status"] == "error" and row["error"], case.name
    for path in good:
        row = rows[os.fsencode(path)]
        assert row["status"] == "ok" and 0.5 <= row["confidence"] <= 1.0
    errors = listed(tmp_path, db, "--errors")
    assert len(errors) == sum(not c.decodes for c in cases)
    assert {r["error"] for r in errors} >= {"broken symbolic link", "not a regular file"}


@pytest.mark.parametrize(
    "name",
    [b"caf\xe9 \xe0 la cr\xe8me.mp3", b"x" * 251 + b".mp3"],
    ids=["latin-1 name", "255-byte name"],
)
def test_an_odd_file_name_is_scanned_classified_tagged_and_undone(
    tmp_path: Path, random_model: Path, name: bytes
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    song = Path(os.fsdecode(os.fsencode(music) + b"/" + name))
    write_audio(song, tone(4.0))
    original = sha256(song)
    db = tmp_path / "lib.db"

    run = tagger(tmp_path, "scan", music, "--db", db, "--model", random_model, "--workers", "1")
    assert run.returncode == 0, run.stderr
    [row] = listed(tmp_path, db)
    assert os.fsencode(row["path"]) == os.fsencode(song) and row["status"] == "ok"
    table = tagger(tmp_path, "list", "--db", db)
    assert os.fsencode(song) in table.stdout  # shown as its own bytes, as `ls` would

    assert tagger(tmp_path, "label", song, "--as", "metal", "--db", db).returncode == 0
    run = tagger(tmp_path, "tag", "--apply", "--db", db)
    assert run.returncode == 0 and b"wrote 1 files" in run.stdout, run.stdout + run.stderr
    assert sha256(song) != original
    assert sorted(os.listdir(os.fsencode(music))) == [name]  # no temporary file left
    run = tagger(tmp_path, "undo", "--db", db)
    assert run.returncode == 0 and b"restored 1 files" in run.stdout, run.stdout + run.stderr
    assert sha256(song) == original


def test_a_link_leaving_the_scanned_folders_is_named_and_written_only_on_request(
    tmp_path: Path, random_model: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    outside = write_audio(tmp_path / "elsewhere" / "theirs.mp3", tone(4.0))
    music = tmp_path / "music"
    music.mkdir()
    mine = write_audio(music / "mine.mp3", tone(4.0, freq=330.0))
    (music / "link.mp3").symlink_to(outside)
    db = tmp_path / "lib.db"
    run = tagger(tmp_path, "scan", music, "--db", db, "--model", random_model, "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert tagger(tmp_path, "label", music, "--as", "metal", "--db", db).returncode == 0
    before = sha256(outside)

    preview = tagger(tmp_path, "tag", "--db", db)  # all tracks: the scanned folder is the limit
    assert preview.returncode == 0, preview.stderr
    assert b"outside" in preview.stdout and b"link.mp3" in preview.stdout
    run = tagger(tmp_path, "tag", "--apply", "--db", db)
    assert b"wrote 1 files" in run.stdout, run.stdout + run.stderr
    assert sha256(outside) == before and sha256(mine) != before

    run = tagger(tmp_path, "tag", "--apply", "--follow-links-outside", "--db", db)
    assert b"wrote 1 files" in run.stdout, run.stdout + run.stderr
    assert sha256(outside) != before


def test_csv_quotes_a_path_holding_a_carriage_return(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    song = write_audio(music / "two\rlines.flac", tone(2.0))
    db = tmp_path / "lib.db"
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    assert main(["scan", str(music), "--db", str(db), "--no-classify"]) == 0
    capsys.readouterr()
    assert main(["list", "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert [r["path"] for r in rows] == [str(song)]
