"""Batch classification: worker processes decode, the calling process runs the network.

    track ids ─▶ [N worker processes: decode + log-Mel] ─▶ features ─▶ [this process: network,
                  one task each, killed after `timeout`]                 write one row, report]

- Workers come from the one feature pool (audio/feature_pool.py: spawned, torch-free, one BLAS
  thread each); by default half the cores decode and the calling process runs the network with
  the other half as its threads (see default_workers).
- At most `2 × workers` tracks are in flight, so memory stays bounded whatever the batch size
  (one result is ~8 MB of log-Mel).
- A per-file failure is stored on its track (status error + message) and the batch goes on. A
  file that hangs the decoder is abandoned after `timeout` seconds (the pool replaces that
  worker).
- `cancel` is polled every 0.2 s; what finished is already committed (one transaction per track).
- Tracks are claimed a few at a time with a lease (library/claims.py), so several runs sharing a
  library (processes or hosts) never classify a track twice, and a killed run's tracks are taken
  over when its lease expires. Paths are the library's; `library.paths` gives this host's
  spelling (a Ray worker's decode task reads its own host's TAGGER_PATH_MAP).

The CLI's progress bar and the GUI's worker thread both call `run_classification`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select, update

from tagger.audio.feature_pool import (
    DEFAULT_TIMEOUT_S,
    TIMED_OUT,
    FeatureFailure,
    FeaturePool,
    cpu_count,
    extract_features,
    run_job,
)
from tagger.audio.features import TrackFeatures
from tagger.audio.mel import FrontEndConfig
from tagger.library.cached_windows import CachedWindows
from tagger.library.claims import ClaimQueue
from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap
from tagger.library.path_map import PathMap
from tagger.library.paths import tracks_under
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.records import record_failure, record_prediction, register_model
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import PredictionError, Predictor, TrackPrediction
from tagger.training.feature_cache import FeatureCache

POLL_S = 0.2

FeatureFunction = Callable[[str, FrontEndConfig], TrackFeatures]


@dataclass(frozen=True)
class TrackResult:
    track_id: int
    path: str
    label: str | None = None
    confidence: float | None = None
    error: str | None = None


@dataclass
class BatchResult:
    total: int = 0
    classified: int = 0
    failed: int = 0
    timed_out: int = 0
    elsewhere: int = 0  # selected, but classified by another run sharing the library
    from_cache: int = 0  # classified from the windows training cached, without decoding
    cancelled: bool = False
    seconds: float = 0.0

    def count(self, stored: TrackResult) -> None:
        """One track's stored outcome (either engine)."""
        if stored.error is None:
            self.classified += 1
        else:
            self.failed += 1
            self.timed_out += stored.error.startswith(TIMED_OUT)

    def close(self, cancelled: bool, started: float) -> BatchResult:
        """The run has ended: what it left to other runs sharing the library, and its time."""
        if cancelled:
            self.cancelled = True
        else:
            self.elsewhere = self.total - self.classified - self.failed
        self.seconds = time.monotonic() - started
        return self


