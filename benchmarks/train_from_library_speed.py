"""Training time from library labels: 200 and 1,000 labeled tracks, and a retrain after 50 new
review decisions with a warm feature cache.

    .venv/bin/python benchmarks/train_from_library_speed.py [--tracks 200,1000] [--epochs 2]

What it measures, and how the parts add up to a full run:
- decode + log-Mel seconds per track, on real 3-minute files made here (the cold-cache cost a
  first run pays once per labeled track);
- seconds per training epoch (train batches + validation) with the library's default options,
  for N labeled tracks whose windows are already in the feature cache (the windows are
  synthetic: an epoch's cost depends on their number and shape, not their content);
- a full run's time is at most N x decode + the recipe's epoch cap x epoch seconds (early
  stopping only shortens it; the real runs of library_learning_quality.py give the epochs);
- a retrain after 50 new decisions: the 50 newly labeled tracks are decoded, the rest are cache
  hits; library_learning_quality.py --retrain-after 50 times a real one, and
  train_from_library_real.py a real 1,000-track run and its retrain.
The machine is shared; the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from audio_factory import write_audio  # noqa: E402

from tagger.audio.mel import FrontEndConfig  # noqa: E402
from tagger.training.dataset import LabeledTrack  # noqa: E402
from tagger.training.feature_cache import FeatureCache  # noqa: E402
from tagger.training.labeled_set import labeled_set  # noqa: E402
from tagger.training.recipes import LIBRARY_DEFAULT  # noqa: E402
from tagger.training.train import train  # noqa: E402
from tagger.training.window_cache import build_cache, cache_key  # noqa: E402


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def decode_seconds(folder: Path, n: int, workers: int) -> float:
    """Per track, cold cache: real 3-minute stereo flac files through build_cache."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        t = np.arange(44_100 * 180) / 44_100
        x = 0.3 * np.sin(2 * np.pi * (80 + 20 * i) * t) + 0.05 * rng.standard_normal(len(t))
        paths.append(write_audio(folder / f"real{i}.flac", np.stack([x, x]).astype(np.float32)))
    cache = FeatureCache(folder / "cache")
    start = time.perf_counter()
    build_cache([(p, None) for p in paths], FrontEndConfig(), cache, workers, lambda p, r: None)
    return (time.perf_counter() - start) / n  # wall time: the decoding runs in child processes


def synthetic_set(n: int, cache: FeatureCache, seed: int) -> list[LabeledTrack]:
    """n labeled tracks (two classes, 5 tracks per album, 2 albums per artist) in the cache."""
    config = FrontEndConfig()
    rng = np.random.default_rng(seed)
    tracks = []
    for i in range(n):
        label = ("hardcore", "metal")[i % 2]
        t = LabeledTrack(
            Path(f"/synthetic/{i}.flac"),
            label,
            f"artist {i // 10}",
            None,
            album=f"album {i // 5}",
            source="tag",
            fingerprint=f"synthetic-{seed}-{i}",
        )
        shape = (config.n_parts, 2, config.n_mels, config.n_frames)
        mel = rng.uniform(-80, 0, size=shape).astype(np.float16) + (5 if i % 2 else 0)
        lengths = np.full(config.n_parts, config.window_samples, dtype=np.int64)
        cache.put(cache_key(t.path, t.fingerprint, config), {"mel": mel, "lengths": lengths})
        tracks.append(t)
    return tracks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", default="200,1000")
    parser.add_argument("--epochs", type=int, default=2, help="epochs to time per size")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--decode-files", type=int, default=24)  # 4 measured mostly pool start-up
    args = parser.parse_args()
    defaults = LIBRARY_DEFAULT
    print(f"library defaults: {defaults}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        per_track = decode_seconds(folder, args.decode_files, args.workers)
        print(f"decode + log-Mel, cold cache: {per_track:.2f} s per 3-minute track ({load()})")
        for n in (int(x) for x in args.tracks.split(",")):
            cache = FeatureCache(folder / f"cache{n}", max_bytes=2 * n * 5 * 1024**2)
            data = labeled_set(synthetic_set(n, cache, seed=n), f"{n} synthetic tracks")
            config = defaults.__class__(**{**defaults.__dict__, "epochs": args.epochs})
            config = config.__class__(**{**config.__dict__, "workers": args.workers})
            start, cpu_start = time.perf_counter(), time.process_time()
            result = train(
                data,
                folder / f"m{n}.safetensors",
                config,
                cache=cache,
                show_progress=False,
                log=lambda s: None,
                resume=False,
            )
            total = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            epoch = float(np.mean([r.seconds for r in result.history]))
            decode = n * per_track
            cap = defaults.epochs
            print(
                f"{n} labeled tracks: {epoch:.1f} s per epoch, {total:.1f} s for {args.epochs} "
                f"epochs incl. loading the cache, {cpu:.0f} CPU-seconds ({load()}); cold first "
                f"run of E epochs = {decode:.0f} s decode + E x {epoch:.0f} s, at most "
                f"{(decode + cap * epoch) / 60:.1f} min ({cap} epochs, no early stop); retrain "
                f"after 50 decisions at most {(50 * per_track + cap * epoch) / 60:.1f} min",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
