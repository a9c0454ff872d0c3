"""The epoch's window budget: shared out over the tracks, repeats only where a track is short."""

from collections import Counter

import numpy as np

from tagger.training.epoch_sampling import epoch_order, per_track
from tagger.training.train import TrainConfig


def rows(n_tracks: int, n_windows: int) -> np.ndarray:
    return np.array([(t, w) for t in range(n_tracks) for w in range(n_windows)])


def test_the_budget_is_shared_out_over_the_training_tracks():
    config = TrainConfig(windows_per_epoch=4096, windows_per_track=12)
    assert per_track(config, 1000) == 5  # the budget wins over windows_per_track
    assert per_track(config, 64) == 64
    assert per_track(TrainConfig(windows_per_track=12), 1000) == 12
    assert per_track(TrainConfig(), 1000) is None  # the paper's: every window


def test_a_small_library_sees_every_window_and_repeats_the_rest():
    order = epoch_order(rows(3, 60), 100, np.random.default_rng(0))
    counts = Counter(map(tuple, order))
    assert len(order) == 300
    assert {t for t, _ in counts} == {0, 1, 2}
    assert all(counts[(t, w)] >= 1 for t in range(3) for w in range(60))  # none left out


def test_a_large_library_draws_without_repeats():
    order = epoch_order(rows(50, 60), 5, np.random.default_rng(0))
    assert len(order) == 250
    assert len({tuple(r) for r in order}) == 250
