"""Rasumalla et al.: a CNN–RNN (LSTM) on MFCC sequences, with batch normalization, dropout and
weight decay (../shared/papers/gtzan-cnn-rnn-mfcc-rasumalla.md; choices in docs/architectures.md).

Front end (FrontEndConfig, saved in the model file): n_fft 2048, hop 512, 128 Mel bands, dB —
librosa's defaults, which the paper names as its feature library. In the network:

    MFCC: orthonormal DCT-II over the 128 bands, first 20 coefficients   (B, 2, 20, 259)
    standardize each coefficient with training-set statistics              (B, 2, 20, 259)
    CNN: 2 × [Conv 3×3 same → BatchNorm → ReLU → MaxPool 2×2 → Dropout2d 0.25], 32/64
                                                                           (B, 64, 5, 64)
    time-major                                                             (B, 64, 320)
    2-layer LSTM, 128 units → the last layer's final state                 (B, 128)
    head: Dense 128 → ReLU → Dropout 0.5 → Linear(classes)
Weight decay (1e-4) is the architecture's training default (architectures/__init__.py).
"""

from __future__ import annotations

import torch
from torch import nn

from tagger.model.architectures.layers import BandStandardize, MfccDct, conv_stack, time_major
from tagger.model.network import Head, NetworkConfig


class MfccCRNN(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = c = config
        self.front = nn.Sequential(MfccDct(c.n_mels, c.n_mfcc), BandStandardize(c.n_mfcc))
        self.cnn = conv_stack(c.in_channels, c.conv_channels, c.conv_dropout, c.kernel_size)
        coefficients = c.n_mfcc // 2 ** len(c.conv_channels)  # 20 → 5
        self.rnn = nn.LSTM(
            c.conv_channels[-1] * coefficients, c.hidden, num_layers=c.layers, batch_first=True
        )
        self.embedding_size = c.hidden
        self.head = Head(c.hidden, c.head, c.n_classes, c.head_dropout)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 128, 259) log-Mel → (B, 128): the last LSTM layer's final hidden state."""
        seq = time_major(self.cnn(self.front(x)))  # (B, 64, 320)
        _, (h_n, _) = self.rnn(seq)
        return h_n[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))  # (B, n_classes) logits
