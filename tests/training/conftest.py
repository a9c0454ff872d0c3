"""One real training run on the tiny corpus, shared by the training and evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagger.training.train import TrainConfig, TrainResult, train

CONFIG = TrainConfig(epochs=12, patience=12, seed=0, workers=2, batch_size=8)


@pytest.fixture(scope="session")
def trained(tiny_corpus, tmp_path_factory) -> tuple[TrainResult, Path, list[str]]:
    out = tmp_path_factory.mktemp("run") / "tiny.safetensors"
    logs: list[str] = []
    result = train(tiny_corpus, out, CONFIG, show_progress=False, log=logs.append)
    return result, out, logs
