"""The training loop's clock: the ETA text and the wall budget."""

import time

from tagger.training.epoch_clock import budget_spent, eta_text


def test_eta_is_the_recent_mean_pace_times_the_epochs_left():
    assert eta_text([], 5) == "?"
    assert eta_text([100.0, 10.0, 10.0, 10.0, 10.0, 10.0], 400) == "1:06:40"  # last five only
    assert eta_text([10.0], -1) == "0:00:00"


def test_budget_counts_earlier_epochs_and_the_running_one():
    now = time.monotonic()
    assert not budget_spent(None, [1e9], now - 1e9)  # no budget: never spent
    assert budget_spent(100.0, [60.0, 50.0], now)  # the earlier epochs alone spent it
    assert budget_spent(100.0, [60.0], now - 50.0)  # with the running epoch's 50 s
    assert not budget_spent(1e6, [60.0], now)
