"""How busy other programs keep the processor now, for "expect longer" beside a time estimate.

The load average said it before, but it is a minute's decaying average of every process, this
app's own included: right after a training it still stood above 2 on 2 cores, and the train
dialog blamed "other programs" for the app's own work. Here the whole system's CPU time over a
short sample is taken less this process's and its children's (a decoding pool), so only other
programs count, as they are now."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported where measured, in the dialog's reading thread, not at app start
    import psutil

T = TypeVar("T")

SAMPLE_S = 0.3  # long enough for the 10 ms CPU-time ticks to resolve a tenth of a core


def _system_busy_s() -> float:
    """CPU seconds all cores spent on anything but idling, since boot."""
    import psutil

    t = psutil.cpu_times()
    # On Linux guest time is already counted in user and nice (psutil's cpu_percent does this).
    guest = getattr(t, "guest", 0.0) + getattr(t, "guest_nice", 0.0)
    return sum(t) - guest - t.idle - getattr(t, "iowait", 0.0)


def _own_busy_s(me: psutil.Process) -> float:
    """CPU seconds of this process, its live children and those it has reaped (a child that
    ends during the sample moves its time there)."""
    import psutil

    mine = me.cpu_times()
    total = mine.user + mine.system + mine.children_user + mine.children_system
    for child in me.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        total += times.user + times.system
    return total


def while_measuring_others(
    work: Callable[[], T], at_least_s: float = SAMPLE_S
) -> tuple[T, float | None]:
    """Run `work` and, over its run (at least `at_least_s`), how many cores other programs
    kept busy; None where the system does not say."""
    import psutil

    try:
        me = psutil.Process()
        start = time.monotonic(), _system_busy_s(), _own_busy_s(me)
    except (psutil.Error, OSError, AttributeError):
        return work(), None
    result = work()
    time.sleep(max(0.0, at_least_s - (time.monotonic() - start[0])))
    try:
        end = time.monotonic(), _system_busy_s(), _own_busy_s(me)
    except (psutil.Error, OSError):
        return result, None
    elapsed = end[0] - start[0]
    others = ((end[1] - start[1]) - (end[2] - start[2])) / elapsed
    return result, max(0.0, others)
