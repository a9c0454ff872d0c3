"""The training loop's clock: how long is left (the ETA it prints) and whether a wall budget
(`TrainConfig.max_seconds`) is spent."""

from __future__ import annotations

import time

import numpy as np


def eta_text(epoch_times: list[float], epochs_left: int) -> str:
    """H:MM:SS for `epochs_left` more epochs at the mean pace of the last five."""
    if not epoch_times:
        return "?"
    seconds = int(np.mean(epoch_times[-5:]) * max(0, epochs_left))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def budget_spent(max_seconds: float | None, earlier_epochs: list[float], epoch_t0: float) -> bool:
    """Whether the earlier epochs plus this one so far (started at monotonic `epoch_t0`) have
    used `max_seconds` of wall time; never, without a budget."""
    if max_seconds is None:
        return False
    return sum(earlier_epochs) + time.monotonic() - epoch_t0 >= max_seconds
