"""Zhang et al., "Music Genre Classification with ResNet and Bi-GRU Using Visual Spectrograms":
a ResNet-18 pathway and a bidirectional-GRU pathway over the same 224 × 224 spectrogram image,
concatenated (../shared/papers/gtzan-resnet-bigru-zhang.md; choices in docs/architectures.md).

ResNet-18 is written here (He et al. 2016, torchvision's layout) rather than taken from
torchvision, which is not a dependency; its weights start random, because the paper's ImageNet
weights cannot be downloaded (the tagger runs offline) and would be for 3-channel photographs.

Front end (FrontEndConfig, saved in the model file): n_fft 2048, hop 512, 128 Mel bands, dB.

    image: each window scaled to [0, 1] and resized bilinearly          (B, 2, 224, 224)
    ResNet pathway: conv 7×7/2 → BN → ReLU → maxpool 3×3/2 → 4 stages of 2 basic blocks
        (64/128/256/512) → adaptive max pool 1×1 → Linear 512→256 → Dropout 0.5 → BatchNorm
                                                                          (B, 256)
    Bi-GRU pathway: image columns are time steps                         (B, 224, 2·224)
        GRU, hidden 256, 1 layer, bidirectional → final forward ‖ backward (B, 512)
        → Linear 512→256                                                  (B, 256)
    concatenate (B, 512) → Dropout 0.5 → Linear(classes)
"""

from __future__ import annotations

import torch
from torch import nn

from tagger.model.architectures.layers import SpectrogramImage, time_major
from tagger.model.network import NetworkConfig


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with a shortcut; a strided 1×1 projection when the shape changes."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet18Features(nn.Module):
    """ResNet-18 without its classifier: (B, C, 224, 224) → (B, 512, 7, 7)."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )  # (B, 64, 56, 56)
        stages = []
        c_in = 64
        for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            stages.append(
                nn.Sequential(BasicBlock(c_in, c_out, stride), BasicBlock(c_out, c_out, 1))
            )
            c_in = c_out
        self.stages = nn.Sequential(*stages)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(self.stem(x))


class ResNet18BiGRU(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = c = config
        self.cnn = None  # nothing for the predictor to fold: ResNet's BatchNorms stay as they are
        self.front = nn.Sequential(SpectrogramImage(c.image_size))
        self.resnet = ResNet18Features(c.in_channels)
        self.resnet_out = nn.Sequential(
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),
            nn.Linear(512, c.head),
            nn.Dropout(c.head_dropout),
            nn.BatchNorm1d(c.head),
        )
        self.rnn = nn.GRU(
            c.in_channels * c.image_size, c.hidden, batch_first=True, bidirectional=True
        )
        self.rnn_out = nn.Linear(2 * c.hidden, c.head)
        self.embedding_size = 2 * c.head  # 512
        self.head = nn.Sequential(
            nn.Dropout(c.head_dropout), nn.Linear(self.embedding_size, c.n_classes)
        )

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 128, 259) → (B, 512): both pathways' 256 features, side by side."""
        image = self.front(x)  # (B, 2, 224, 224)
        spatial = self.resnet_out(self.resnet(image))  # (B, 256)
        _, h_n = self.rnn(time_major(image))  # columns as steps: (B, 224, 448) → (2, B, 256)
        temporal = self.rnn_out(torch.cat([h_n[-2], h_n[-1]], dim=1))  # (B, 256)
        return torch.cat([spatial, temporal], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))  # (B, n_classes) logits
