"""Every related architecture classifies in the app, with three classes: the main window scans the
generated library with an (untrained) model of each, and every readable track gets one of the
model's three labels. Nothing in the app knows the architecture: the model file says it all."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from gui_library import N_GOOD

from tagger.library.queries import SmartList
from tagger.library.settings import Settings
from tagger.model.architectures import frontend_for, network_config
from tagger.model.checkpoint import save_model
from tagger.model.network import RELATED_ARCHITECTURES, build_network

CLASSES = ["hardcore", "metal", "other"]


@pytest.mark.parametrize("arch", RELATED_ARCHITECTURES)
def test_the_app_classifies_with_each_architecture(
    arch: str, qtbot, make_window, music: Path, tmp_path: Path, wait_idle
) -> None:
    torch.manual_seed(0)
    model = save_model(
        tmp_path / f"{arch}.safetensors",
        build_network(network_config(arch, len(CLASSES))),
        CLASSES,
        frontend_for(arch),
    )
    window = make_window(Settings(model_path=str(model), workers=1))
    window.add_folders([str(music)])
    wait_idle(window, timeout=300_000)  # a heavier network than the tiny model, on a busy machine
    assert "classified" in window.last_outcome.summary
    counts = [window.sidebar.count_of(SmartList.LABEL, c) for c in CLASSES]
    assert sum(counts) == N_GOOD and window.sidebar.count_of(SmartList.ERRORS) == 1
