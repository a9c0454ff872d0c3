"""Training variants compared on one library, several seeds each, in one process.

    .venv/bin/python benchmarks/learning_variants.py WORK --variants base,refit --seeds 0,1,2

WORK is a finished `benchmarks/library_learning_quality.py` work folder: its library (tags
scanned, genre map applied) and its feature cache, which already holds the labeled tracks'
windows. Every variant trains on the same labels and the same split (`split_seed` 0), with
`--from-library`'s default options plus the variant's changes and without calibration (it does
not change a verdict's class here), then labels the library's untagged tracks from their cached
windows (decoded once, into the same cache): the mean of each track's window probabilities,
as the predictor forms it. The truth is the corpus folder (WORK/music/metal|hardcore/...).

One run per variant and seed is printed as a JSON line and appended to WORK/variants.jsonl:
the untagged tracks right, the held-out test accuracy, the best epoch and the seconds. Seeds
move the augmentation, the epoch samples and the new output rows, not the split, so the spread
over seeds is the run-to-run noise a single library measurement carries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import mutagen
import numpy as np

# Each names its learning rate: the library default's changed (1e-3 → 3e-4) after these were
# measured, and a variant must keep meaning what BENCHMARKS.md measured with it.
VARIANTS: dict[str, dict] = {
    "base": {"refit": False, "lr": 1e-3},
    "refit": {"refit": True, "lr": 1e-3},
    "refit-lr3e-4": {"refit": True, "lr": 3e-4},
}


def untagged_tracks(music: Path) -> list[tuple[Path, str]]:
    """(path, true class) of every file under music/CLASS/ with no genre tag."""
    out = []
    for cls in ("metal", "hardcore"):
        for path in sorted((music / cls).rglob("*")):
            if not path.is_file():
                continue
            audio = mutagen.File(str(path), easy=True)
            if audio is not None and not (audio.tags and audio.tags.get("genre")):
                out.append((path.resolve(), cls))
    return out


def open_work(work: Path):
    """Point this process at WORK's settings and cache folders; WORK's library labels (the genre
    map applied) and its feature cache."""
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    from tagger.service.context import load_settings, open_library
    from tagger.service.learning import library_labels
    from tagger.training.feature_cache import FeatureCache

    library = open_library(str(work / "library.db"), create=False)
    return library_labels(library, load_settings()), FeatureCache()


def untagged_windows(work: Path, frontend, cache, workers: int):
    """The readable untagged tracks' (path, true class) and their cached windows (decoded once,
    into the cache, where missing)."""
    from tagger.training.window_cache import CachedTrack, build_cache

    truth = untagged_tracks(work / "music")
    windows: dict = {}
    build_cache([(p, None) for p, _ in truth], frontend, cache, workers, windows.__setitem__)
    usable = [(p, c) for p, c in truth if isinstance(windows[p], CachedTrack)]
    return usable, [windows[p] for p, _ in usable]


def verdicts(network, tracks, frontend) -> np.ndarray:
    """[tracks, classes]: the mean of each track's window probabilities, as the predictor
    forms a verdict."""
    import torch

    from tagger.training.calibration import window_logits

    logits, track_of = window_logits(network, tracks, frontend, False)
    probs = torch.softmax(torch.from_numpy(logits), 1).numpy()
    return np.stack([probs[track_of == t].mean(0) for t in range(len(tracks))])


def untagged_right(network, classes: list[str], usable, tracks, frontend) -> int:
    """How many untagged tracks the network labels right (verdicts as the predictor forms
    them)."""
    votes = verdicts(network, tracks, frontend)
    return int(sum(classes[int(v.argmax())] == c for v, (_, c) in zip(votes, usable, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--variants", default="base,refit")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--patience", type=int, default=None, help="instead of the default's")
    args = parser.parse_args()
    work = args.work.resolve()
    data, cache = open_work(work)

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import load_model
    from tagger.service.learning import default_config
    from tagger.training.train import train

    frontend = FrontEndConfig()
    usable, tracks = untagged_windows(work, frontend, cache, 2)
    print(f"{len(data.tracks)} labels; {len(usable)} readable untagged tracks")

    for seed in (int(s) for s in args.seeds.split(",")):  # interleaved: the load hits all alike
        for name in args.variants.split(","):
            changes = dict(VARIANTS[name], seed=seed, split_seed=0, calibrate=False)
            if args.patience is not None:
                changes["patience"] = args.patience
            config = default_config("library", **changes)
            out = work / "variants" / f"{name}-{seed}.safetensors"
            out.parent.mkdir(exist_ok=True)
            lines: list[str] = []
            t0, cpu0 = time.monotonic(), time.process_time()
            result = train(
                data, out, config, resume=False, cache=cache, held_out=True,
                show_progress=False, log=lines.append,
            )  # fmt: skip
            seconds, cpu = time.monotonic() - t0, time.process_time() - cpu0
            model = load_model(out)
            right = untagged_right(model.network, list(model.classes), usable, tracks, frontend)
            row = {
                "variant": name,
                "seed": seed,
                "untagged_right": int(right),
                "untagged": len(usable),
                "untagged_accuracy": round(right / len(usable), 4),
                "held_out": model.metrics["test"]["track_level"]["accuracy"],
                "best_epoch": result.best_epoch,
                "epochs_run": len(result.history) - 1,
                "seconds": round(seconds),
                "cpu_seconds": round(cpu),
                "load": os.getloadavg(),
                "log": [x for x in lines if x.startswith(("epoch", "refit epoch"))],
            }
            print(json.dumps({k: v for k, v in row.items() if k != "log"}), flush=True)
            with open(work / "variants.jsonl", "a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    sys.exit(main())
