"""A three-class demo corpus, end to end through the command line: render, train, classify, scan,
list. The budget is tiny (one epoch), so this checks the N-class path, not what is learned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagger.cli import main
from tagger.model.checkpoint import load_model

CLASSES = ["hardcore", "metal", "other"]  # the model's order: sorted folder names


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "default.db"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, err  # every step of the path succeeds; the message says why not
    return status, out


def test_three_class_demo_corpus_trains_classifies_scans_and_lists(tmp_path, capsys):
    corpus, model, db = tmp_path / "demo3", tmp_path / "three.safetensors", tmp_path / "lib.db"
    status, _ = run(
        capsys, "demo-corpus", str(corpus), "--classes", "metal,hardcore,other",
        "--tracks", "36", "--seed", "1", "--min-seconds", "3", "--max-seconds", "4",
        "--workers", "1",
    )  # fmt: skip
    assert status == 0
    status, _ = run(
        capsys, "train", str(corpus), "--out", str(model), "--epochs", "1",
        "--windows-per-track", "2", "--val-windows-per-track", "2", "--workers", "1",
    )  # fmt: skip
    assert status == 0 and load_model(model).classes == tuple(CLASSES)

    others = sorted((corpus / "other").iterdir())
    status, out = run(capsys, "classify", "--model", str(model), "--json", str(others[0]))
    verdict = json.loads(out.splitlines()[0])
    assert status == 0 and set(verdict["probabilities"]) == set(CLASSES)
    assert sum(verdict["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)

    # --all: the `other` tracks carry genre tags (jazz, electronic ...) that are out of scope
    status, _ = run(
        capsys, "scan", str(corpus), "--db", str(db), "--model", str(model),
        "--workers", "1", "--all",
    )  # fmt: skip
    assert status == 0
    status, out = run(capsys, "list", "--db", str(db), "--format", "json")
    rows = json.loads(out)
    audio = [p for p in corpus.rglob("*") if p.is_file() and p.name != "corpus.json"]
    assert status == 0 and len(rows) == len(audio) == 36
    assert all(r["status"] == "ok" and r["label"] in CLASSES for r in rows)
    # three classes: a verdict can be under one half, never under one third
    assert all(1 / 3 <= r["confidence"] <= 1 for r in rows)
