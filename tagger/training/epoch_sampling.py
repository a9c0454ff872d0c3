"""Which windows an epoch trains on, and which ones validation reads."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
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


def window_counts(config: TrainConfig, artists: Sequence[str | None]) -> np.ndarray | None:
    """How many windows each training track gets in one epoch (None: all of every track's).

    `share_by="track"` gives every track `per_track` windows. `"artist"` shares the same budget
    out so that every artist gets an equal part, split evenly over its tracks (at least one
    window each; a track without an artist counts as an artist of its own): the errors on a
    library's untagged tracks are mostly by artists with two or three tagged tracks, whom a
    per-track share gives a third of the windows of an artist with seven.
    """
    each = per_track(config, len(artists))
    if each is None:
        return None
    if config.share_by == "track":
        return np.full(len(artists), each)
    keys = [(a or "").strip().casefold() or f"#{i}" for i, a in enumerate(artists)]
    tracks_of = Counter(keys)
    weights = np.array([1.0 / tracks_of[k] for k in keys])
    return np.maximum(1, np.round(each * len(keys) * weights / weights.sum())).astype(int)


def epoch_order(
    items: np.ndarray, counts: np.ndarray | None, rng: np.random.Generator
) -> np.ndarray:
    """This epoch's (track, window) rows in random order: `counts[t]` of track t's windows,
    without repeats while a track has enough, else all of them and a random draw of the rest."""
    if counts is not None:
        chosen = []
        for t in np.unique(items[:, 0]):
            rows = np.flatnonzero(items[:, 0] == t)
            if counts[t] <= len(rows):
                chosen.append(rng.choice(rows, size=counts[t], replace=False))
            else:
                extra = rng.choice(rows, size=counts[t] - len(rows), replace=True)
                chosen.append(np.concatenate([rows, extra]))
        items = items[np.concatenate(chosen)]
    return items[rng.permutation(len(items))]
