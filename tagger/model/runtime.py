"""Where the network runs: ONNX Runtime by default, torch with TAGGER_RUNTIME=torch.

ONNX Runtime runs the model's exported ONNX form (model/onnx_form.py) in float32. On the
development machine it is 1.35× faster than torch with bf16 autocast and 3× faster than torch in
float32, which is what CPUs without native bf16 get from torch (BENCHMARKS.md), and it loads in a
fraction of torch's time and memory. The torch path stays for comparison and as a fallback.

Both take [n, 2, n_mels, frames] float32 log-Mel windows and give [n, classes] probabilities.
Thread counts are explicit: the batch pipeline gives the network the cores its decoding
processes leave free, so the two never oversubscribe the machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from tagger.audio.feature_pool import cpu_count

RUNTIMES = ("onnx", "torch")
DEFAULT_RUNTIME = "onnx"
# ONNX Runtime keeps its peak activations in its arena: one 60-window run holds ~470 MB there,
# runs of 10 windows ~140 MB, at the same speed on the development machine
# (benchmarks/onnx_vs_torch.py prints both).
WINDOWS_PER_RUN = 10


class RuntimeChoiceError(ValueError):
    pass


def runtime_choice(explicit: str | None = None) -> str:
    """`explicit`, else TAGGER_RUNTIME, else ONNX Runtime."""
    choice = (explicit or os.environ.get("TAGGER_RUNTIME") or DEFAULT_RUNTIME).lower()
    if choice in ("onnxruntime", "ort"):
        choice = "onnx"
    if choice not in RUNTIMES:
        raise RuntimeChoiceError(
            f"unknown runtime {choice!r} (TAGGER_RUNTIME); choose from {', '.join(RUNTIMES)}"
        )
    return choice


class NetworkRuntime(Protocol):
    """What the predictor needs from a runtime."""

    name: str
    threads: int

    def probabilities(self, mel: np.ndarray) -> np.ndarray: ...

    def set_threads(self, threads: int) -> None: ...


class OnnxNetwork:
    """An ONNX Runtime session over a model's ONNX form; its graph ends in the softmax."""

    name = "onnx"

    def __init__(self, onnx_path: str | Path, threads: int | None = None) -> None:
        self.path = Path(onnx_path)
        self.threads = threads or cpu_count()
        self._session = self._open(self.threads)

    def _open(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1  # one graph at a time; parallelism is within ops
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle pool threads would spin-wait for the next op and take CPU from the decoders.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only, not the optimiser's notes
        return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    @property
    def metadata(self) -> dict[str, str]:
        return dict(self._session.get_modelmeta().custom_metadata_map)

    def probabilities(self, mel: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(mel, dtype=np.float32)
        runs = [
            self._session.run(None, {"mel": x[i : i + WINDOWS_PER_RUN]})[0]
            for i in range(0, max(len(x), 1), WINDOWS_PER_RUN)
        ]
        return np.concatenate(runs)

    def set_threads(self, threads: int) -> None:
        """A session's thread pool is fixed when it opens: reopen it (~50 ms) if this changes."""
        threads = max(1, threads)
        if threads != self.threads:
            self._session = self._open(threads)
            self.threads = threads
