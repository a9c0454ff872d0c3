"""What long jobs report while they run, and how they are asked to stop.

The scanner and the classification pipeline take `progress: Callable[[Progress], None]` and a
`cancel` (a threading.Event or any function returning True to stop). The CLI turns these reports
into a tqdm bar; the GUI's worker thread turns them into Qt signals. Neither holds logic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Cancel = threading.Event | Callable[[], bool] | None


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None  # None while still unknown (walking folders)
    files_per_s: float
    eta_s: float | None
    current_path: str | None = None
    last_result: Any = None  # a TrackResult from the pipeline, a scan note from the scanner
    phase: str = ""  # "walk", "read", "classify"


ProgressCallback = Callable[[Progress], None]


def cancel_check(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


class RateMeter:
    """Files per second and time left, from the start of the job."""

    def __init__(self, total: int | None, phase: str, callback: ProgressCallback | None) -> None:
        self.total = total
        self.phase = phase
        self.callback = callback
        self.done = 0
        self.started = time.monotonic()

    def report(
        self, current_path: str | None = None, last_result: Any = None, step: int = 1
    ) -> None:
        self.done += step
        if self.callback is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        eta = None
        if self.total is not None and rate > 0:
            eta = max(self.total - self.done, 0) / rate
        self.callback(
            Progress(self.done, self.total, rate, eta, current_path, last_result, self.phase)
        )
