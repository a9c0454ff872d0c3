"""From a track's windows to a verdict: all windows in one batch, softmax, mean over windows.

The network runs on ONNX Runtime unless TAGGER_RUNTIME=torch (model/runtime.py); this module
imports neither, so a predictor is only as heavy as the runtime it loads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tagger.audio.features import TrackFeatures, track_features
from tagger.audio.mel import LogMel
from tagger.audio.segments import SAMPLE_RATE
from tagger.model.checkpoint import ModelInfo, read_model_info
from tagger.model.precision import use_int8
from tagger.model.runtime import NetworkRuntime, OnnxNetwork, runtime_choice


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


class Predictor:
    """Holds one model; `classify(path)` runs decode → log-Mel → network for a track."""

    def __init__(
        self, model: ModelInfo, network: NetworkRuntime | None = None, bf16: bool | None = None
    ) -> None:
        """`network` defaults to torch over a loaded ModelFile's network (what evaluation,
        which has torch anyway, uses); `Predictor.load` picks the runtime."""
        if network is None:
            from tagger.model.torch_runtime import TorchNetwork

            network = TorchNetwork(model.network, bf16)  # type: ignore[attr-defined]
        self.model = model
        self.network = network

    @functools.cached_property
    def front(self) -> LogMel:
        """Built on first use: batch jobs take the log-Mel in their worker processes."""
        return LogMel(self.model.frontend)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        bf16: bool | None = None,
        runtime: str | None = None,
        threads: int | None = None,
    ) -> Predictor:
        """The model file at `path` (default: the bundled one) on `runtime` (default:
        TAGGER_RUNTIME, else ONNX Runtime). `bf16` only applies to torch; ONNX Runtime runs
        the model's int8 form with TAGGER_PRECISION=int8."""
        if runtime_choice(runtime) == "torch":
            from tagger.model.checkpoint import load_model

            predictor = cls(load_model(path), bf16=bf16)
            if threads:
                predictor.network.set_threads(threads)
            return predictor
        from tagger.model.onnx_form import onnx_form

        info = read_model_info(path)
        if use_int8():
            from tagger.model.int8_form import Int8Network

            return cls(info, Int8Network(info, onnx_form(info), threads))
        return cls(info, OnnxNetwork(onnx_form(info), threads))

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.model.classes

    @property
    def runtime(self) -> str:
        return self.network.name

    def features(self, path: str | Path) -> TrackFeatures:
        return track_features(path, front=self.front)

    def window_probabilities(self, mel: np.ndarray) -> np.ndarray:
        """[n, 2, 64, 259] → [n, classes]: every window of the track in one batch."""
        return self.network.probabilities(mel)

    def window_outputs(self, mel: np.ndarray) -> WindowOutputs:
        """Like `window_probabilities`, also returning the states the head reads (for
        evaluation's t-SNE). Only the torch runtime has them: the ONNX form ends in the
        softmax."""
        outputs = getattr(self.network, "outputs", None)
        if outputs is None:
            raise NotImplementedError(f"the {self.runtime} runtime gives no window embeddings")
        probabilities, embeddings = outputs(mel)
        return WindowOutputs(probabilities=probabilities, embeddings=embeddings)

    def predict_features(self, features: TrackFeatures) -> TrackPrediction:
        # ONNX Runtime's max-pooling passes over NaN, so a NaN input would come out as a finite,
        # meaningless verdict: refuse it before the network, as a NaN output is refused after.
        if not np.isfinite(features.mel).all():
            raise PredictionError(
                f"{features.info.path}: the model's input is not a number (NaN or infinity)"
            )
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
