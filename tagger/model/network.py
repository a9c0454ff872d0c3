"""The paper's CNN–BiGRU, and its Table 1 baselines, reading top to bottom like the paper.

One 3 s window is a stereo log-Mel image: (B, 2, 64, 259) = (batch, channels, mels, frames).

    CNN: 3 × [Conv 3×3 same → BatchNorm → ReLU → MaxPool 2×2 → Dropout2d 0.25], 32/64/128 channels
    permute to time-major, so the recurrent part steps over TIME (the seed code forgot this)
    2-layer bidirectional GRU, hidden 128; last layer's final forward ‖ backward states = 256-d
    head: Linear 512 → ReLU → Dropout 0.5 → Linear(classes); logits out, softmax only at inference

Baselines (the paper's Table 1), chosen by `arch`:
    "lstm":     2-layer LSTM over the per-frame Mel features (2·64 = 128 per frame), same head
    "cnn-lstm": the same CNN with a 2-layer bidirectional LSTM, same head

The related systems (chen-cnn, chen-cnn-bigru, mfcc-crnn, resnet18-bigru) live one per module in
`model/architectures/`; `build_network` makes whichever a config names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import torch
from torch import nn

from tagger.model.architecture_names import (  # noqa: F401  (re-exported)
    ARCHITECTURES,
    PAPER_ARCHITECTURES,
    RELATED_ARCHITECTURES,
)
from tagger.model.checkpoint import ARCHITECTURE_RANGES


@dataclass(frozen=True)
class NetworkConfig:
    arch: str = "cnn-bigru"
    n_classes: int = 2
    in_channels: int = 2
    n_mels: int = 64
    conv_channels: tuple[int, ...] = field(default=(32, 64, 128))
    hidden: int = 128
    layers: int = 2
    head: int = 512
    conv_dropout: float = 0.25
    head_dropout: float = 0.5
    # Used by the related systems only (model/architectures/); the paper's network ignores them.
    kernel_size: int = 3
    n_frames: int = 259  # frames per window, for chen-cnn's flatten → dense
    n_mfcc: int = 20
    image_size: int = 224
    # Temperature scaling (Guo et al. 2017): the head's logits are divided by this before the
    # softmax. Fitted after training on the validation split (training/calibration.py); 1 leaves
    # the network as trained, and is what files written before calibration existed mean.
    temperature: float = 1.0

    def __post_init__(self) -> None:
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.arch!r}; choose from {ARCHITECTURES}")
        if self.n_classes < 2:
            raise ValueError("a classifier needs at least 2 classes")
        object.__setattr__(self, "conv_channels", tuple(self.conv_channels))
        _, low, high = ARCHITECTURE_RANGES["temperature"]
        if not low <= self.temperature <= high:
            raise ValueError(f"temperature {self.temperature!r} lies outside {low}..{high}")

    def to_dict(self) -> dict:
        return asdict(self)


class ConvBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, dropout: float, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2)
        self.bn = nn.BatchNorm2d(c_out)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout2d(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.pool(torch.relu(self.bn(self.conv(x)))))  # (B, C_out, H/2, W/2)


class Head(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, n_classes: int, dropout: float) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(d_hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(torch.relu(self.fc1(x))))  # (B, n_classes) logits


class Network(nn.Module):
    """One class for the three architectures; `embed` gives the recurrent summary (t-SNE)."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = c = config
        rnn_kind = nn.GRU if c.arch == "cnn-bigru" else nn.LSTM
        if c.arch == "lstm":
            self.cnn = None
            rnn_in, bidirectional = c.in_channels * c.n_mels, False
        else:
            chans = (c.in_channels, *c.conv_channels)
            self.cnn = nn.Sequential(
                *(ConvBlock(a, b, c.conv_dropout) for a, b in zip(chans, chans[1:], strict=False))
            )
            mels_after_pools = c.n_mels // 2 ** len(c.conv_channels)  # 64 → 8
            rnn_in, bidirectional = c.conv_channels[-1] * mels_after_pools, True  # 128·8 = 1024
        self.rnn = rnn_kind(
            rnn_in, c.hidden, num_layers=c.layers, batch_first=True, bidirectional=bidirectional
        )
        self.embedding_size = c.hidden * (2 if bidirectional else 1)  # 256 (or 128 for lstm)
        self.head = Head(self.embedding_size, c.head, c.n_classes, c.head_dropout)
        attach_temperature(self)

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 64, 259) log-Mel → (B, T, features), time-major."""
        if self.cnn is None:
            b, ch, mels, frames = x.shape
            return x.permute(0, 3, 1, 2).reshape(b, frames, ch * mels)  # (B, 259, 128)
        x = self.cnn(x)  # (B, 128, 8, 32)
        b, ch, mels, frames = x.shape
        return x.permute(0, 3, 1, 2).reshape(b, frames, ch * mels)  # (B, 32, 1024)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 64, 259) → (B, 256): the last layer's final forward ‖ backward hidden states."""
        _, h_n = self.rnn(self.sequence(x))
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        # h_n: (layers · directions, B, hidden); the last layer's states are the last rows.
        if self.rnn.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=1)  # (B, 256)
        return h_n[-1]  # (B, 128)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))  # (B, n_classes) logits


def build_network(config: NetworkConfig) -> nn.Module:
    """The network a config names: the paper's above, or a related system's."""
    if config.arch in PAPER_ARCHITECTURES:
        return Network(config)
    from tagger.model.architectures import build_related  # they build on this module's blocks

    return build_related(config)


def attach_temperature(network: nn.Module) -> None:
    """Divide `network.head`'s logits by the config's temperature, wherever the head is called
    (forward, or the torch runtime's embed → head): so torch, the ONNX export (traced through
    the hook) and every path built on them apply it with no special case. A buffer, not a
    weight: the config says it, so it stays out of the state dict and old files load as they
    are."""
    head = network.head
    head.register_buffer("temperature", torch.tensor(network.config.temperature), persistent=False)
    head.register_forward_hook(_divide_by_temperature)


def _divide_by_temperature(head: nn.Module, inputs: tuple, logits: torch.Tensor) -> torch.Tensor:
    return logits / head.temperature


def set_temperature(network: nn.Module, temperature: float) -> None:
    """Calibrate a built network in place: its config (saved in the model file) and buffer."""
    network.config = replace(network.config, temperature=float(temperature))
    network.head.temperature.fill_(float(temperature))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
