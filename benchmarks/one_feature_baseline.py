"""How far does ONE global feature get on the demo corpus? (It must not get far.)

For each track we compute a single global number: (a) tempo from librosa's beat tracker,
(b) mean spectral centroid, (c) RMS loudness, (d) zero-crossing rate. For each feature alone we
fit a one-threshold classifier (a depth-1 tree) and a 1-D logistic regression, and score them
with 5-fold cross-validation grouped by artist (so the test tracks' bands were never seen), at
track level. The in-sample best threshold is printed too: it is the most any 1-D rule can do.

The demo corpus is meant to be learnable only from patterns over time; every single feature
should stay under 80 % (ideally about 70 %). As a counter-check, a "pattern probe" (a linear
model on a level-free rhythm descriptor: per-band onset autocorrelation) shows that the labels
are learnable from how onsets repeat over time.

Usage:
    python benchmarks/one_feature_baseline.py CORPUS_DIR [--json out.json]
    python benchmarks/one_feature_baseline.py CORPUS_DIR --tracks 200 --seed 0 \
        --min-seconds 30 --max-seconds 60      # renders the corpus first if CORPUS_DIR has none
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import av
import librosa
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

ANALYSIS_RATE = 22_050
FEATURES = ("tempo", "spectral_centroid", "rms", "zero_crossing_rate")
LIMIT = 0.80


def load_mono(path: Path) -> np.ndarray:
    """Whole file as mono float32 at 22.05 kHz (the demo tracks are short enough to hold)."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=ANALYSIS_RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.float32)


def track_features(path: Path) -> tuple[dict[str, float], np.ndarray]:
    """The four global features, and the rhythm-pattern descriptor of the pattern probe."""
    y = load_mono(path)
    sr = ANALYSIS_RATE
    tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
    feats = {
        "tempo": float(np.atleast_1d(tempo)[0]),
        "spectral_centroid": float(librosa.feature.spectral_centroid(y=y, sr=sr).mean()),
        "rms": float(librosa.feature.rms(y=y).mean()),
        "zero_crossing_rate": float(librosa.feature.zero_crossing_rate(y).mean()),
    }
    return feats, rhythm_pattern(y, sr)


PROBE_BANDS = ((0, 6), (6, 24), (24, 64))  # Mel bands: kick/chugs, guitar body, cymbals
PROBE_LAGS = 87  # about 2 s of onset-envelope autocorrelation


def rhythm_pattern(y: np.ndarray, sr: int) -> np.ndarray:
    """How onsets repeat in three frequency bands: the normalised autocorrelation of each band's
    onset envelope over lags up to 2 s, plus each band's onset density. Free of level and
    brightness by construction (each curve is divided by its lag-0 value)."""
    mel = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_mels=64))
    flux = np.maximum(np.diff(mel, axis=1), 0.0)
    out = []
    for lo, hi in PROBE_BANDS:
        env = flux[lo:hi].mean(axis=0)
        env = env - env.mean()
        ac = librosa.autocorrelate(env, max_size=PROBE_LAGS)
        out.append(ac[1:] / (ac[0] or 1.0))
        out.append([np.mean(env > env.std())])
    return np.concatenate(out)


def best_threshold_accuracy(x: np.ndarray, y: np.ndarray) -> float:
    """In-sample accuracy of the best single threshold, either direction."""
    order = np.argsort(x)
    ys = y[order]
    # Predict 1 above the cut: correct = zeros below + ones above.
    zeros_below = np.concatenate([[0], np.cumsum(ys == 0)])
    ones_above = np.concatenate([np.cumsum((ys == 1)[::-1])[::-1], [0]])
    correct = zeros_below + ones_above
    return float(max(correct.max(), len(y) - correct.min()) / len(y))