def default_workers() -> int:
    """Half the cores decode, the other half run the network (with that many runtime threads).

    Measured on a 4-minute mp3 with torch: decode + log-Mel ≈ 1.0 s and the network ≈ 1.1 s of
    one core, so an even split kept both sides busy; on 2 cores that is 1 worker + 1 network
    thread. ONNX Runtime shrinks the network's share (benchmarks/command_benchmark.py measures
    this default against one worker per core).
    """
    return max(1, cpu_count() // 2)


# --- choosing what to classify ------------------------------------------------------------------


def select_for_classification(
    library: Library,
    model_id: int | None,
    *,
    roots: Sequence[str] | None = None,
    scope: GenreMap = DEFAULT_GENRE_MAP,
    classify_all: bool = False,
) -> list[int]:
    """Track ids (under `roots`, if given) that have no current prediction from `model_id`.

    Also settles scope (the genre map's rule): a candidate outside the scope gets status
    out-of-scope (unless `classify_all`); an out-of-scope track now inside the scope is selected.
    """
    current = and_(Prediction.track_id == Track.id, Prediction.is_current.is_(True))
    query = (
        select(Track.id, Track.path, Track.status, Track.genres)
        .outerjoin(Prediction, current)
        .where(
            Track.status.in_(
                [TrackStatus.NEW, TrackStatus.CHANGED, TrackStatus.OK, TrackStatus.OUT_OF_SCOPE]
            )
        )
        .where(
            Track.status.in_([TrackStatus.NEW, TrackStatus.CHANGED])
            | Prediction.id.is_(None)
            | (Prediction.model_id != (model_id if model_id is not None else -1))
        )
        .order_by(Track.path)
    )
    if roots is not None:
        query = query.where(tracks_under(roots))
    selected: list[int] = []
    out_of_scope: list[int] = []
    with library.session() as session, session.begin():
        for track_id, _path, status, genres in session.execute(query):
            if classify_all or scope.in_scope(genres):
                selected.append(track_id)
            elif status != TrackStatus.OUT_OF_SCOPE:
                out_of_scope.append(track_id)
        for i in range(0, len(out_of_scope), 500):
            session.execute(
                update(Track)
                .where(Track.id.in_(out_of_scope[i : i + 500]))
                .values(status=TrackStatus.OUT_OF_SCOPE)
            )
    return selected


# --- the engine ---------------------------------------------------------------------------------


def run_classification(
    library: Library,
    predictor: Predictor,
    track_ids: Sequence[int],
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    feature_function: FeatureFunction = extract_features,
    cache: FeatureCache | None = None,
) -> BatchResult:
    """Classify `track_ids` and store each outcome as it arrives. Never raises for a bad file.

    `feature_function` runs in the worker processes and must be importable (module level).
    A track whose windows are in `cache` (training put them there) is not decoded at all.
    """
    started = time.monotonic()
    cancelled = cancel_check(cancel)
    workers = max(1, workers or default_workers())
    result = BatchResult(total=len(track_ids))
    if not track_ids:
        return result
    with library.session() as session, session.begin():
        model_id = register_model(session, predictor).id
    queue = ClaimQueue(library, model_id, track_ids)
    path_map = library.paths
    config = predictor.model.frontend
    meter = RateMeter(len(track_ids), "classify", progress)
    cached = CachedWindows(library, config, cache) if cache is not None else None

    threads_before = predictor.network.threads
    predictor.network.set_threads(max(1, cpu_count() - workers))
    pool = FeaturePool(workers, timeout)
    inflight: dict[Future, tuple[int, str]] = {}
    try:
        while not queue.finished or inflight:
            if cancelled():
                result.cancelled = True
                break
            for tid, path in queue.take(2 * workers - len(inflight)):
                local = path_map.to_local(path)
                hit = cached.future(tid, local) if cached is not None else None
                future = hit or pool.submit(feature_function, local, config)
                inflight[future] = (tid, path)
            queue.renew()
            if not inflight:  # the rest is claimed by other runs: wait for them or their lease
                time.sleep(POLL_S)
                continue
            done, _ = wait(list(inflight), timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                tid, path = inflight.pop(future)
                outcome = store_outcome(
                    library, queue, model_id, tid, path, *predict(predictor, pool.outcome(future))
                )
                if outcome is None:
                    continue  # another run took the track over and stores it
                result.count(outcome)
                meter.report(path, outcome)
                if cancelled():
                    break
    finally:
        for future in inflight:
            future.cancel()
        pool.close()
        queue.release()
        predictor.network.set_threads(threads_before)
    result.from_cache = cached.hits if cached is not None else 0
    return result.close(cancelled(), started)


def decode_job(function: FeatureFunction, path: str, config: FrontEndConfig) -> Any:
    """A decode job for a worker on any host: `path` is the library's, mapped to this host's
    mount (TAGGER_PATH_MAP); a failure comes back as a FeatureFailure (the Ray engine's tasks)."""
    return run_job(function, PathMap.from_env().to_local(path), config)


def predict(
    predictor: Predictor, features: TrackFeatures | FeatureFailure
) -> tuple[TrackPrediction | None, str | None]:
    """Decoded features → (prediction, None), or (None, why this file failed)."""
    if isinstance(features, FeatureFailure):
        return None, features.reason
    try:
        return predictor.predict_features(features), None
    except PredictionError as exc:  # a NaN probability is this file's error, never stored
        return None, str(exc)
    except Exception as exc:  # a malformed feature array must not stop the batch
        return None, f"the model failed on this file ({type(exc).__name__}: {exc})"


Outcome = tuple[int, str, "TrackPrediction | None", "str | None"]  # track, path, prediction, error


def store_outcomes(
    library: Library, queue: ClaimQueue, model_id: int, outcomes: Sequence[Outcome]
) -> list[TrackResult | None]:
    """Store tracks' predictions or errors in one transaction that also drops our claims on
    them (the Ray engine writes each round's finished tracks together). None for a track whose
    claim was lost to another run, which stores its own result instead."""
    results: list[TrackResult | None] = []
    with library.session() as session, session.begin():
        for track_id, path, prediction, error in outcomes:
            if not queue.finish(session, track_id):
                results.append(None)
            elif prediction is None:
                record_failure(session, track_id, error or "unknown error")
                results.append(TrackResult(track_id, path, error=error or "unknown error"))
            else:
                record_prediction(session, track_id, model_id, prediction)
                results.append(TrackResult(track_id, path, prediction.label, prediction.confidence))
    return results


def store_outcome(
    library: Library,
    queue: ClaimQueue,
    model_id: int,
    track_id: int,
    path: str,
    prediction: TrackPrediction | None,
    error: str | None,
) -> TrackResult | None:
    """One track's `store_outcomes`: the local engine stores each track as it arrives."""
    return store_outcomes(library, queue, model_id, [(track_id, path, prediction, error)])[0]
