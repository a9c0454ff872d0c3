"""Front-end steps the related systems add on top of the saved log-Mel front end.

They are layers with buffers inside the network, not extra front-end code, so that the model
file, the predictor, the ONNX export and the app need no special case: the input is always the
FrontEndConfig's log-Mel windows, (B, channels, n_mels, frames) in dB.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from tagger.model.network import ConvBlock


class BandStandardize(nn.Module):
    """(B, C, bands, T): subtract each band's training-set mean, divide by its std.

    The statistics are buffers, saved in the model file; `fit_input_statistics` sets them from
    the training windows before the first epoch (Chen: "for each feature dimension (each mel
    band or MFCC coefficient), we subtract the mean and divide by the standard deviation
    computed from the training set").
    """

    def __init__(self, bands: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(bands))
        self.register_buffer("std", torch.ones(bands))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean[:, None]) / self.std[:, None]

    @torch.no_grad()
    def fit(self, batches: Iterable[torch.Tensor]) -> None:
        """Per-band mean and std over every channel, window and frame of `batches`."""
        total = np.zeros(self.mean.numel())
        squares = np.zeros_like(total)
        count = 0
        for x in batches:
            per_band = x.double().transpose(0, 2).reshape(x.shape[2], -1)  # (bands, rest)
            total += per_band.sum(1).numpy()
            squares += per_band.square().sum(1).numpy()
            count += per_band.shape[1]
        if count == 0:
            raise ValueError("no training windows to take band statistics from")
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
        self.mean.copy_(torch.from_numpy(mean))
        self.std.copy_(torch.from_numpy(np.maximum(std, 1e-3)))  # a silent band stays finite


class MfccDct(nn.Module):
    """(B, C, n_mels, T) log-Mel dB → (B, C, n_mfcc, T): the orthonormal DCT-II over the bands,
    first n_mfcc coefficients, as librosa.feature.mfcc computes them from a dB Mel spectrogram."""

    def __init__(self, n_mels: int, n_mfcc: int) -> None:
        super().__init__()
        n = np.arange(n_mels)
        k = np.arange(n_mfcc)[:, None]
        basis = np.cos(np.pi / n_mels * (n + 0.5) * k) * np.sqrt(2.0 / n_mels)
        basis[0] /= np.sqrt(2.0)
        # A fixed transform, not a weight: rebuilt from the config, so not in the model file.
        self.register_buffer("basis", torch.from_numpy(basis).float(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("kn,bcnt->bckt", self.basis, x)


class SpectrogramImage(nn.Module):
    """(B, C, n_mels, T) dB → (B, C, size, size) in [0, 1]: the window drawn as an image.

    Zhang et al. feed "visual Mel spectrograms", images "reshaped to the dimensions (224, 224)".
    An image maps each spectrogram's own range to intensity, so each window is scaled from its
    minimum to its maximum (over both channels) before bilinear resizing.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        low = x.amin(dim=(1, 2, 3), keepdim=True)
        high = x.amax(dim=(1, 2, 3), keepdim=True)
        x = (x - low) / (high - low + 1e-6)
        return F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)


def conv_stack(
    in_channels: int, channels: tuple[int, ...], dropout: float, kernel_size: int
) -> nn.Sequential:
    """[Conv k×k same → BatchNorm → ReLU → MaxPool 2×2 → Dropout2d] per entry of `channels`.

    The blocks are the paper network's ConvBlock, so the predictor folds their BatchNorms too.
    """
    chans = (in_channels, *channels)
    return nn.Sequential(
        *(ConvBlock(a, b, dropout, kernel_size) for a, b in zip(chans, chans[1:], strict=False))
    )


def time_major(x: torch.Tensor) -> torch.Tensor:
    """(B, C, F, T) → (B, T, C·F): one feature vector per time step."""
    b, ch, bands, frames = x.shape
    return x.permute(0, 3, 1, 2).reshape(b, frames, ch * bands)


def fit_input_statistics(network: nn.Module, batches: Iterable[torch.Tensor]) -> bool:
    """Set the network's BandStandardize statistics from training windows (log-Mel batches).

    The front steps before the standardization (e.g. the MFCC DCT) run first, so the statistics
    are of what the layer will see. Returns False when the network standardizes nothing.
    """
    front = getattr(network, "front", None)
    if not isinstance(front, nn.Sequential):
        return False
    for i, layer in enumerate(front):
        if isinstance(layer, BandStandardize):
            before = front[:i]
            layer.fit(before(x) for x in batches)
            return True
    return False
