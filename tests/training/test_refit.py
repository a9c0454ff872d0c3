"""The refit: after the split run, the same start trained again on every measured label."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from tagger.model.checkpoint import load_model
from tagger.training.dataset import discover
from tagger.training.labeled_set import labeled_set
from tagger.training.train import TrainConfig, TrainingCancelled, train

CONFIG = TrainConfig(epochs=10, patience=1, seed=0, workers=1, batch_size=8, refit=True)


@pytest.fixture
def label_set(tiny_corpus):
    _, tracks = discover(tiny_corpus)
    tracks = [
        dataclasses.replace(t, source="tag", fingerprint=f"fp{i}") for i, t in enumerate(tracks)
    ]
    return labeled_set(tracks, "a test library")


def _weights(path):
    return load_model(path).network.state_dict()


def test_a_library_model_is_refit_on_train_validation_and_test(label_set, tmp_path):
    reports = []
    out = tmp_path / "refit.safetensors"
    result = train(
        label_set, out, CONFIG, held_out=True, show_progress=False, log=print,
        progress=reports.append,
    )  # fmt: skip
    model = load_model(out)
    split = result.split
    assert model.training["refit"]["tracks"] == len(split.train) + len(split.val) + len(split.test)
    assert model.training["refit"]["epochs"] == result.best_epoch >= 1
    assert model.metrics["test"]["measured_on"].startswith("the split run's model")
    assert model.network.config.temperature == pytest.approx(
        model.metrics["calibration"]["temperature"], rel=1e-5
    )
    stages = [r.stage.split()[0] for r in reports if r.stage]
    assert stages.index("measuring") < stages.index("refitting") < stages.index("saving")

    plain = tmp_path / "plain.safetensors"
    train(label_set, plain, dataclasses.replace(CONFIG, refit=False), held_out=True,
          show_progress=False, log=print)  # fmt: skip
    assert load_model(plain).training["refit"] is None
    refit_w, plain_w = _weights(out), _weights(plain)
    assert any(not torch.equal(refit_w[k], plain_w[k]) for k in plain_w)


def test_a_folder_model_keeps_its_test_split_out_of_the_refit(tiny_corpus, tmp_path):
    out = tmp_path / "folder.safetensors"
    result = train(tiny_corpus, out, CONFIG, show_progress=False, log=print)
    refit = load_model(out).training["refit"]
    assert refit["tracks"] == len(result.split.train) + len(result.split.val)  # for `evaluate`
    assert result.split.test


def test_a_run_cancelled_while_refitting_resumes_without_its_epochs(label_set, tmp_path):
    out = tmp_path / "lib.safetensors"
    logs: list[str] = []
    with pytest.raises(TrainingCancelled, match="refitting"):
        train(
            label_set, out, CONFIG, held_out=True, show_progress=False, log=logs.append,
            cancel=lambda: any(line.startswith("refitting") for line in logs),
        )  # fmt: skip
    assert not out.exists() and out.with_name(out.name + ".resume").exists()
    logs.clear()
    train(label_set, out, CONFIG, held_out=True, show_progress=False, log=logs.append)
    assert any("resuming after the last epoch" in line for line in logs)
    assert not any(line.startswith("epoch ") for line in logs)  # no epoch ran again
    assert any(line.startswith("refit epoch") for line in logs)
    assert load_model(out).training["refit"]["epochs"] >= 1


def test_the_refit_shares_the_epoch_cap(label_set, tmp_path):
    """Two epochs capped at two: a refit would pass the cap that bounds a run's time."""
    out = tmp_path / "capped.safetensors"
    logs: list[str] = []
    config = dataclasses.replace(CONFIG, epochs=2, patience=5)  # both epochs run
    train(label_set, out, config, held_out=True, show_progress=False, log=logs.append)
    assert load_model(out).training["refit"] is None
    assert any(line.startswith("no refit:") for line in logs)


