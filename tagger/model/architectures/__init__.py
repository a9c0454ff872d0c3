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

from dataclasses import replace

from torch import nn

from tagger.model.arch_specs import SPECS, architecture, frontend_for
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

__all__ = ["SPECS", "architecture", "build_related", "frontend_for", "network_config"]

assert tuple(SPECS) == ARCHITECTURES, "network.py's names and arch_specs.py's table must agree"


def network_config(arch: str, n_classes: int) -> NetworkConfig:
    """The sizes `arch`'s paper describes, for `n_classes` outputs and its front end's input."""
    spec = architecture(arch)
    config = NetworkConfig(arch=arch, n_classes=n_classes, **spec.sizes)
    return replace(config, n_mels=spec.frontend.n_mels, n_frames=spec.frontend.n_frames)


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
