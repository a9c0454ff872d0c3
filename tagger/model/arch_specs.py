"""Each architecture's sizes, front end and recipe defaults, without torch.

The networks themselves are in model/architectures/ (which needs torch); this table is here so
that what needs only the front end (the train dialog's count of cached tracks) stays light.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tagger.audio.mel import FrontEndConfig

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


def architecture(name: str) -> Architecture:
    if name not in SPECS:
        raise ValueError(f"unknown architecture {name!r}; choose from {tuple(SPECS)}")
    return SPECS[name]


def frontend_for(arch: str, overlap_short_tracks: bool = False) -> FrontEndConfig:
    """`arch`'s front end, with the segment plan for short tracks a training run chose."""
    return replace(architecture(arch).frontend, overlap_short_tracks=overlap_short_tracks)
