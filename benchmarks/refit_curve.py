"""How the refit's untagged tracks fare after each epoch: train on every label, score each epoch.

    .venv/bin/python benchmarks/refit_curve.py WORK [--seed 0] [--epochs 10] [--lr 3e-4]

WORK is a finished `benchmarks/library_learning_quality.py` work folder (its library, genre map
applied, and its feature cache). The run is the refit of the library recipe (training/refit.py)
without a split run before it: the bundled model's weights, the recipe's options and learning
rate, every label of the library, for EPOCHS epochs. After each epoch the library's untagged
tracks are labeled from their cached windows (the mean of each track's window probabilities, as
the predictor forms it) and counted against the corpus folders (WORK/music/metal|hardcore/...).
One JSON line per epoch is printed and appended to WORK/refit_curve.jsonl. This is what chose
the recipe's `refit_min_epochs` (BENCHMARKS.md, "How long the refit trains").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from learning_variants import untagged_tracks  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=None, help="instead of the recipe's")
    args = parser.parse_args()
    work = args.work.resolve()
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")

    import torch

    from tagger.model.architectures import architecture
    from tagger.service.context import load_settings, open_library
    from tagger.service.learning import default_config, library_labels
    from tagger.training import train as training
    from tagger.training.calibration import window_logits
    from tagger.training.epoch_loop import train_epoch
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.window_cache import CachedTrack, build_cache, decode_tracks

    library = open_library(str(work / "library.db"), create=False)
    data = library_labels(library, load_settings())
    changes = {"seed": args.seed, "calibrate": False}
    if args.lr is not None:
        changes["lr"] = args.lr
    config = default_config("library", **changes)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.workers)
    rng = np.random.default_rng(config.seed)
    frontend = training.frontend_for(config.arch)
    cache = FeatureCache()
    labeled, _ = decode_tracks(data.tracks, frontend, cache, config.workers)
    truth = untagged_tracks(work / "music")
    windows: dict[Path, CachedTrack | str] = {}
    build_cache([(p, None) for p, _ in truth], frontend, cache, config.workers, windows.__setitem__)
    usable = [(p, c) for p, c in truth if isinstance(windows[p], CachedTrack)]
    untagged = [windows[p] for p, _ in usable]
    index = {c: i for i, c in enumerate(data.classes)}
    truth_index = np.array([index[c] for _, c in usable])

    network, _ = training._start_network(config, data.classes, frontend, labeled[0], print)
    weight_decay = config.weight_decay
    if weight_decay is None:
        weight_decay = architecture(config.arch).weight_decay
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    all_labels = training._windows(labeled, index)

    def right() -> int:
        logits, track_of = window_logits(network, untagged, frontend, False)
        probs = torch.softmax(torch.from_numpy(logits), 1).numpy()
        verdicts = np.stack([probs[track_of == t].mean(0) for t in range(len(untagged))])
        return int((verdicts.argmax(1) == truth_index).sum())

    print(f"{len(labeled[0])} labeled tracks; {len(usable)} untagged; start: {right()} right")
    times: list[float] = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.monotonic()
        outcome = train_epoch(
            network, optimizer, all_labels, config, frontend, rng, epoch=epoch, epoch_times=times
        )
        scheduler.step()
        times.append(time.monotonic() - t0)
        row = {
            "work": work.name,
            "seed": args.seed,
            "lr": config.lr,
            "epoch": epoch,
            "loss": round(outcome.loss, 4),
            "untagged_right": right(),
            "untagged": len(usable),
            "seconds": round(time.monotonic() - t0),
            "load": os.getloadavg(),
        }
        print(json.dumps(row), flush=True)
        with open(work / "refit_curve.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
