"""The epoch's window budget: shared out over the tracks, repeats only where a track is short."""

from collections import Counter

import numpy as np

from tagger.training.epoch_sampling import epoch_order, per_track, window_counts
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
    order = epoch_order(rows(3, 60), np.full(3, 100), np.random.default_rng(0))
    counts = Counter(map(tuple, order))
    assert len(order) == 300
    assert {t for t, _ in counts} == {0, 1, 2}
    assert all(counts[(t, w)] >= 1 for t in range(3) for w in range(60))  # none left out


def test_a_large_library_draws_without_repeats():
    order = epoch_order(rows(50, 60), np.full(50, 5), np.random.default_rng(0))
    assert len(order) == 250
    assert len({tuple(r) for r in order}) == 250


def test_the_paper_recipe_trains_on_every_window_of_every_track():
    order = epoch_order(
        rows(4, 60), window_counts(TrainConfig(), ["a"] * 4), np.random.default_rng(0)
    )
    assert sorted(map(tuple, order)) == [(t, w) for t in range(4) for w in range(60)]


def test_sharing_by_track_gives_every_track_the_same_windows():
    config = TrainConfig(windows_per_epoch=120)
    assert window_counts(config, ["A", "A", "A", "B"]).tolist() == [30, 30, 30, 30]


def test_sharing_by_artist_gives_every_artist_the_same_windows():
    config = TrainConfig(windows_per_epoch=120, share_by="artist")
    # Six tracks by A, two by b (spelt loosely), one each without an artist: four "artists".
    artists = ["A"] * 6 + ["b", " B "] + [None, ""]
    counts = window_counts(config, artists)
    assert counts.tolist() == [5] * 6 + [15, 15] + [30, 30]
    order = epoch_order(rows(10, 60), counts, np.random.default_rng(0))
    per_artist = Counter(artists[t] or f"#{t}" for t, _ in order)
    assert per_artist["A"] == 30 and per_artist["b"] + per_artist[" B "] == 30


def test_an_artist_with_very_many_tracks_still_gets_a_window_of_each():
    config = TrainConfig(windows_per_epoch=100, share_by="artist")
    counts = window_counts(config, ["big"] * 400 + ["small"])
    assert counts[:400].min() == 1 and counts[400] == 200
