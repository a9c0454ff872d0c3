"""`tagger tag | undo | history` through `tagger.cli.main`: output and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from tag_library_helpers import add_track, fake_model, make_mp3, mp3_template

from tagger.cli import main
from tagger.library.store import Library
from tagger.tags import read_genres


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "env-library.db"))


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """rock.mp3 (Rock; model: metal 0.95), none.mp3 (no genre; you: hardcore),
    unsure.mp3 (no genre; model: metal 0.6)."""
    template = mp3_template(tmp_path_factory.getbasetemp() / "cli-template")
    music = tmp_path / "music"
    files = {
        "rock": make_mp3(template, music / "rock.mp3", ["Rock"]),
        "none": make_mp3(template, music / "none.mp3", None),
        "unsure": make_mp3(template, music / "unsure.mp3", None),
    }
    with Library.open(tmp_path / "lib.db") as lib:
        model = fake_model(lib)
        add_track(lib, files["rock"], model_id=model, predicted="metal", confidence=0.95)
        add_track(
            lib,
            files["none"],
            model_id=model,
            predicted="metal",
            confidence=0.9,
            user_label="hardcore",
        )
        add_track(lib, files["unsure"], model_id=model, predicted="metal", confidence=0.6)
    files["db"] = tmp_path / "lib.db"
    return files


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tag_previews_by_default(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {k: p.read_bytes() for k, p in setup.items() if k != "db"}

    code, out, _ = _run(capsys, "tag", "--db", str(setup["db"]), "--min-confidence", "0.8")

    assert code == 0
    lines = out.splitlines()
    assert f"{setup['rock']}: Rock → Rock; Metal" in lines
    assert f"{setup['none']}: (no genre) → Hardcore" in lines
    assert not any("unsure.mp3" in line for line in lines)
    assert "preview: 2 files would change, 0 already tagged, 1 skipped (1 low-confidence)." in lines
    assert lines[-1] == "Nothing was written; add --apply to write these tags."
    assert {k: p.read_bytes() for k, p in setup.items() if k != "db"} == before
    code, out, _ = _run(capsys, "history", "--db", str(setup["db"]))
    assert (code, out) == (0, "(no tag batches yet)\n")


def test_tag_apply_then_undo_then_history(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(setup["db"])
    code, out, err = _run(
        capsys, "tag", "--apply", "--include-unreviewed", "--db", db, "--mode", "replace"
    )
    assert code == 0, err
    assert "batch 1: wrote 3 files, 0 already tagged." in out
    assert "Undo with: tagger undo 1" in out
    assert read_genres(setup["rock"]) == ["Metal"]
    assert read_genres(setup["none"]) == ["Hardcore"]

    code, out, _ = _run(capsys, "history", "--db", db)
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == [
        "ID",
        "TIME",
        "MODE",
        "WRITTEN",
        "SKIPPED",
        "STALE",
        "ERROR",
        "UNDONE",
        "STATE",
    ]
    assert row.split()[0] == "1" and row.split()[3:8] == ["replace", "3", "0", "0", "0"]

    code, out, _ = _run(capsys, "undo", "--db", db)
    assert code == 0
    assert f"{setup['rock']}: restored Rock" in out
    assert f"{setup['none']}: restored (no genre)" in out
    assert "undo batch 1: restored 3 files." in out
    assert read_genres(setup["rock"]) == ["Rock"]
    assert read_genres(setup["none"]) == []

    code, out, _ = _run(capsys, "history", "--db", db, "--format", "json")
    [batch] = json.loads(out)
    assert batch["counts"] == {
        "written": 0,
        "skipped": 0,
        "stale": 0,
        "error": 0,
        "undone": 3,
        "pending": 0,
    }
    assert batch["undone"] is True and batch["mode"] == "replace"

    code, _, err = _run(capsys, "undo", "--db", db)
    assert code == 2
    assert err == "tagger: error: nothing to undo: no tag batch has written any file\n"
    code, out, _ = _run(capsys, "undo", "1", "--db", db)
    assert (code, out) == (0, "batch 1: nothing left to undo.\n")


def test_stale_file_and_refused_undo_exit_1(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(setup["db"])
    st = setup["unsure"].stat()
    os.utime(setup["unsure"], ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))

    code, out, err = _run(capsys, "tag", "--apply", "--include-unreviewed", "--db", db)

    assert code == 1
    assert f"{setup['unsure']}: stale: changed on disk since the last scan" in err
    assert "batch 1: wrote 2 files, 0 already tagged, 1 stale" in out
    assert read_genres(setup["unsure"]) == []

    tags = ID3(str(setup["rock"]))
    tags.delall("TCON")
    tags.save(str(setup["rock"]))
    code, out, err = _run(capsys, "undo", "--db", db)
    assert code == 1
    assert f"{setup['rock']}: refused: the file changed since batch 1" in err
    assert "undo batch 1: restored 1 files, refused 1 (changed since the batch)." in out
    assert read_genres(setup["rock"]) == []  # the user's edit stays


def test_paths_label_and_genre_strings(
    setup: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(setup["db"])
    (tmp_path / "settings.json").write_text(json.dumps({"genre_strings": {"metal": "Heavy Metal"}}))

    code, out, _ = _run(capsys, "tag", str(setup["rock"]), "--db", db)
    assert code == 0
    assert f"{setup['rock']}: Rock → Rock; Heavy Metal" in out
    assert "none.mp3" not in out

    code, out, _ = _run(
        capsys,
        "tag",
        str(tmp_path / "music"),
        "--label",
        "HARDCORE",
        "--db",
        db,
        "--genre-string",
        "hardcore=Beatdown Hardcore",
        "--apply",
    )
    assert code == 0
    assert read_genres(setup["none"]) == ["Beatdown Hardcore"]
    assert read_genres(setup["rock"]) == ["Rock"]


def test_user_mistakes_are_one_line_errors(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(setup["db"])
    code, _, err = _run(capsys, "tag", "--db", db, "--genre-string", "metal")
    assert code == 2
    assert err == "tagger: error: --genre-string wants CLASS=TEXT, e.g. metal=Metal, not 'metal'\n"
    code, _, err = _run(capsys, "undo", "7", "--db", db)
    assert (code, err) == (2, "tagger: error: there is no tag batch 7\n")
    with pytest.raises(SystemExit) as exc:
        main(["tag", "--min-confidence", "2", "--db", db])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["tag", "--mode", "append", "--db", db])
