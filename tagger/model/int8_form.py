"""A model's int8 ONNX form (TAGGER_PRECISION=int8), calibrated on the first music it classifies.

ONNX Runtime's static quantisation (QDQ) turns the three conv blocks into int8 QLinearConv with
the ReLU folded into its output range and int8 max-pooling; the GRUs and the head stay float32
(ONNX Runtime has no int8 GRU; the head is a negligible share of the time). BENCHMARKS.md
("Fifth pass: an int8 network") has its speed and how far its verdicts move. Dynamic
quantisation, which needs no calibration data, makes the convolutions ConvInteger, several times
slower than float32 here, so the activation ranges have to be calibrated, and on music the
user's machine has: the windows of the first CALIBRATION_WINDOWS the network is given, which it
runs in float32 meanwhile. The form is then written to the user cache as
`onnx/<sha256>.int8.onnx` (keyed like the float32 form, model/onnx_form.py) and used from then
on by this and every later process.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from tagger.model.checkpoint import ModelFileError, ModelInfo
from tagger.model.onnx_form import cache_dir, source_sha256
from tagger.model.runtime import WINDOWS_PER_RUN, OnnxNetwork

# Four tracks' windows (~32 MB held until calibrated): ranges from fewer tracks clip louder
# music later; the benchmark's calibration used ten.
CALIBRATION_WINDOWS = 240
QUANTISED_OPS = ["Conv", "Relu", "MaxPool"]
PRECISION_KEY = "precision"


def cached_int8(sha256: str) -> Path:
    return cache_dir() / f"{sha256}.int8.onnx"


def find_int8_form(model: ModelInfo) -> Path | None:
    path = cached_int8(model.sha256)
    if path.is_file() and source_sha256(path) == model.sha256:
        return path
    return None


def quantise(fp32_path: Path, windows: np.ndarray, path: Path, per_channel: bool = False) -> Path:
    """Write the int8 form of the float32 form at `fp32_path`, its activation ranges taken
    from `windows` [n, 2, n_mels, frames], keeping its metadata (the model file's sha256).
    `per_channel` scales each conv filter's weights apart (the benchmark compares both)."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    class Runs(CalibrationDataReader):
        def __init__(self) -> None:
            self._runs = (
                {"mel": windows[i : i + WINDOWS_PER_RUN]}
                for i in range(0, len(windows), WINDOWS_PER_RUN)
            )

        def get_next(self) -> dict | None:
            return next(self._runs, None)

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tempfile.TemporaryDirectory() as work, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the quantiser's advice to pre-process: done
            pre = Path(work) / "pre.onnx"
            quant_pre_process(str(fp32_path), str(pre), skip_symbolic_shape=True)
            quantize_static(
                str(pre),
                str(tmp),
                Runs(),
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=QUANTISED_OPS,
                per_channel=per_channel,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax,
            )
        proto = onnx.load(str(tmp))
        source = {p.key: p.value for p in onnx.load(str(fp32_path)).metadata_props}
        onnx.helper.set_model_props(
            proto, {**source, PRECISION_KEY: "int8", "calibration_windows": str(len(windows))}
        )
        onnx.save(proto, str(tmp))
        tmp.replace(path)  # a half-written file never takes the real name
    finally:
        tmp.unlink(missing_ok=True)
    return path


class Int8Network:
    """The int8 form of a model on ONNX Runtime; until it exists, the float32 form, whose
    first CALIBRATION_WINDOWS windows then make it."""

    name = "onnx"

    def __init__(self, model: ModelInfo, fp32_path: Path, threads: int | None = None) -> None:
        self.model = model
        self.fp32_path = fp32_path
        found = find_int8_form(model)
        self.int8 = OnnxNetwork(found, threads) if found is not None else None
        # Opened only until the int8 form exists: its session is not kept beside the int8 one.
        self.float32 = OnnxNetwork(fp32_path, threads) if found is None else None
        self.threads = (self.int8 or self.float32).threads
        self._calibration: list[np.ndarray] | None = []
        if self.int8 is None:
            try:
                import onnx  # noqa: F401  (onnxruntime.quantization writes through it)
            except ImportError:
                raise ModelFileError(
                    model.path,
                    "has no int8 form yet, and making one needs the onnx package: install "
                    "metal-hardcore-tagger[train], or unset TAGGER_PRECISION=int8",
                ) from None

    @property
    def precision(self) -> str:
        return "int8" if self.int8 is not None else "float32"

    def probabilities(self, mel: np.ndarray) -> np.ndarray:
        if self.int8 is not None:
            return self.int8.probabilities(mel)
        assert self.float32 is not None  # one of the two is always open
        probabilities = self.float32.probabilities(mel)
        self._calibrate_with(mel)
        return probabilities

    def _calibrate_with(self, mel: np.ndarray) -> None:
        if self._calibration is None:
            return  # quantising failed once: this process stays on float32
        self._calibration.append(np.array(mel, dtype=np.float32))
        if sum(len(m) for m in self._calibration) < CALIBRATION_WINDOWS:
            return
        windows, self._calibration = np.concatenate(self._calibration), None
        try:
            path = quantise(self.fp32_path, windows, cached_int8(self.model.sha256))
        except OSError as exc:
            warnings.warn(
                f"{self.model.path.name}: its int8 form cannot be written to {cache_dir()} "
                f"({exc.strerror}); classifying in float32",
                stacklevel=2,
            )
            return
        except Exception as exc:  # the quantiser's own errors: the track still gets its verdict
            warnings.warn(
                f"{self.model.path.name}: cannot be quantised to int8 "
                f"({type(exc).__name__}: {exc}); classifying in float32",
                stacklevel=2,
            )
            return
        self.int8, self.float32 = OnnxNetwork(path, self.threads), None

    def set_threads(self, threads: int) -> None:
        for network in (self.int8, self.float32):
            if network is not None:
                network.set_threads(threads)
        self.threads = (self.int8 or self.float32).threads
