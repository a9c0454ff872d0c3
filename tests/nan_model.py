"""A model file whose network answers NaN for any input (a NaN bias in its head): the case of
a model that went wrong in training, which must never turn into a stored or printed verdict."""

from __future__ import annotations

from pathlib import Path

import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig


def nan_model(folder: Path) -> Path:
    net = Network(NetworkConfig())
    with torch.no_grad():
        net.head.fc2.bias.fill_(float("nan"))
    folder.mkdir(parents=True, exist_ok=True)
    return save_model(folder / "nan.safetensors", net, ["hardcore", "metal"], FrontEndConfig())
