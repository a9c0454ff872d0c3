"""Speed of one classification: a 4-minute stereo 44.1 kHz mp3, decode-only vs full classify.

    .venv/bin/python benchmarks/classify_speed.py [--model PATH] [--repeat 5] [--runtimes R,R]

R is onnx, onnx-int8 (TAGGER_PRECISION=int8) or torch.

Prints decode-only seconds (a full decode of the file to PCM, as any player does), and for each
runtime (ONNX Runtime, and torch as it ran before it) the full classify seconds (decode the 60
windows → log-Mel → network), the ratio to decode-only, and the network's windows per second on
its own, all in one run so that the ratios share the machine's load. Ends with the peak memory
(max RSS) of this process, which has loaded every runtime listed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from audio_factory import write_audio  # noqa: E402

from tagger.audio.decode import iter_chunks  # noqa: E402
from tagger.model.predictor import Predictor  # noqa: E402


def four_minute_mp3(folder: Path) -> Path:
    """Loud, busy stereo content (noise bursts over chords) so the encoder works for real."""
    rate, seconds = 44_100, 240
    rng = np.random.default_rng(0)
    t = np.arange(rate * seconds) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (82.4, 123.5, 164.8)) / 3
    bursts = rng.standard_normal(len(t)) * (np.sin(2 * np.pi * 3 * t) > 0.6)
    left = 0.5 * chord + 0.2 * bursts
    right = 0.5 * np.roll(chord, 300) + 0.2 * bursts
    return write_audio(folder / "four_minutes.mp3", np.stack([left, right]).astype(np.float32))


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def load(model: str | None, runtime: str) -> Predictor:
    """`onnx-int8` is ONNX Runtime with TAGGER_PRECISION=int8 (model/int8_form.py), its form
    calibrated on the benchmark's own file during the warm-up."""
    if runtime != "onnx-int8":
        return Predictor.load(model, runtime=runtime)
    before = os.environ.get("TAGGER_PRECISION")
    os.environ["TAGGER_PRECISION"] = "int8"
    try:
        return Predictor.load(model, runtime="onnx")
    finally:
        os.environ.pop("TAGGER_PRECISION")
        if before is not None:
            os.environ["TAGGER_PRECISION"] = before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--runtimes", default="onnx,torch", help="comma-separated: onnx, onnx-int8, torch"
    )
    args = parser.parse_args()
    predictors = [load(args.model, r) for r in args.runtimes.split(",")]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus; "
        f"model {predictors[0].name}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        # Made in a child process, so that this process's peak memory is the classifier's.
        with ProcessPoolExecutor(max_workers=1) as pool:
            path = pool.submit(four_minute_mp3, Path(tmp)).result()
        mel = predictors[0].features(path).mel
        for predictor in predictors:
            predictor.classify(path)  # warm-up: thread pools, kernels
            for _ in range(8):  # until the int8 form is calibrated (a failure warns)
                if getattr(predictor.network, "precision", "int8") == "int8":
                    break
                predictor.window_probabilities(mel)
        for _ in range(2):  # alternate, so that a change in load hits every runtime
            decode_best, decode_med = best_of(
                lambda: sum(c.shape[1] for c in iter_chunks(path)), args.repeat
            )
            print(f"decode-only            best {decode_best:.3f} s  median {decode_med:.3f} s")
            for p in predictors:
                best, median = best_of(lambda p=p: p.classify(path), args.repeat)
                net, _ = best_of(lambda p=p: p.window_probabilities(mel), args.repeat)
                print(
                    f"classify on {p.runtime:5s} {getattr(p.network, 'precision', ''):7s} "
                    f"({p.network.threads} threads) best {best:.3f} s"
                    f"  median {median:.3f} s  ratio {best / decode_best:.2f}  network alone "
                    f"{len(mel) / net:.0f} windows/s"
                )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process, all runtimes loaded): {peak_mb:.0f} MB")
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
