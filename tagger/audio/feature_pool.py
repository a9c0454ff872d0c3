"""The one pool of worker processes that turns audio files into features, for every caller.

Batch classification (library/pipeline.py), `tagger evaluate` and the training window cache all
decode and take the log-Mel on worker processes; this module owns how:

- processes are spawned (safe next to Qt and the inference runtime's threads), ignore Ctrl-C
  (the calling process decides how to stop) and use one BLAS thread each, so N workers plus
  the network's threads never oversubscribe the cores;
- a worker loads no torch and no onnxruntime: only this module, PyAV, NumPy and SciPy (about
  a quarter of the memory of a worker that imported torch for its STFT);
- a file that hangs the decoder is abandoned after `timeout` seconds (pebble kills that process
  and starts a new one), and every error comes back as a FeatureFailure that says why, never as
  an exception that stops the batch.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from tagger.audio.errors import AudioError
from tagger.audio.features import TrackFeatures, track_features
from tagger.audio.mel import FrontEndConfig, LogMel

DEFAULT_TIMEOUT_S = 120.0

Item = TypeVar("Item")


@dataclass(frozen=True)
class FeatureFailure:
    """What a worker returns instead of raising, so any error crosses the process boundary."""

    reason: str


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- the worker side ----------------------------------------------------------------------------

_front: LogMel | None = None


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # the Mel product; one core per worker


def extract_features(path: str, config: FrontEndConfig) -> TrackFeatures:
    """The default worker function: `track_features` with one front end kept per process."""
    global _front
    if _front is None or _front.config != config:
        _front = LogMel(config)
    return track_features(path, config, front=_front)


def run_job(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)`, or a FeatureFailure saying why it failed (also used in-process)."""
    try:
        return function(*args)
    except AudioError as exc:
        return FeatureFailure(exc.reason)
    except MemoryError:
        return FeatureFailure("out of memory while decoding")
    except Exception as exc:  # any decoder surprise is this file's error, not the batch's
        return FeatureFailure(f"{type(exc).__name__}: {exc}")


# --- the calling side ---------------------------------------------------------------------------


TIMED_OUT = "decoding took longer than"  # how a file abandoned for its decoding time fails


def timed_out_reason(timeout: float) -> str:
    return f"{TIMED_OUT} {timeout:g} s; abandoned"


class FeaturePool:
    """`workers` spawned processes; `submit` one file's job, `outcome` its result or failure."""

    def __init__(self, workers: int, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        self.workers = max(1, workers)
        self.timeout = timeout
        self._pool = ProcessPool(
            max_workers=self.workers,
            initializer=_init_worker,
            context=multiprocessing.get_context("spawn"),
        )

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        """`function` must be importable (module level): it is run by name in a worker."""
        return self._pool.submit(run_job, self.timeout, function, *args)

    def outcome(self, future: Future) -> Any:
        """A finished future's value, or a FeatureFailure (timeout, crashed worker, error)."""
        try:
            return future.result()
        except FutureTimeout:
            return FeatureFailure(timed_out_reason(self.timeout))
        except ProcessExpired as exc:
            return FeatureFailure(f"the decoder crashed (exit code {exc.exitcode})")
        except Exception as exc:  # pebble reports pickling and pool errors this way
            return FeatureFailure(f"{type(exc).__name__}: {exc}")

    def map(
        self, function: Callable[..., Any], jobs: Iterable[tuple[Item, tuple[Any, ...]]]
    ) -> Iterator[tuple[Item, Any]]:
        """(item, result or FeatureFailure) for each (item, args), in order, with at most
        2 × workers files in flight so memory stays bounded however long the list."""
        inflight: deque[tuple[Item, Future]] = deque()
        for item, args in jobs:
            inflight.append((item, self.submit(function, *args)))
            if len(inflight) >= 2 * self.workers:
                done_item, future = inflight.popleft()
                yield done_item, self.outcome(future)
        while inflight:
            done_item, future = inflight.popleft()
            yield done_item, self.outcome(future)

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)

    def __enter__(self) -> FeaturePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def map_features(
    function: Callable[..., Any],
    jobs: Iterable[tuple[Item, tuple[Any, ...]]],
    workers: int,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> Iterator[tuple[Item, Any]]:
    """FeaturePool.map on `workers` processes, or in this process when `workers` <= 1 (no
    spawn cost for a small job; no timeout there, as nothing could kill a hung decoder)."""
    if workers <= 1:
        for item, args in jobs:
            yield item, run_job(function, *args)
        return
    with FeaturePool(workers, timeout) as pool:
        yield from pool.map(function, jobs)
