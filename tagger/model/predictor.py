"""From a track's windows to a verdict: all windows in one batch, softmax, mean over windows."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from tagger.audio.features import TrackFeatures, track_features
from tagger.audio.mel import LogMel
from tagger.audio.segments import SAMPLE_RATE
from tagger.model.checkpoint import ModelFile, load_model
from tagger.model.network import Network
from tagger.model.precision import autocast, use_bf16


@dataclass(frozen=True)
class WindowPrediction:
    start: float  # seconds into the track
    end: float
    probabilities: tuple[float, ...]  # in the model's class order


@dataclass(frozen=True)
class WindowOutputs:
    """What the network says about each window of one track."""

    probabilities: np.ndarray  # [windows, classes], softmax of the head
    embeddings: np.ndarray  # [windows, d], the recurrent final states the head reads


@dataclass(frozen=True)
class TrackPrediction:
    path: str
    model: str
    classes: tuple[str, ...]
    label: str
    confidence: float  # the top class probability
    probabilities: dict[str, float]  # the mean of the window probabilities
    windows: tuple[WindowPrediction, ...]
    duration: float

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "label": self.label,
            "confidence": round(self.confidence, 6),
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
            "segments": [
                {
                    "start": round(w.start, 3),
                    "end": round(w.end, 3),
                    "probabilities": {
                        c: round(p, 6) for c, p in zip(self.classes, w.probabilities, strict=True)
                    },
                }
                for w in self.windows
            ],
            "model": self.model,
        }


class PredictionError(ValueError):
    """The model gave no usable verdict for one file (the batch goes on without it)."""


def require_finite_probabilities(path: str, probs: np.ndarray) -> np.ndarray:
    """A NaN or infinite probability is never returned, stored or printed: refuse the file."""
    if not np.isfinite(probs).all():
        raise PredictionError(f"{path}: the model's output is not a number (NaN or infinity)")
    return probs


def inference_network(network: Network) -> Network:
    """A copy for inference: each BatchNorm folded into its convolution (saves a full pass over
    the largest activations, 20 % of the network's time) and channels-last memory layout."""
    fused = copy.deepcopy(network).eval()
    if fused.cnn is not None:
        for block in fused.cnn:
            block.conv = fuse_conv_bn_eval(block.conv, block.bn)
            block.bn = nn.Identity()
        fused.cnn.to(memory_format=torch.channels_last)
    return fused


class Predictor:
    """Holds one model; `classify(path)` runs decode → log-Mel → network for a track."""

    def __init__(self, model: ModelFile, bf16: bool | None = None) -> None:
        self.model = model
        self.front = LogMel(model.frontend)
        self.bf16 = use_bf16() if bf16 is None else bf16
        self.network = inference_network(model.network)

    @classmethod
    def load(cls, path: str | Path | None = None, bf16: bool | None = None) -> Predictor:
        return cls(load_model(path), bf16)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.model.classes

    def features(self, path: str | Path) -> TrackFeatures:
        return track_features(path, front=self.front)

    @torch.inference_mode()
    def window_probabilities(self, mel: np.ndarray) -> np.ndarray:
        """[n, 2, 64, 259] → [n, classes]: every window of the track in one batch."""
        x = torch.from_numpy(mel).contiguous(memory_format=torch.channels_last)
        with autocast(self.bf16):
            logits = self.network(x)
        return torch.softmax(logits.float(), dim=1).numpy()

    @torch.inference_mode()
    def window_outputs(self, mel: np.ndarray) -> WindowOutputs:
        """Like `window_probabilities`, also returning the states the head reads (for
        evaluation's t-SNE): the same network, precision and memory layout."""
        x = torch.from_numpy(mel).contiguous(memory_format=torch.channels_last)
        with autocast(self.bf16):
            embeddings = self.network.embed(x)
            logits = self.network.head(embeddings)
        return WindowOutputs(
            probabilities=torch.softmax(logits.float(), dim=1).numpy(),
            embeddings=embeddings.float().numpy(),
        )

    def predict_features(self, features: TrackFeatures) -> TrackPrediction:
        return self.predict_from_windows(features, self.window_probabilities(features.mel))

    def predict_from_windows(self, features: TrackFeatures, probs: np.ndarray) -> TrackPrediction:
        """The verdict from already-computed window probabilities [windows, classes]: their
        mean, and its top class as label."""
        probs = require_finite_probabilities(features.info.path, probs)
        mean = probs.mean(axis=0)
        top = int(mean.argmax())
        windows = tuple(
            WindowPrediction(
                start=s.start / SAMPLE_RATE,
                end=s.end / SAMPLE_RATE,
                probabilities=tuple(float(p) for p in row),
            )
            for s, row in zip(features.segments, probs, strict=True)
        )
        return TrackPrediction(
            path=features.info.path,
            model=self.name,
            classes=self.classes,
            label=self.classes[top],
            confidence=float(mean[top]),
            probabilities={c: float(p) for c, p in zip(self.classes, mean, strict=True)},
            windows=windows,
            duration=features.info.duration,
        )

    def classify(self, path: str | Path) -> TrackPrediction:
        return self.predict_features(self.features(path))
