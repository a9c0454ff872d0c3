"""What a new user trips over on the command line (issue 10): exit statuses from real processes,
read-only commands that never create a library, one list schema, warnings, help text."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from audio_factory import write_tone

from tagger.audio.mel import FrontEndConfig
from tagger.cli import build_parser, main
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(2)
    path = tmp_path_factory.mktemp("firstrun-model") / "tiny.safetensors"
    return save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig())


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "default.db"))


def tagger(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`tagger ARGV` as a user runs it: a process of its own, with its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "tagger", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def music(tmp_path: Path) -> Path:
    root = tmp_path / "music"
    write_tone(root / "a.wav", 1.0, 16_000, 220)
    write_tone(root / "b.wav", 1.0, 16_000, 330)
    (root / "broken.mp3").write_bytes(b"no audio in here" * 16)
    return root


# --- exit statuses, from real processes ----------------------------------------------------------


def test_gui_without_a_display_is_one_line_and_exit_2_before_qt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONPATH"] = str(ROOT)
    env["TAGGER_DB"] = str(tmp_path / "lib.db")
    done = subprocess.run(
        [sys.executable, "-m", "tagger", "gui"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2  # not Qt's abort (134)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "DISPLAY" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "xvfb-run" in lines[0]
    assert not (tmp_path / "lib.db").exists()


def test_gui_demo_checks_the_display_before_rendering_anything(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "tagger", "gui", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and "DISPLAY" in done.stderr
    assert not (tmp_path / "data").exists()
    done = tagger("gui", "--demo", str(tmp_path), env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2 and "--demo opens its own library" in done.stderr


def test_scan_exits_1_when_a_file_failed_and_0_when_none_did(music: Path, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    done = tagger("scan", str(music), "--no-classify", "--db", str(db))
    assert done.returncode == 1, done.stderr
    assert "1 unreadable" in done.stdout
    (music / "broken.mp3").unlink()
    done = tagger("scan", str(music), "--no-classify", "--db", str(db))
    assert done.returncode == 0, done.stderr


def test_read_only_commands_never_create_a_library(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "dir" / "lib.db"
    for argv in (["stats"], ["list"], ["review"], ["history"], ["tag"], ["undo"]):
        done = tagger(*argv, "--db", str(missing))
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stderr.count("\n") == 1 and str(missing) in done.stderr, done.stderr
        assert "sqlite:" not in done.stderr and "sqlalche.me" not in done.stderr
    assert not (tmp_path / "nope").exists()


def test_a_database_error_is_one_line_with_the_users_path(tmp_path: Path) -> None:
    damaged = tmp_path / "lib.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    for argv in (["stats"], ["scan", str(tmp_path), "--no-classify"]):
        done = tagger(*argv, "--db", str(damaged))
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and str(damaged) in done.stderr, done.stderr
        assert "sqlite:" not in done.stderr and "sqlalche.me" not in done.stderr


def test_the_db_option_is_accepted_before_the_command(music: Path, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert tagger("--db", str(db), "scan", str(music), "--no-classify").returncode == 1
    done = tagger("--db", str(db), "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3


# --- list: one schema, reasons, warnings ----------------------------------------------------


def test_list_csv_header_is_the_same_with_and_without_rows(
    music: Path, tmp_path: Path, capsys
) -> None:
    db = str(tmp_path / "lib.db")
    assert cli(capsys, "scan", str(music), "--no-classify", "--db", db)[0] == 1
    _, with_rows, _ = cli(capsys, "list", "--db", db, "--format", "csv")
    _, no_rows, _ = cli(capsys, "list", "--missing", "--db", db, "--format", "csv")
    assert len(with_rows.splitlines()) == 4 and len(no_rows.splitlines()) == 1
    assert with_rows.splitlines()[0] == no_rows.splitlines()[0]
    header = next(csv.reader(io.StringIO(no_rows)))
    assert {"model_label", "model_confidence", "confidence", "error"} <= set(header)
    _, as_json, _ = cli(capsys, "list", "--db", db, "--format", "json")
    assert all(list(record) == header for record in json.loads(as_json))


def test_list_errors_table_shows_the_reason(music: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "lib.db")
    cli(capsys, "scan", str(music), "--no-classify", "--db", db)
    _, out, _ = cli(capsys, "list", "--errors", "--db", db, "--format", "json")
    (reason,) = [r["error"] for r in json.loads(out)]
    _, table, _ = cli(capsys, "list", "--errors", "--db", db)
    assert table.splitlines()[0].split() == ["STATUS", "ERROR", "PATH"]
    assert reason and reason in table


def test_unknown_labels_are_warned_about(music: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "lib.db")
    cli(capsys, "scan", str(music), "--no-classify", "--db", db)
    status, out, err = cli(capsys, "list", "--label", "jazz", "--db", db)
    assert status == 0 and "(no tracks)" in out
    assert "warning" in err and "'jazz' is not a known class" in err
    _, _, err = cli(capsys, "list", "--label", "METAL", "--db", db)
    assert "warning" not in err
    status, _, err = cli(capsys, "tag", "--genre-string", "jazz=Jazz", "--db", db)
    assert status == 0 and "'jazz' is not a known class" in err
    _, _, err = cli(capsys, "tag", "--genre-string", "Metal=Heavy Metal", "--db", db)
    assert "warning" not in err


def test_tagging_a_folder_outside_the_library_says_so(music: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "lib.db")
    cli(capsys, "scan", str(music), "--no-classify", "--db", db)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    status, out, err = cli(capsys, "tag", str(elsewhere), "--db", db)
    assert status == 2 and f"not in the library: {elsewhere}" in err
    assert "would change" not in out


def test_tag_preview_says_how_many_it_left_for_review(
    music: Path, tmp_path: Path, model: Path, capsys
) -> None:
    db = str(tmp_path / "lib.db")
    (music / "broken.mp3").unlink()
    # threshold 1: a model is never that sure, so both tracks wait for review
    (tmp_path / "settings.json").write_text(json.dumps({"threshold": 1.0}))
    assert cli(capsys, "scan", str(music), "--db", db, "--model", str(model))[0] == 0
    status, out, _ = cli(capsys, "tag", "--db", db)
    assert status == 0
    assert "0 files would change" in out
    assert "2 left for review (--include-unreviewed writes them)" in out
    _, out, _ = cli(capsys, "tag", "--db", db, "--include-unreviewed")
    assert "2 files would change" in out and "left for review" not in out


def test_scan_progress_and_a_rescan_with_nothing_to_do(
    music: Path, tmp_path: Path, model: Path, capsys
) -> None:
    db = str(tmp_path / "lib.db")
    (music / "broken.mp3").unlink()
    status, out, err = cli(capsys, "scan", str(music), "--db", db, "--model", str(model))
    assert status == 0 and "classified 2 of 2" in out
    assert err.index("loading the model") == 0  # said before the seconds the model takes
    status, out, _ = cli(capsys, "scan", str(music), "--db", db, "--model", str(model))
    assert status == 0 and "nothing to classify" in out and "0 of 0" not in out


# --- options and help ------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_has_help() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helped = {c.dest for c in action._choices_actions if c.help}
    commands = _subcommands(parser)
    assert set(commands) == helped
    for name, sub in commands.items():
        for option in sub._actions:
            if isinstance(option, argparse._HelpAction):
                continue
            assert option.help, f"tagger {name} {option.option_strings or option.dest}: no help"


def test_help_states_defaults() -> None:
    commands = _subcommands(build_parser())
    help_of = {(name, o.dest): o.help or "" for name, sub in commands.items() for o in sub._actions}
    from tagger.library.settings import Settings

    assert f"default: the settings', {Settings().threshold}" in help_of[("review", "threshold")]
    assert str(os.cpu_count()) in help_of[("demo-corpus", "workers")]
    assert commands["demo-corpus"].parse_args(["out"]).workers == os.cpu_count()


def test_timeout_zero_is_refused_and_no_timeout_is_explicit(capsys) -> None:
    scan = _subcommands(build_parser())["scan"]
    with pytest.raises(SystemExit) as exit_:
        scan.parse_args([".", "--timeout", "0"])
    assert exit_.value.code == 2 and "--no-timeout" in capsys.readouterr().err
    assert scan.parse_args([".", "--no-timeout"]).timeout == float("inf")
    assert scan.parse_args([".", "--timeout", "2.5"]).timeout == 2.5
    with pytest.raises(SystemExit):
        scan.parse_args([".", "--timeout", "3", "--no-timeout"])
