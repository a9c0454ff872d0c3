"""Chen, "Application of Deep Learning in Music Genre Classification": a spectrogram CNN and a
CNN + bidirectional GRU (../shared/papers/gtzan-cnn-rnn-chen.md; choices in docs/architectures.md).

Front end (FrontEndConfig, saved in the model file): n_fft 2048, hop 512, 128 Mel bands, dB.
Each window is (B, 2, 128, 259); both nets first standardize each Mel band with training-set
statistics (a buffer layer), then:

chen-cnn (the paper's Listing 1 with its text's BatchNorm):
    5 × [Conv 3×3 same → BatchNorm → ReLU → MaxPool 2×2 → Dropout2d 0.25], 32/64/128/256/512
    (B, 512, 4, 8) → flatten 16384 → Dense 128 → ReLU → Dropout 0.5 → Linear(classes)

chen-cnn-bigru ("a front-end CNN ... slightly truncated in depth ... 3 convolutional layers"):
    the first 3 of those blocks → (B, 128, 16, 32) → time-major (B, 32, 2048)
    2-layer bidirectional GRU, 128 units → final forward ‖ backward states (256)
    → Dropout 0.5 → Linear(classes)
"""

from __future__ import annotations

import torch
from torch import nn

from tagger.model.architectures.layers import BandStandardize, conv_stack, time_major
from tagger.model.network import NetworkConfig


class ChenCNN(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = c = config
        self.front = nn.Sequential(BandStandardize(c.n_mels))
        self.cnn = conv_stack(c.in_channels, c.conv_channels, c.conv_dropout, c.kernel_size)
        bands, frames = c.n_mels, c.n_frames
        for _ in c.conv_channels:  # each block's 2×2 pool halves both, rounding down
            bands, frames = bands // 2, frames // 2
        self.dense = nn.Linear(c.conv_channels[-1] * bands * frames, c.head)  # 16384 → 128
        self.embedding_size = c.head
        self.head = nn.Sequential(nn.Dropout(c.head_dropout), nn.Linear(c.head, c.n_classes))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 128, 259) → (B, 128): the dense layer's activations."""
        x = self.cnn(self.front(x))  # (B, 512, 4, 8)
        return torch.relu(self.dense(x.flatten(1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))  # (B, n_classes) logits


class ChenCNNBiGRU(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = c = config
        self.front = nn.Sequential(BandStandardize(c.n_mels))
        self.cnn = conv_stack(c.in_channels, c.conv_channels, c.conv_dropout, c.kernel_size)
        bands = c.n_mels // 2 ** len(c.conv_channels)  # 128 → 16
        self.rnn = nn.GRU(
            c.conv_channels[-1] * bands,  # 128·16 = 2048
            c.hidden,
            num_layers=c.layers,
            batch_first=True,
            bidirectional=True,
        )
        self.embedding_size = 2 * c.hidden  # 256
        self.head = nn.Sequential(
            nn.Dropout(c.head_dropout), nn.Linear(self.embedding_size, c.n_classes)
        )

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 128, 259) → (B, 256): the last layer's final forward ‖ backward states."""
        seq = time_major(self.cnn(self.front(x)))  # (B, 32, 2048)
        _, h_n = self.rnn(seq)  # (layers · 2, B, 128)
        return torch.cat([h_n[-2], h_n[-1]], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))  # (B, n_classes) logits
