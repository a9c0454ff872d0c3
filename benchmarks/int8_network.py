"""The network in int8: ONNX Runtime's quantisations of a model's ONNX form, speed and verdicts.

    .venv/bin/python benchmarks/int8_network.py --calibration CAL --library DEMO --library C200
        [--model PATH] [--per-class 20] [--rounds 5] [--only speed|verdicts] [--out FILE.json]

Each --library is a class-folder tree (LIB/metal, LIB/hardcore; e.g. `tagger demo-corpus`),
whose folder names are the true classes; --per-class tracks of each class are taken, evenly
spaced over the sorted file names. CAL is such a tree too, used only to calibrate the static
quantisations (keep it apart from the libraries judged).

The float32 ONNX form (model/onnx_form.py) is quantised with `onnxruntime.quantization` after
its pre-processing (shape inference, graph optimisation):
- dynamic: weights int8 ahead of time, activations quantised per batch (no calibration data);
- static QDQ (`tagger.model.int8_form.quantise`, what TAGGER_PRECISION=int8 runs): the CNN
  (Conv, Relu, MaxPool) with uint8 activations and int8 weights, activation ranges from the
  calibration windows (MinMax); the GRUs and the head stay float32;
each per tensor and per channel. Then, in one process:
1. speed: the network alone on 60 real windows (in runs of WINDOWS_PER_RUN, as the predictor
   runs it) at 1 and 2 intra-op threads, every variant interleaved round by round, best and
   median windows/s and process CPU s per 60 windows;
2. verdicts: every track's log-Mel windows are computed once and run through each variant; per
   library, the share of tracks whose verdict class agrees with float32, the largest |Δp| of a
   track verdict and of a window, and each variant's accuracy against the folder classes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from onnxruntime.quantization import QuantType, quant_pre_process, quantize_dynamic

from tagger.audio.formats import AUDIO_EXTENSIONS
from tagger.model.checkpoint import read_model_info
from tagger.model.int8_form import quantise
from tagger.model.onnx_form import onnx_form
from tagger.model.predictor import Predictor
from tagger.model.runtime import OnnxNetwork

THREADS = (1, 2)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def library_tracks(root: Path, per_class: int) -> list[tuple[Path, str]]:
    """(path, true class) for `per_class` tracks of each class folder, evenly spaced."""
    tracks = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
        )
        step = max(1, len(files) // per_class)
        tracks += [(p, folder.name) for p in files[::step][:per_class]]
    return tracks


def quantised_forms(fp32: Path, calibration: np.ndarray, folder: Path) -> dict[str, Path]:
    """Every int8 variant of the float32 form, written into `folder`."""
    pre = folder / "pre.onnx"
    quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
    forms = {"float32": fp32}
    for per_channel in (False, True):
        scope = "per-channel" if per_channel else "per-tensor"
        path = folder / f"dynamic-{scope}.onnx"
        quantize_dynamic(str(pre), str(path), weight_type=QuantType.QInt8, per_channel=per_channel)
        forms[f"dynamic {scope}"] = path
        path = folder / f"static-{scope}.onnx"
        forms[f"static QDQ {scope}"] = quantise(fp32, calibration, path, per_channel=per_channel)
    return forms


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]


def time_once(network: OnnxNetwork, mel: np.ndarray) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    network.probabilities(mel)
    return time.perf_counter() - t0, time.process_time() - c0


def speed(forms: dict[str, Path], mel: np.ndarray, rounds: int) -> None:
    networks = {(name, t): OnnxNetwork(path, t) for name, path in forms.items() for t in THREADS}
    timings = {key: Timing([], []) for key in networks}
    for network in networks.values():
        network.probabilities(mel)  # warm-up: the arena and the kernels' packed weights
    print(f"speed: 60 windows, best / median of {rounds} rounds, load {load()}")
    for _ in range(rounds):
        for key, network in networks.items():
            wall, cpu = time_once(network, mel)
            timings[key].wall.append(wall)
            timings[key].cpu.append(cpu)
    print(f"load after {load()}")
    print("| variant | threads | windows/s best / median | CPU s per 60 windows | vs float32 |")
    print("|---|---|---|---|---|")
    for (name, threads), t in timings.items():
        base = timings[("float32", threads)]
        ratio = min(base.wall) / min(t.wall)
        print(
            f"| {name} | {threads} | {60 / min(t.wall):.0f} / {60 / statistics.median(t.wall):.0f}"
            f" | {min(t.cpu):.3f} / {statistics.median(t.cpu):.3f} | {ratio:.2f}× |"
        )


def verdicts(
    forms: dict[str, Path], libraries: list[Path], per_class: int, predictor: Predictor
) -> dict:
    networks = {name: OnnxNetwork(path, 2) for name, path in forms.items()}
    classes = list(predictor.classes)
    results: dict = {}
    for root in libraries:
        tracks = library_tracks(root, per_class)
        truth, windows = [], {name: [] for name in networks}
        for path, label in tracks:
            try:
                mel = predictor.features(path).mel
            except Exception as exc:  # a file the decoder refuses is reported, not fatal
                print(f"  skipped {path.name}: {type(exc).__name__}: {exc}")
                continue
            truth.append(classes.index(label))
            for name, network in networks.items():
                windows[name].append(network.probabilities(mel))
        truth_a = np.array(truth)
        reference = windows["float32"]
        ref_tracks = np.array([w.mean(axis=0) for w in reference])
        rows = {}
        for name, per_track in windows.items():
            means = np.array([w.mean(axis=0) for w in per_track])
            rows[name] = {
                "tracks": len(means),
                "agree": float((means.argmax(1) == ref_tracks.argmax(1)).mean()),
                "max_track_dp": float(np.abs(means - ref_tracks).max()),
                "max_window_dp": float(
                    max(np.abs(a - b).max() for a, b in zip(per_track, reference, strict=True))
                ),
                "accuracy": float((means.argmax(1) == truth_a).mean()),
            }
        results[str(root)] = rows
        print(f"\nverdicts on {root} ({len(truth)} tracks), load {load()}")
        print("| variant | verdicts agree | max track |Δp| | max window |Δp| | accuracy |")
        print("|---|---|---|---|---|")
        for name, r in rows.items():
            print(
                f"| {name} | {r['agree']:.1%} | {r['max_track_dp']:.4f} | "
                f"{r['max_window_dp']:.4f} | {r['accuracy']:.1%} |"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: the bundled model")
    parser.add_argument("--calibration", type=Path, required=True)
    parser.add_argument("--library", type=Path, action="append", default=[])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--calibration-per-class", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write the verdict figures here")
    parser.add_argument(
        "--only",
        choices=("speed", "verdicts"),
        default=None,
        help="one half (e.g. the verdicts niced, the speed on a quiet machine)",
    )
    args = parser.parse_args()

    info = read_model_info(args.model)
    predictor = Predictor.load(args.model, runtime="onnx", threads=2)
    calibration = np.concatenate(
        [
            predictor.features(p).mel
            for p, _ in library_tracks(args.calibration, args.calibration_per_class)
        ]
    )
    print(f"model {info.path.name}, {len(calibration)} calibration windows")
    with tempfile.TemporaryDirectory() as tmp:
        forms = quantised_forms(onnx_form(info), calibration, Path(tmp))
        for name, path in forms.items():
            print(f"  {name}: {path.stat().st_size / 1e6:.2f} MB")
        if args.only != "verdicts":
            first = library_tracks(args.library[0], 1)[0][0] if args.library else None
            mel = predictor.features(first).mel if first else calibration[:60]
            speed(forms, mel, args.rounds)
        results = {}
        if args.only != "speed":
            results = verdicts(forms, args.library, args.per_class, predictor)
    if args.out and results:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
