"""Every architecture `tagger train --arch` offers: its sizes, its front end, its recipe defaults.

    cnn-bigru, cnn-lstm, lstm      the paper and its Table 1 baselines   model/network.py
    chen-cnn, chen-cnn-bigru       Chen (GTZAN CNN / CNN + Bi-GRU)        chen.py
    mfcc-crnn                      Rasumalla et al. (MFCC CNN–LSTM)       mfcc_crnn.py
    resnet18-bigru                 Zhang et al. (ResNet-18 ‖ Bi-GRU)      resnet_bigru.py

The front end of each is a plain log-Mel FrontEndConfig (saved in the model file); every further
step (band standardization, MFCC, image resizing) is a layer inside the network, so that the
predictor, the ONNX export and the app treat every architecture alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from torch import nn

from tagger.audio.mel import FrontEndConfig
from tagger.model.architectures.chen import ChenCNN, ChenCNNBiGRU
from tagger.model.architectures.mfcc_crnn import MfccCRNN
from tagger.model.architectures.resnet_bigru import ResNet18BiGRU
from tagger.model.network import (
    ARCHITECTURES,
    PAPER_ARCHITECTURES,
    Network,
    NetworkConfig,
    attach_temperature,
)

# Chen, Rasumalla (through librosa's defaults) and Zhang all use n_fft 2048, hop 512, 128 bands.
GTZAN_FRONTEND = FrontEndConfig(n_fft=2048, hop_length=512, n_mels=128)


@dataclass(frozen=True)
class Architecture:
    name: str
    system: str  # whose system it is, for tables and --help
    frontend: FrontEndConfig = field(default_factory=FrontEndConfig)
    sizes: dict[str, Any] = field(default_factory=dict)  # NetworkConfig fields that differ
    weight_decay: float = 0.0  # Adam's L2 penalty, where the paper uses one


SPECS: dict[str, Architecture] = {
    "cnn-bigru": Architecture("cnn-bigru", "the paper: CNN–BiGRU"),
    "cnn-lstm": Architecture("cnn-lstm", "the paper's Table 1: CNN–LSTM"),
    "lstm": Architecture("lstm", "the paper's Table 1: LSTM"),
    "chen-cnn": Architecture(
        "chen-cnn",
        "Chen: spectrogram CNN",
        GTZAN_FRONTEND,
        {"n_mels": 128, "conv_channels": (32, 64, 128, 256, 512), "head": 128},
        weight_decay=1e-4,
    ),
    "chen-cnn-bigru": Architecture(
        "chen-cnn-bigru",
        "Chen: CNN + Bi-GRU",
        GTZAN_FRONTEND,
        {"n_mels": 128, "conv_channels": (32, 64, 128)},
        weight_decay=1e-4,
    ),
    "mfcc-crnn": Architecture(
        "mfcc-crnn",
        "Rasumalla et al.: MFCC CNN–LSTM",
        GTZAN_FRONTEND,
        {"n_mels": 128, "n_mfcc": 20, "conv_channels": (32, 64), "head": 128},
        weight_decay=1e-4,
    ),
    "resnet18-bigru": Architecture(
        "resnet18-bigru",
        "Zhang et al.: ResNet-18 ‖ Bi-GRU",
        GTZAN_FRONTEND,
        {"n_mels": 128, "hidden": 256, "head": 256, "layers": 1},
    ),
}
assert tuple(SPECS) == ARCHITECTURES, "network.py's names and this table must agree"


def architecture(name: str) -> Architecture:
    if name not in SPECS:
        raise ValueError(f"unknown architecture {name!r}; choose from {ARCHITECTURES}")
    return SPECS[name]


def network_config(arch: str, n_classes: int) -> NetworkConfig:
    """The sizes `arch`'s paper describes, for `n_classes` outputs and its front end's input."""
    spec = architecture(arch)
    config = NetworkConfig(arch=arch, n_classes=n_classes, **spec.sizes)
    return replace(config, n_mels=spec.frontend.n_mels, n_frames=spec.frontend.n_frames)


def frontend_for(arch: str, overlap_short_tracks: bool = False) -> FrontEndConfig:
    """`arch`'s front end, with the segment plan for short tracks a training run chose."""
    return replace(architecture(arch).frontend, overlap_short_tracks=overlap_short_tracks)


def build_related(config: NetworkConfig) -> nn.Module:
    """A related system's network (network.build_network sends the paper's to Network)."""
    builders: dict[str, type[nn.Module]] = {
        "chen-cnn": ChenCNN,
        "chen-cnn-bigru": ChenCNNBiGRU,
        "mfcc-crnn": MfccCRNN,
        "resnet18-bigru": ResNet18BiGRU,
    }
    if config.arch in PAPER_ARCHITECTURES:
        return Network(config)
    network = builders[config.arch](config)
    attach_temperature(network)
    return network