def test_the_refit_runs_at_least_its_minimum_within_the_cap(label_set, tmp_path):
    """A best epoch of 1 refits for the minimum; the cap still bounds it."""
    runs = {}
    for cap in (10, 4):  # patience 1: the split run stops after best epoch + 1 epoch
        out = tmp_path / f"cap{cap}.safetensors"
        config = dataclasses.replace(CONFIG, epochs=cap, refit_min_epochs=5)
        result = train(label_set, out, config, held_out=True, show_progress=False, log=print)
        runs[cap] = (result, load_model(out).training)
    result, training = runs[10]
    assert training["refit"]["epochs"] == max(result.best_epoch, 5)
    result, training = runs[4]
    room = 4 - training["epochs_run"]
    assert result.best_epoch <= room < 5  # the cap, not the minimum, sets the refit's length
    assert training["refit"]["epochs"] == room


def test_a_split_run_that_keeps_improving_leaves_the_refit_its_minimum(label_set, tmp_path):
    """Patience longer than the cap: the split run stops where the refit's minimum begins, and
    the refit runs that minimum inside the cap (it used to fill the cap: no refit at all)."""
    out = tmp_path / "long.safetensors"
    logs: list[str] = []
    config = dataclasses.replace(CONFIG, epochs=6, patience=10, refit_min_epochs=3)
    train(label_set, out, config, held_out=True, show_progress=False, log=logs.append)
    training = load_model(out).training
    assert training["epochs_run"] == 3
    assert training["refit"]["epochs"] == 3
    assert "stop: the last 3 epochs of the cap are the refit's" in logs


def test_a_start_no_epoch_beats_is_still_refit_on_the_labels(trained, label_set, tmp_path):
    """Best epoch 0 (the start model is kept by the split run): the refit still learns the
    library's labels for its minimum number of epochs, from that start."""
    _, start, _ = trained
    out = tmp_path / "from-start.safetensors"
    logs: list[str] = []
    # A learning rate no epoch survives: every epoch's validation loss is worse than the start's.
    config = dataclasses.replace(
        CONFIG, warm_start=str(start), lr=50.0, patience=2, refit_min_epochs=3
    )
    train(label_set, out, config, held_out=True, show_progress=False, log=logs.append)
    training = load_model(out).training
    assert training["best_epoch"] == 0 and training["epochs_run"] == 2
    assert training["refit"]["epochs"] == 3
    assert sum(line.startswith("refit epoch") for line in logs) == 3
    assert any(not torch.equal(w, _weights(start)[k]) for k, w in _weights(out).items())


def test_the_refit_doubts_a_label_it_learns_only_by_rote(label_set, tmp_path):
    """A track given the other class's label (a mis-tag) trains with the lowest margin, below
    zero, while its class-mates are learnt: the refit names it, and the file keeps the doubt."""
    wrong = label_set.tracks[0]
    other = next(c for c in label_set.classes if c != wrong.label)
    tracks = [dataclasses.replace(wrong, label=other), *label_set.tracks[1:]]
    mistagged = labeled_set(tracks, "a test library")
    logs: list[str] = []
    out = tmp_path / "doubt.safetensors"
    config = dataclasses.replace(CONFIG, epochs=12, refit_min_epochs=6)  # a refit that learns
    result = train(mistagged, out, config, held_out=True, show_progress=False, log=logs.append)
    margins = result.label_margins
    assert set(margins) == {t.path for t in tracks}  # every label: train, validation and test
    assert min(margins, key=margins.get) == wrong.path and margins[wrong.path] < 0
    doubted = load_model(out).training["doubted_labels"]
    assert doubted == {str(p): m for p, m in margins.items() if m < 0}
    assert list(doubted)[0] == str(wrong.path)  # lowest first
    assert any("learnt only by rote" in line for line in logs)
    assert any(str(wrong.path) in line and "margin" in line for line in logs)
