"""Which windows an epoch trains on, and which ones validation reads."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tagger.training.train_config import TrainConfig
    from tagger.training.window_cache import CachedTrack


def items(tracks: list[CachedTrack], per_track: int | None = None) -> np.ndarray:
    """(track, window) rows: every window, or `per_track` evenly spaced over each track."""
    rows = []
    for t, track in enumerate(tracks):
        rows += [(t, w) for w in spread_windows(len(track.mel), per_track)]
    return np.array(rows)


def spread_windows(n: int, per_track: int | None) -> list[int]:
    """Indices of `per_track` of `n` windows, evenly spaced from the first to the last."""
    if per_track is None or per_track >= n:
        return list(range(n))
    return sorted({int(i) for i in np.linspace(0, n - 1, per_track).round()})


def per_track(config: TrainConfig, n_tracks: int) -> int | None:
    """How many windows of each training track one epoch samples (None: all of them)."""
    if config.windows_per_epoch is not None:
        return max(1, math.ceil(config.windows_per_epoch / max(1, n_tracks)))
    return config.windows_per_track


def epoch_order(items: np.ndarray, per_track: int | None, rng: np.random.Generator) -> np.ndarray:
    """This epoch's (track, window) rows in random order: `per_track` of each track's windows,
    without repeats while a track has enough, else all of them and a random draw of the rest."""
    if per_track is not None:
        chosen = []
        for t in np.unique(items[:, 0]):
            rows = np.flatnonzero(items[:, 0] == t)
            if per_track <= len(rows):
                chosen.append(rng.choice(rows, size=per_track, replace=False))
            else:
                extra = rng.choice(rows, size=per_track - len(rows), replace=True)
                chosen.append(np.concatenate([rows, extra]))
        items = items[np.concatenate(chosen)]
    return items[rng.permutation(len(items))]
