"""Would a track-level rule learnt from out-of-fold windows label the untagged tracks better?

    .venv/bin/python benchmarks/crossfit_aggregator.py WORK [--folds 3] [--epochs 8] [--seed 0]
        [--windows FILE.npz]

WORK is a finished `benchmarks/library_learning_quality.py` work folder. The predictor labels a
track by the mean of its window probabilities. Where a library's wrong tracks are whole sections
heard as the other class (BENCHMARKS.md, "where the stubborn errors sit"), a rule that looks at
how the windows spread (quantiles, the share of windows for each class, the longest run) might do
better, but it must be learnt on windows the network did not train on. Cross-fitting gives them:
the labeled tracks are cut into FOLDS parts by album (an album never straddles parts), each part
is scored by a refit (the recipe's: bundled start, its rate and schedule, EPOCHS epochs) on the
others, and a logistic regression on each track's window statistics is fitted to those
out-of-fold scores. A refit on every label then scores the untagged tracks, which are labeled by
the mean (the product's rule) and by the learnt rule, and both are counted against the corpus
folders (WORK/music/CLASS/...). The per-window logits are written to --windows (default
WORK/crossfit_windows.npz) so that other rules can be tried without training again; --reuse
reads them instead of training. Costs FOLDS + 1 refits; --folds 0 trains only the refit on every
label. Only two-class libraries.

As a bound on what any rule of one statistic could do, the best threshold on each statistic is
also printed with the untagged tracks' own truth chosen it ("oracle": not a rule, since it sees
the answers).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from learning_variants import open_work, untagged_windows  # noqa: E402

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
FEATURES = ("mean p", "mean d", *(f"q{int(q * 100)}" for q in QUANTILES), "share", "run")


def track_features(d: np.ndarray) -> np.ndarray:
    """Statistics of one track's window log-odds `d` (second class against the first)."""
    p = 1.0 / (1.0 + np.exp(-d))
    positive = d > 0
    longest = run = 0
    for x in positive:
        run = run + 1 if x else 0
        longest = max(longest, run)
    return np.array(
        [p.mean(), np.clip(d, -8, 8).mean(), *np.quantile(p, QUANTILES), positive.mean(),
         longest / len(d)]
    )  # fmt: skip


def per_track(d: np.ndarray, track_of: np.ndarray, n: int) -> np.ndarray:
    return np.stack([track_features(d[track_of == t]) for t in range(n)])


def album_folds(tracks, folds: int, seed: int) -> np.ndarray:
    """Fold of each labeled track: albums (artist + album, else the track) dealt out at random,
    each class's albums spread evenly."""
    rng = np.random.default_rng(seed)
    keys = [(t.artist or "", t.album or str(t.path)) for t in tracks]
    fold_of: dict[tuple[str, str], int] = {}
    for label in sorted({t.label for t in tracks}):
        albums = sorted({k for k, t in zip(keys, tracks, strict=True) if t.label == label})
        rng.shuffle(albums)
        start = len(fold_of)
        for i, key in enumerate(albums):
            fold_of.setdefault(key, (start + i) % folds)
    return np.array([fold_of[k] for k in keys])


def refit_logits(config, classes, frontend, train_set, score_tracks) -> tuple[np.ndarray, ...]:
    """Refit the recipe's way on `train_set`, then the window log-odds of `score_tracks`."""
    import torch

    from tagger.model.network import set_temperature
    from tagger.training import train as training
    from tagger.training.calibration import window_logits
    from tagger.training.refit import refit

    torch.manual_seed(config.seed)
    index = {c: i for i, c in enumerate(classes)}
    network, _ = training.start_network(config, classes, frontend, train_set[0], print)
    weight_decay = training.resolved_weight_decay(config)
    refit(
        network, training.labeled_windows(train_set, index), config, frontend,
        epochs=config.refit_min_epochs, lr=config.lr, weight_decay=weight_decay,
        rng=np.random.default_rng(config.seed), log=print, stage=lambda s: None,
    )  # fmt: skip
    set_temperature(network, 1.0)
    logits, track_of = window_logits(network, score_tracks, frontend, False)
    return logits[:, 1] - logits[:, 0], track_of


