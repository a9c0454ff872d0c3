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

The CLI's progress bar and the GUI's worker thread both call `run_classification`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass

from sqlalchemy import and_, select, update

from tagger.audio.feature_pool import (
    DEFAULT_TIMEOUT_S,
    FeatureFailure,
    FeaturePool,
    cpu_count,
    extract_features,
)
from tagger.audio.features import TrackFeatures
from tagger.audio.mel import FrontEndConfig
from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap
from tagger.library.paths import tracks_under
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.records import record_failure, record_prediction, register_model
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import PredictionError, Predictor

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
    cancelled: bool = False
    seconds: float = 0.0


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
) -> BatchResult:
    """Classify `track_ids` and store each outcome as it arrives. Never raises for a bad file.

    `feature_function` runs in the worker processes and must be importable (module level).
    """
    started = time.monotonic()
    cancelled = cancel_check(cancel)
    workers = max(1, workers or default_workers())
    result = BatchResult(total=len(track_ids))
    if not track_ids:
        return result
    with library.session() as session, session.begin():
        model_id = register_model(session, predictor).id
        paths: dict[int, str] = {}
        for i in range(0, len(track_ids), 500):  # SQLite caps the variables of one statement
            chunk = list(track_ids[i : i + 500])
            rows = session.execute(select(Track.id, Track.path).where(Track.id.in_(chunk)))
            paths.update((tid, path) for tid, path in rows)
    pending = deque((tid, paths[tid]) for tid in track_ids if tid in paths)
    config = predictor.model.frontend
    meter = RateMeter(len(pending), "classify", progress)

    threads_before = predictor.network.threads
    predictor.network.set_threads(max(1, cpu_count() - workers))
    pool = FeaturePool(workers, timeout)
    inflight: dict[Future, tuple[int, str]] = {}
    try:
        while pending or inflight:
            if cancelled():
                result.cancelled = True
                break
            while pending and len(inflight) < 2 * workers:
                tid, path = pending.popleft()
                future = pool.submit(feature_function, path, config)
                inflight[future] = (tid, path)
            done, _ = wait(list(inflight), timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                tid, path = inflight.pop(future)
                outcome = _classify_outcome(
                    library, predictor, model_id, tid, path, pool.outcome(future)
                )
                if outcome.error is None:
                    result.classified += 1
                else:
                    result.failed += 1
                    result.timed_out += int(outcome.error.startswith("decoding took longer"))
                meter.report(path, outcome)
                if cancelled():
                    break
    finally:
        for future in inflight:
            future.cancel()
        pool.close()
        predictor.network.set_threads(threads_before)
    if cancelled():
        result.cancelled = True
    result.seconds = time.monotonic() - started
    return result


def _classify_outcome(
    library: Library,
    predictor: Predictor,
    model_id: int,
    track_id: int,
    path: str,
    features: TrackFeatures | FeatureFailure,
) -> TrackResult:
    error: str | None = None
    if isinstance(features, FeatureFailure):
        error = features.reason
    else:
        try:
            prediction = predictor.predict_features(features)
        except PredictionError as exc:  # a NaN probability is this file's error, never stored
            error = str(exc)
        except Exception as exc:  # a malformed feature array must not stop the batch
            error = f"the model failed on this file ({type(exc).__name__}: {exc})"
    with library.session() as session, session.begin():
        if error is not None:
            record_failure(session, track_id, error)
            return TrackResult(track_id, path, error=error)
        record_prediction(session, track_id, model_id, prediction)
    return TrackResult(track_id, path, prediction.label, prediction.confidence)
