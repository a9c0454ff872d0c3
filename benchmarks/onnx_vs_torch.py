"""Why the network runs through torch, not ONNX Runtime: both on the same 60-window batch.

    .venv/bin/pip install onnxruntime onnx   # not dependencies of the project
    .venv/bin/python benchmarks/onnx_vs_torch.py

Exports the bundled model to ONNX (float32; CPU ONNX Runtime has no bf16 convolutions) and
times one track's 60 windows through ONNX Runtime and through torch in float32 and in bf16.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from tagger.model.predictor import Predictor


def best_of(fn, repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    import onnxruntime as ort

    x = np.random.default_rng(0).uniform(-80, 0, (60, 2, 64, 259)).astype(np.float32)
    fp32 = Predictor.load(bf16=False)
    bf16 = Predictor.load(bf16=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        torch.onnx.export(
            fp32.network,
            torch.from_numpy(x),
            str(path),
            input_names=["mel"],
            output_names=["logits"],
            dynamic_axes={"mel": {0: "n"}},
            dynamo=False,
        )
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        t_ort = best_of(lambda: session.run(None, {"mel": x}))
        ort_probs = torch.softmax(torch.from_numpy(session.run(None, {"mel": x})[0]), 1).numpy()
    t_fp32 = best_of(lambda: fp32.window_probabilities(x))
    t_bf16 = best_of(lambda: bf16.window_probabilities(x))
    diff = np.abs(ort_probs - fp32.window_probabilities(x)).max()
    print(f"onnxruntime {ort.__version__} float32: {t_ort:.3f} s  ({60 / t_ort:.0f} windows/s)")
    print(f"torch float32:               {t_fp32:.3f} s  ({60 / t_fp32:.0f} windows/s)")
    print(f"torch bf16 autocast:         {t_bf16:.3f} s  ({60 / t_bf16:.0f} windows/s)")
    print(f"max |p_onnx - p_torch32| = {diff:.2e}")


if __name__ == "__main__":
    main()