def train_and_score(work: Path, args) -> dict[str, np.ndarray]:
    import torch

    from tagger.service.learning import default_config
    from tagger.training import train as training
    from tagger.training.window_cache import decode_tracks

    data, cache = open_work(work)
    if len(data.classes) != 2:
        sys.exit(f"two classes only, this library has {data.classes}")
    config = default_config(
        "library", seed=args.seed, calibrate=False, refit_min_epochs=args.epochs
    )
    torch.set_num_threads(config.workers)
    frontend = training.frontend_for(config.arch, config.overlap_short_tracks)
    (windows, labeled), _ = decode_tracks(data.tracks, frontend, cache, config.workers)
    usable, untagged = untagged_windows(work, frontend, cache, config.workers)
    fold = album_folds(labeled, args.folds, args.seed)
    oof_d: list[np.ndarray] = []
    oof_track: list[np.ndarray] = []
    for k in range(args.folds):
        t0 = time.monotonic()
        train = [i for i in range(len(labeled)) if fold[i] != k]
        held = [i for i in range(len(labeled)) if fold[i] == k]
        d, track_of = refit_logits(
            config, data.classes, frontend,
            ([windows[i] for i in train], [labeled[i] for i in train]),
            [windows[i] for i in held],
        )  # fmt: skip
        oof_d.append(d)
        oof_track.append(np.asarray(held)[track_of])
        print(f"fold {k + 1} of {args.folds}: {len(held)} tracks, {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    d, track_of = refit_logits(config, data.classes, frontend, (windows, labeled), untagged)
    print(f"refit on all {len(labeled)} labels: {time.monotonic() - t0:.0f} s")
    return {
        "classes": np.array(data.classes),
        "oof_d": np.concatenate(oof_d) if oof_d else np.zeros(0),
        "oof_track": np.concatenate(oof_track) if oof_track else np.zeros(0, dtype=int),
        "labeled_y": np.array([data.classes.index(t.label) for t in labeled]),
        "labeled_album": np.array([f"{t.artist}/{t.album}" for t in labeled]),
        "untagged_d": d,
        "untagged_track": track_of,
        "untagged_y": np.array([data.classes.index(c) for _, c in usable]),
        "untagged_name": np.array([Path(p).name for p, _ in usable]),
    }


def compare(saved: dict[str, np.ndarray]) -> dict:
    """Mean rule against the learnt rule, on the untagged tracks."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y_lab, y_unt = saved["labeled_y"], saved["untagged_y"]
    x_lab = per_track(saved["oof_d"], saved["oof_track"], len(y_lab)) if len(saved["oof_d"]) else []
    x_unt = per_track(saved["untagged_d"], saved["untagged_track"], len(y_unt))
    rows = {"labeled": len(y_lab), "untagged": len(y_unt)}
    if len(x_lab):
        rows["mean rule: out-of-fold labeled right"] = int(((x_lab[:, 0] > 0.5) == y_lab).sum())
    rows["mean rule: untagged right"] = int(((x_unt[:, 0] > 0.5) == y_unt).sum())
    everything = list(range(len(FEATURES)))
    for name, columns in (("mean p refitted", [0]), ("all statistics", everything)):
        if len(x_lab) == 0:
            break
        rule = make_pipeline(StandardScaler(), LogisticRegression(C=1.0))
        rule.fit(x_lab[:, columns], y_lab)
        rows[f"learnt rule ({name}): untagged right"] = int(
            (rule.predict(x_unt[:, columns]) == y_unt).sum()
        )
    rows["oracle threshold per statistic: untagged right"] = {
        f: int(max(((x_unt[:, j] > t) == y_unt).sum() for t in [-np.inf, *x_unt[:, j]]))
        for j, f in enumerate(FEATURES)
    }
    rows["share of windows heard as the second class, quantiles 0/10/25/50/75/90/100 %"] = {
        f"untagged {saved['classes'][c]}": " ".join(
            f"{q:.2f}" for q in np.quantile(x_unt[y_unt == c, 7], [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])
        )
        for c in (0, 1)
    }
    wrong = [
        f"{n} ({saved['classes'][y]}): "
        + " ".join(f"{f}={v:.2f}" for f, v in zip(FEATURES, x, strict=True))
        for n, y, x in zip(saved["untagged_name"], y_unt, x_unt, strict=True)
        if (x[0] > 0.5) != y
    ]
    rows["wrong by the mean rule"] = wrong
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--windows", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="read --windows, train nothing")
    args = parser.parse_args()
    work = args.work.resolve()
    path = args.windows or work / "crossfit_windows.npz"
    if args.reuse:
        saved = dict(np.load(path))
    else:
        saved = train_and_score(work, args)
        np.savez(path, **saved)
    print(json.dumps(compare(saved), indent=1))


if __name__ == "__main__":
    main()
