"""Training on a LabeledSet (labels that did not come from folders) through the feature cache."""

from __future__ import annotations

import dataclasses

import pytest

import tagger.training.window_cache as window_cache
from tagger.model.checkpoint import load_model
from tagger.training.dataset import discover
from tagger.training.feature_cache import FeatureCache
from tagger.training.labeled_set import labeled_set
from tagger.training.train import TrainConfig, TrainingCancelled, train

CONFIG = TrainConfig(epochs=2, patience=2, seed=0, workers=1, batch_size=8)


@pytest.fixture
def label_set(tiny_corpus):
    _, tracks = discover(tiny_corpus)
    sources = ("tag", "decision")
    tracks = [
        dataclasses.replace(t, source=sources[i % 2], fingerprint=f"fp{i}")
        for i, t in enumerate(tracks)
    ]
    return labeled_set(tracks, "a test library")


def test_trains_stores_labels_and_held_out_metrics_and_reuses_the_cache(
    label_set, tmp_path, monkeypatch
):
    computed = []
    real = window_cache.compute_cached_track
    monkeypatch.setattr(
        window_cache,
        "compute_cached_track",
        lambda path, config: computed.append(path) or real(path, config),
    )
    cache = FeatureCache(tmp_path / "cache")
    out = tmp_path / "lib.safetensors"
    result = train(
        label_set, out, CONFIG, cache=cache, held_out=True, show_progress=False, log=print
    )
    model = load_model(out)
    assert model.classes == ("hardcore", "metal")
    assert model.training["origin"] == "a test library"
    assert model.training["labels"] == label_set.counts
    assert sum(sum(n.values()) for n in model.training["labels"].values()) == 28
    test = model.metrics["test"]
    assert test["tracks"] == len(result.split.test) > 0
    assert len(test["track_level"]["confusion_matrix"]) == 2
    assert sum(map(sum, test["track_level"]["confusion_matrix"])) == test["tracks"]
    assert len(computed) == 28  # train + validation + test, each decoded once
    assert cache.stats().entries == 28

    computed.clear()
    train(
        label_set,
        out,
        CONFIG,
        cache=cache,
        held_out=True,
        resume=False,
        show_progress=False,
        log=print,
    )
    assert computed == []  # the second run decodes nothing


def test_cancel_keeps_a_resumable_checkpoint(label_set, tmp_path):
    out = tmp_path / "lib.safetensors"
    logs: list[str] = []
    asked = []

    def cancel_in_second_epoch() -> bool:
        asked.append(1)
        return any("epoch   1" in line for line in logs)

    with pytest.raises(TrainingCancelled, match="epoch 2"):
        train(
            label_set,
            out,
            CONFIG,
            show_progress=False,
            log=logs.append,
            cancel=cancel_in_second_epoch,
        )
    assert not out.exists() and out.with_name(out.name + ".resume").exists()
    logs.clear()
    reports = []
    train(
        label_set,
        out,
        CONFIG,
        show_progress=False,
        log=logs.append,
        cancel=lambda: False,
        progress=reports.append,
    )
    assert any("resuming after epoch 1" in line for line in logs)
    assert out.exists()
    assert {r.epoch for r in reports} == {2}  # only the resumed epoch ran
    batches = [r for r in reports if not r.stage]
    last = batches[-1]
    assert last.batch == last.batches and last.loss > 0 and last.eta_s is not None
    # After the epochs, what runs is reported in words, in order.
    stages = [r.stage for r in reports[reports.index(last) + 1 :]]
    assert [s.split()[0] for s in stages] == ["calibrating", "saving"]
