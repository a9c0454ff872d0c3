"""The network alone on ONNX Runtime and on torch: the same 60-window batch.

    .venv/bin/python benchmarks/onnx_vs_torch.py [--model PATH] [--threads N]

ONNX Runtime (float32; its CPU kernels have no bf16 convolutions) in runs of 60 windows at once
and of WINDOWS_PER_RUN at a time (what the predictor does, for memory), against torch in float32
and with bf16 autocast. Prints seconds, windows/s, the largest probability difference from torch
float32, and the resident memory each ONNX Runtime batching leaves behind (its arena).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from tagger.model import runtime
from tagger.model.predictor import Predictor


def best_of(fn, repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def rss_mb() -> int:
    with open("/proc/self/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=None, help="default: all cores")
    args = parser.parse_args()
    x = np.random.default_rng(0).uniform(-80, 0, (60, 2, 64, 259)).astype(np.float32)
    onnx = Predictor.load(args.model, runtime="onnx", threads=args.threads)
    fp32 = Predictor.load(args.model, runtime="torch", bf16=False, threads=args.threads)
    bf16 = Predictor.load(args.model, runtime="torch", bf16=True, threads=args.threads)
    reference = fp32.window_probabilities(x)
    per_run = runtime.WINDOWS_PER_RUN
    print(f"load {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {onnx.network.threads} threads")
    for label, windows in ((f"{per_run} windows per run", per_run), ("60 windows at once", 60)):
        runtime.WINDOWS_PER_RUN = windows
        before = rss_mb()
        seconds = best_of(lambda: onnx.window_probabilities(x))
        diff = np.abs(onnx.window_probabilities(x) - reference).max()
        print(
            f"onnxruntime float32, {label:20s} {seconds:.3f} s ({60 / seconds:4.0f} windows/s)"
            f"  max |Δp| {diff:.1e}  RSS +{rss_mb() - before} MB"
        )
    for name, p in (("torch float32", fp32), ("torch bf16 autocast", bf16)):
        seconds = best_of(lambda p=p: p.window_probabilities(x))
        print(f"{name:42s} {seconds:.3f} s ({60 / seconds:4.0f} windows/s)")


if __name__ == "__main__":
    main()
