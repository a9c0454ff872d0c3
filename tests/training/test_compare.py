"""`tagger compare` on the tiny corpus: one split for every run, one table, finished runs reused."""

import json

import numpy as np
import pytest
from audio_factory import write_tone

from tagger.cli import main
from tagger.model.checkpoint import load_model
from tagger.training.compare import CompareConfig, compare
from tagger.training.epoch_sampling import spread_windows

ARCHS = ("lstm", "mfcc-crnn")  # the two cheapest: the protocol is what is tested here
CONFIG = CompareConfig(archs=ARCHS, seeds=2, epochs=2, patience=2, batch_size=8, workers=1)


@pytest.fixture(scope="module")
def compared(tiny_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    logs: list[str] = []
    doc = compare(tiny_corpus, out, CONFIG, log=logs.append)
    return doc, out, logs


def test_every_architecture_and_seed_is_trained_and_measured(compared):
    doc, out, _ = compared
    assert [(r["arch"], r["seed"]) for r in doc["runs"]] == [(a, s) for a in ARCHS for s in (0, 1)]
    assert not doc["errors"]
    for run in doc["runs"]:
        assert run["track"]["n"] == doc["test_tracks"] and run["clip"]["n"] == doc["test_clips"]
        assert 0 <= run["clip"]["accuracy"] <= 1 and run["windows_per_second"] > 0
        assert run["parameters"] > 0 and run["epochs_run"] == 2


def test_one_split_for_every_run_and_seeds_change_the_weights(compared):
    doc, _, _ = compared
    models = [load_model(r["model"]) for r in doc["runs"]]
    splits = [m.training["split"] for m in models]
    assert all(s == splits[0] for s in splits)  # split seed fixed, training seeds differ
    assert len(splits[0]["test"]) == doc["test_tracks"]
    a, b = (m.network.state_dict() for m in models[:2])  # lstm, seeds 0 and 1
    assert any((a[k] != b[k]).any() for k in a)


def test_summary_has_mean_and_spread_over_seeds(compared):
    doc, _, _ = compared
    for arch in ARCHS:
        row = doc["summary"][arch]
        runs = [r for r in doc["runs"] if r["arch"] == arch]
        accuracies = [r["track"]["accuracy"] for r in runs]
        assert row["seeds"] == 2
        assert row["track_accuracy"]["mean"] == pytest.approx(sum(accuracies) / 2)
        assert row["track_accuracy"]["std"] == pytest.approx(
            abs(accuracies[0] - accuracies[1]) / 2**0.5
        )


def test_writes_table_json_and_plot(compared):
    doc, out, _ = compared
    table = (out / "compare.md").read_text()
    assert table.count("\n| `") == len(ARCHS)  # one row per architecture
    for arch in ARCHS:
        assert f"`{arch}`" in table
    assert json.loads((out / "compare.json").read_text())["summary"] == doc["summary"]
    assert (out / "compare.png").stat().st_size > 0


def test_a_second_run_reuses_finished_models_and_their_measurements(compared, tiny_corpus):
    first, out, _ = compared
    stamps = {p: p.stat().st_mtime_ns for p in (out / "models").glob("*.safetensors")}
    logs: list[str] = []
    again = compare(tiny_corpus, out, CONFIG, log=logs.append)
    assert again["runs"] == first["runs"]  # windows/s too: measured once, not again
    assert sum("reusing" in line for line in logs) == 4
    assert not any(line.endswith(": training") for line in logs)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_unknown_architecture_fails_before_training(tiny_corpus, tmp_path):
    with pytest.raises(ValueError, match="unknown architecture"):
        compare(tiny_corpus, tmp_path, CompareConfig(archs=("lstm", "transformer")))
    assert not (tmp_path / "models").exists()


def test_cli(tiny_corpus, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(tiny_corpus), "--arch", "lstm,nope", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "nope" in capsys.readouterr().err
    code = main(
        ["compare", str(tiny_corpus), "--arch", "lstm", "--seeds", "1", "--epochs", "1",
         "--batch-size", "8", "--workers", "1", "--out", str(tmp_path / "c")]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "| `lstm` |" in printed and (tmp_path / "c" / "compare.json").exists()


def test_window_subsampling_is_even_and_covers_the_track():
    assert spread_windows(60, None) == list(range(60))
    assert spread_windows(1, 10) == [0]  # a short track's one window
    ten = spread_windows(60, 10)
    assert len(ten) == 10 and ten[0] == 0 and ten[-1] == 59
    assert max(np.diff(ten)) - min(np.diff(ten)) <= 1


def test_a_corpus_too_small_for_any_run_is_one_clear_error(tmp_path, capsys):
    for label in ("metal", "hardcore"):  # two tracks per class: nothing to validate on
        for i in range(2):
            write_tone(tmp_path / "two" / label / f"{i}.wav", 1.0, 22_050, 200.0 + 100 * i)
    code = main(
        ["compare", str(tmp_path / "two"), "--arch", "lstm,mfcc-crnn", "--seeds", "1",
         "--epochs", "1", "--workers", "1", "--out", str(tmp_path / "c")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("tagger: error: no architecture could be trained") and "few" in last
    assert "lstm-seed0: failed: too few tracks" in err  # each run says why, as it happens


def test_a_model_trained_before_a_config_field_existed_is_still_reused(compared, tmp_path):
    from dataclasses import replace

    from tagger.model.checkpoint import save_model
    from tagger.training.compare import _finished
    from tagger.training.train import TrainConfig

    doc, _, _ = compared
    model = load_model(doc["runs"][0]["model"])
    stored = dict(model.training["config"])
    config = TrainConfig(**stored)
    older = {k: v for k, v in stored.items() if k not in ("refit", "calibrate")}
    path = tmp_path / "older.safetensors"
    training = {**model.training, "config": older}
    save_model(path, model.network, model.classes, model.frontend, training, model.metrics)
    assert _finished(path, config)  # the fields it lacks did not exist when it was trained
    assert not _finished(path, replace(config, lr=config.lr * 2))  # a field it has still counts
