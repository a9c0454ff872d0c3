"""`tagger scan | review | label | list | stats` through tagger.cli.main, every output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import torch
from album_library import AGAINST, AGAINST_REASON, UNSURE, UNSURE_REASON, fill_album_library
from audio_factory import write_tone

from tagger.audio.mel import FrontEndConfig
from tagger.cli import main
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig


def tone(path: Path, freq: float) -> Path:
    return write_tone(path, 1.0, 16_000, freq)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(1)
    path = tmp_path_factory.mktemp("cli-model") / "tiny.safetensors"
    return save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig())


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory, model: Path) -> tuple[Path, Path]:
    """A small library scanned and classified once for the read-only commands."""
    root = tmp_path_factory.mktemp("cli-music")
    for i in range(3):
        tone(root / "band" / f"song {i}.wav", 200 + 50 * i)
    tone(root / "other" / "track.mp3", 440)
    (root / "other" / "junk.mp3").write_bytes(b"not audio at all" * 10)
    db = root.parent / f"{root.name}.db"
    status = main(["scan", str(root), "--db", str(db), "--model", str(model), "--workers", "1"])
    assert status == 1  # junk.mp3 cannot be read: the scan says so in its status
    return root, db


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "default.db"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_in_every_format(classified: tuple[Path, Path], capsys) -> None:
    root, db = classified
    status, out, _ = run(capsys, "list", "--db", str(db), "--format", "json")
    assert status == 0
    rows = json.loads(out)
    assert len(rows) == 5
    for row in rows:
        assert {"path", "status", "label", "confidence", "decided_by", "error"} <= set(row)
    junk = next(r for r in rows if r["path"].endswith("junk.mp3"))
    assert junk["status"] == "error" and junk["error"] and junk["label"] is None
    good = [r for r in rows if r is not junk]
    assert all(r["status"] == "ok" and r["decided_by"] == "model" for r in good)
    assert all(r["label"] in ("hardcore", "metal") and 0.5 <= r["confidence"] <= 1 for r in good)

    status, out, _ = run(capsys, "list", "--db", str(db), "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(parsed) == 5 and parsed[0]["path"] == rows[0]["path"]

    status, out, _ = run(capsys, "list", "--db", str(db))
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["STATUS", "VERDICT", "PATH"] and len(lines) == 6

    status, out, _ = run(capsys, "list", "--db", str(db), "--errors", "--format", "json")
    assert [Path(r["path"]).name for r in json.loads(out)] == ["junk.mp3"]
    label = good[0]["label"]
    _, out, _ = run(capsys, "list", "--db", str(db), "--label", label.upper(), "--format", "json")
    assert {r["label"] for r in json.loads(out)} == {label}
    _, out, _ = run(capsys, "list", "--db", str(db), "--missing", "--format", "json")
    assert json.loads(out) == []
    _, out, _ = run(capsys, "list", "--db", str(db), "--missing")
    assert "(no tracks)" in out


def test_review_label_and_stats(classified: tuple[Path, Path], model: Path, capsys) -> None:
    root, db = classified
    # a random model is never sure: with threshold 1 every classified track needs review
    status, out, _ = run(capsys, "review", "--db", str(db), "--threshold", "1", "--format", "json")
    queue = json.loads(out)
    assert status == 0 and len(queue) == 4
    assert [r["confidence"] for r in queue] == sorted(r["confidence"] for r in queue)
    _, out, _ = run(capsys, "review", "--db", str(db), "--threshold", "1", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 4
    _, out, _ = run(capsys, "review", "--db", str(db), "--threshold", "1")
    assert out.splitlines()[0].startswith("MODEL_CONFIDENCE")

    song = root / "band" / "song 0.wav"
    status, out, _ = run(
        capsys,
        "label",
        str(song),
        str(root / "other"),
        "--as",
        "METAL",
        "--db",
        str(db),
        "--model",
        str(model),
    )
    assert status == 0 and "labeled 3 tracks as metal" in out
    _, out, _ = run(capsys, "review", "--db", str(db), "--threshold", "1", "--format", "json")
    assert str(song) not in [r["path"] for r in json.loads(out)]
    _, out, _ = run(capsys, "list", "--db", str(db), "--format", "json")
    decided = next(r for r in json.loads(out) if r["path"] == str(song))
    assert (decided["label"], decided["decided_by"]) == ("metal", "user")
    # the decision is the user's: no confidence of its own; the model's verdict stays beside it
    assert decided["confidence"] is None
    assert decided["model_label"] in ("metal", "hardcore") and decided["model_confidence"] >= 0.5
    _, out, _ = run(capsys, "list", "--db", str(db))
    row = next(line for line in out.splitlines() if line.endswith(str(song)))
    assert "Metal — your decision" in row and "%" not in row

    status, out, _ = run(capsys, "stats", "--db", str(db))
    assert status == 0 and "by label:" in out and "tiny" in out
    status, out, _ = run(capsys, "stats", "--db", str(db), "--format", "json")
    stats = json.loads(out)
    assert stats["total"] == 5 and stats["statuses"] == {"ok": 4, "error": 1}
    assert stats["decided_by"]["user"] == 3 and stats["models"][0]["name"] == "tiny"


def test_rescan_is_quiet_and_no_classify_and_env_db(
    tmp_path: Path, model: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "m"
    tone(root / "a.wav", 300)
    tone(root / "Jazz.wav", 300.5)
    status, out, _ = run(capsys, "scan", str(root), "--no-classify")  # the library from $TAGGER_DB
    assert status == 0 and "2 new" in out
    assert (tmp_path / "default.db").exists()
    status, out, _ = run(capsys, "scan", str(root), "--model", str(model), "--workers", "1")
    assert status == 0 and "2 unchanged" in out and "classified 2 of 2" in out
    status, out, _ = run(capsys, "scan", str(root), "--model", str(model))
    assert status == 0 and "nothing to classify" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "/no/such/folder", "--no-classify"], "no such file or folder"),
        (["scan", ".", "--model", "/no/model.safetensors"], "cannot load the model"),
        (["label", "/not/in/library.mp3", "--as", "metal"], "no library at"),
        (["list", "--db", "nosuchdialect://x"], "cannot open the library"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(
    argv: list[str], message: str, capsys, model: Path, tmp_path: Path
) -> None:
    Path(tmp_path / "settings.json").write_text(json.dumps({"model_path": str(model)}))
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err and "Traceback" not in err


def test_label_refuses_a_class_the_model_does_not_have(
    classified: tuple[Path, Path], model: Path, capsys
) -> None:
    root, db = classified
    status, _, err = run(
        capsys, "label", str(root / "band"), "--as", "jazz", "--db", str(db), "--model", str(model)
    )
    assert status == 2 and "not one of the model's classes" in err


def test_review_says_why_each_track_is_there(tmp_path: Path, capsys) -> None:
    db = str(fill_album_library(tmp_path / "albums.db"))
    status, out, _ = run(capsys, "review", "--db", db, "--format", "json")
    reasons = {r["path"]: r["review_reasons"] for r in json.loads(out)}
    assert status == 0 and reasons == {AGAINST: [AGAINST_REASON], UNSURE: [UNSURE_REASON]}
    _, out, _ = run(capsys, "review", "--db", db, "--format", "csv")
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows[AGAINST]["review_reasons"] == AGAINST_REASON
    _, out, _ = run(capsys, "review", "--db", db)
    header, *lines = out.splitlines()
    assert "REVIEW_REASONS" in header.split()
    assert AGAINST_REASON in next(line for line in lines if line.endswith(AGAINST))


def test_stats_lists_its_models_in_columns() -> None:
    from tagger.cli.library import model_usage_lines
    from tagger.library.stats import ModelUsage

    long = ModelUsage("my-model", "/m/my-model.safetensors", "a" * 64, ["metal"], 572)
    short = ModelUsage("seed1", "/m/seed1.safetensors", "b" * 64, ["metal"], 0)
    assert model_usage_lines([long, short]) == [
        "  my-model  aaaaaaaaaaaa  572 tracks  /m/my-model.safetensors",
        "  seed1     bbbbbbbbbbbb    0 tracks  /m/seed1.safetensors",
    ]