def evaluate(rows: list[dict], folds: int = 5, seed: int = 0) -> dict[str, dict[str, float]]:
    y = np.array([r["label"] == "metal" for r in rows], dtype=int)
    groups = np.array([r["artist"] for r in rows])
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    out = {}
    for name in FEATURES:
        x = np.array([[r[name]] for r in rows])
        stump = cross_val_score(DecisionTreeClassifier(max_depth=1), x, y, groups=groups, cv=cv)
        logreg = cross_val_score(
            make_pipeline(StandardScaler(), LogisticRegression()), x, y, groups=groups, cv=cv
        )
        out[name] = {
            "stump_cv_accuracy": float(stump.mean()),
            "logreg_cv_accuracy": float(logreg.mean()),
            "best_threshold_in_sample": best_threshold_accuracy(x[:, 0], y),
            "metal_mean": float(x[y == 1].mean()),
            "metal_std": float(x[y == 1].std()),
            "hardcore_mean": float(x[y == 0].mean()),
            "hardcore_std": float(x[y == 0].std()),
        }
    return out


def pattern_probe(rows: list[dict], patterns: np.ndarray, folds: int = 5, seed: int = 0) -> float:
    """Track accuracy of a linear model on the rhythm descriptor: evidence that the labels ARE
    learnable from patterns over time, where no single global feature gets far."""
    y = np.array([r["label"] == "metal" for r in rows], dtype=int)
    groups = np.array([r["artist"] for r in rows])
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000))
    return float(cross_val_score(model, patterns, y, groups=groups, cv=cv).mean())


def print_table(results: dict[str, dict[str, float]], n: int) -> None:
    print(f"\nOne-feature baselines, {n} tracks, 5-fold CV grouped by artist (track level)")
    print(
        f"{'feature':<20} {'stump CV':>9} {'logreg CV':>10} {'best thr':>9}   "
        f"{'metal mean±sd':>18} {'hardcore mean±sd':>18}"
    )
    for name, r in results.items():
        print(
            f"{name:<20} {r['stump_cv_accuracy']:>9.1%} {r['logreg_cv_accuracy']:>10.1%} "
            f"{r['best_threshold_in_sample']:>9.1%}   "
            f"{r['metal_mean']:>9.4g} ±{r['metal_std']:<7.3g} "
            f"{r['hardcore_mean']:>9.4g} ±{r['hardcore_std']:<7.3g}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="corpus folder (rendered there if empty)")
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-seconds", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)

    manifest_path = args.corpus / "corpus.json"
    render_seconds = None
    if not manifest_path.exists():
        from tqdm import tqdm

        from tagger.training.demo_corpus import render_demo_corpus

        bar = tqdm(total=args.tracks, desc="rendering", unit="track")
        start = time.perf_counter()
        render_demo_corpus(
            args.corpus,
            args.tracks,
            args.seed,
            workers=args.workers,
            duration_range=(args.min_seconds, args.max_seconds),
            progress=lambda done, total: bar.update(done - bar.n),
        )
        bar.close()
        render_seconds = time.perf_counter() - start
    manifest = json.loads(manifest_path.read_text())

    rows, patterns = [], []
    for entry in tqdm_or_list(manifest["tracks"]):
        feats, pattern = track_features(args.corpus / entry["path"])
        rows.append({"label": entry["label"], "artist": entry["artist"], **feats})
        patterns.append(pattern)
    results = evaluate(rows)
    print_table(results, len(rows))
    probe = pattern_probe(rows, np.array(patterns))
    print(
        f"\npattern probe (logistic regression on 3-band onset autocorrelation, "
        f"{len(patterns[0])} dims, same CV): {probe:.1%}"
    )
    worst = max(r["stump_cv_accuracy"] for r in results.values())
    worst_lr = max(r["logreg_cv_accuracy"] for r in results.values())
    ok = max(worst, worst_lr) < LIMIT
    print(
        f"\nbest single feature: {max(worst, worst_lr):.1%} "
        f"({'OK, under' if ok else 'FAIL, not under'} {LIMIT:.0%})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "corpus": str(args.corpus),
                    "tracks": len(rows),
                    "seed": manifest.get("seed"),
                    "duration_range": manifest.get("duration_range"),
                    "render_seconds": render_seconds,
                    "machine": f"{platform.machine()} {platform.processor()} {platform.system()}",
                    "results": results,
                    "pattern_probe_cv_accuracy": probe,
                    "per_track": rows,
                    "under_limit": ok,
                },
                indent=1,
            )
        )
    return 0 if ok else 1


def tqdm_or_list(items: list) -> list:
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return tqdm(items, desc="features", unit="track")


if __name__ == "__main__":
    sys.exit(main())
