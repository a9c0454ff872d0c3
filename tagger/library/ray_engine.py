"""Classification as a Ray job: decode tasks feed model actors; this process claims and stores.

    library ─claim─▶ this driver ─▶ [Ray task: decode + log-Mel] ─▶ [Ray actor: one model each]
            ◀─store one transaction per track (claim dropped in it)──────────────────┘

Why tasks + actors and not Ray Data's `map_batches`: the work list is not a fixed dataset. It
is claimed from the shared library a few tracks at a time, with a lease (claims.py), so that
several drivers on several hosts can share one library, a killed driver's tracks are taken over,
Ctrl-C stops within a track, and a hung decoder is abandoned after `timeout`. A Ray Data
pipeline reads its whole input up front and owns its own scheduling, so it could do none of
that; the remote functions here are the same building blocks it would use (a stateless task per
file for decoding, a pool of actors that each load the model once), with backpressure from the
claim window (at most `2 × workers` tracks in flight).

The model file travels through Ray's object store as bytes, with the ONNX form the driver runs
(so an actor neither exports it again nor needs torch), and workers on other hosts need no copy
of either; each actor loads it with the predictor's public `Predictor.load`. Library paths are
translated for the worker's host (`TAGGER_PATH_MAP` there, see path_map.py) in the decode task.

A local Ray started for the run binds to loopback only (see `start_local_ray`) with its dashboard
off; `address` joins an existing cluster instead (`ray://host:10001` or `host:6379`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from tagger.audio.feature_pool import FeatureFailure, timed_out_reason
from tagger.library.claims import ClaimQueue
from tagger.library.database_faults import redact
from tagger.library.pipeline import (
    DEFAULT_TIMEOUT_S,
    POLL_S,
    BatchResult,
    decode_job,
    default_workers,
    extract_features,
    predict,
    store_outcomes,
)
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.records import register_model
from tagger.library.store import Library
from tagger.model.onnx_form import beside, cache_dir, find_onnx_form
from tagger.model.predictor import Predictor, TrackPrediction

# Ray decides on Linux that a single-node run is a cluster and binds every server to the host's
# network address; with this switch off it uses the loopback address instead (see
# ray._private.services.get_node_ip_address). Read when `ray` is first imported.
_LOCAL_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


class RayUnavailable(RuntimeError):
    """Ray is not installed or the cluster cannot be reached."""


def import_ray(local: bool) -> Any:
    if local:
        os.environ[_LOCAL_ONLY_ENV] = "0"  # for the Ray processes this run starts
    try:
        import ray
    except ImportError:
        raise RayUnavailable(
            "the Ray engine needs the cluster extra: pip install 'metal-hardcore-tagger[cluster]'"
        ) from None
    constants = getattr(getattr(ray, "_private", None), "ray_constants", None)
    if local and hasattr(constants, "ENABLE_RAY_CLUSTER"):
        constants.ENABLE_RAY_CLUSTER = False  # ray was imported before the variable was set
    return ray


def start_ray(address: str | None, workers: int, library_url: URL | None = None) -> Any:
    """Join the cluster at `address`, or start a local Ray on loopback for this run.

    Ray records the driver's command line as the job's entrypoint (in its logs and job table);
    a password given in `--db` is redacted from it."""
    ray = import_ray(local=address is None)
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": "ERROR",
    }
    try:
        with _redacted_entrypoint(ray, library_url):
            if address is None:
                # One CPU per decode task and one per model actor.
                ray.init(num_cpus=2 * workers, **options)
            else:
                ray.init(address=address, **options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        raise RayUnavailable(f"cannot start or reach Ray ({type(exc).__name__}: {exc})") from exc
    return ray


@contextlib.contextmanager
def _redacted_entrypoint(ray: Any, url: URL | None) -> Iterator[None]:
    utils = getattr(getattr(ray, "_private", None), "utils", None)
    original = getattr(utils, "get_entrypoint_name", None)
    if url is None or not url.password or original is None:
        yield
        return
    utils.get_entrypoint_name = lambda: redact(original())
    try:
        yield
    finally:
        utils.get_entrypoint_name = original


def _decode(path: str, config: Any) -> Any:
    """The Ray decode task (decode_job maps the path for the worker's host)."""
    return decode_job(extract_features, path, config)


def model_copy(model_bytes: bytes, name: str, onnx_bytes: bytes | None = None) -> Path:
    """The driver's model file (and its ONNX form: no export, and no torch, on a worker) on this
    host, written once per content into the user cache folder and shared by every actor and run.
    A temporary folder per actor was never removed (`ray.kill` leaves an actor no time to):
    11 MB left in /tmp by every actor of every run."""
    folder = cache_dir().parent / "ray-models" / hashlib.sha256(model_bytes).hexdigest()[:16]
    path = folder / name
    for target, data in ((path, model_bytes), (beside(path), onnx_bytes)):
        if data is not None and not target.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            # Actors on one host start together: each writes its own file, the last rename wins.
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
    return path


class _ModelActor:
    """Holds one model for its whole life; turns features into a prediction (or a failure)."""

    def __init__(
        self, model_bytes: bytes, name: str, onnx_bytes: bytes | None = None, threads: int = 1
    ) -> None:
        path = model_copy(model_bytes, name, onnx_bytes)
        self.predictor = Predictor.load(path)
        self.predictor.network.set_threads(threads)

    def predict(self, features: Any) -> TrackPrediction | FeatureFailure:
        prediction, error = predict(self.predictor, features)  # the local engine's rule
        return prediction if prediction is not None else FeatureFailure(error or "unknown error")


def run_classification_ray(
    library: Library,
    predictor: Predictor,
    track_ids: Sequence[int],
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    address: str | None = None,
) -> BatchResult:
    """`run_classification`'s contract (counts, progress, cancel, one stored row per track) on
    Ray: `workers` model actors and as many decode tasks at a time."""
    started = time.monotonic()
    cancelled = cancel_check(cancel)
    workers = max(1, workers or default_workers())
    result = BatchResult(total=len(track_ids))
    if not track_ids:
        return result
    with library.session() as session, session.begin():
        model_id = register_model(session, predictor).id
    queue = ClaimQueue(library, model_id, track_ids)
    meter = RateMeter(len(track_ids), "classify", progress)
    ray = import_ray(local=address is None)
    started_here = not ray.is_initialized()  # a Ray the caller started stays up
    start_ray(address, workers, library.url)
    decode = ray.remote(num_cpus=1, max_retries=0)(_decode)
    actor_class = ray.remote(num_cpus=1, max_restarts=0)(_ModelActor)
    model_ref = ray.put(Path(predictor.model.path).read_bytes())
    onnx = find_onnx_form(predictor.model)
    onnx_ref = ray.put(onnx.read_bytes()) if onnx is not None else None
    actors = [
        actor_class.remote(model_ref, Path(predictor.model.path).name, onnx_ref)
        for _ in range(workers)
    ]
    config = predictor.model.frontend
    inflight: dict[Any, tuple[int, str, Any, float]] = {}  # prediction ref → track, decode ref
    turn = 0
    try:
        while not queue.finished or inflight:
            if cancelled():
                result.cancelled = True
                break
            for tid, path in queue.take(2 * workers - len(inflight)):
                features = decode.remote(path, config)
                prediction = actors[turn % workers].predict.remote(features)
                turn += 1
                inflight[prediction] = (tid, path, features, time.monotonic())
            queue.renew()
            if not inflight:  # the rest is claimed by other runs: wait for them or their lease
                time.sleep(POLL_S)
                continue
            # Every track finished within the poll interval is stored in one transaction.
            done, _ = ray.wait(list(inflight), num_returns=len(inflight), timeout=POLL_S)
            finished = [(ref, _outcome(ray, ref)) for ref in done]
            finished += _overdue(ray, inflight, set(done), timeout)
            outcomes = []
            for ref, (prediction, error) in finished:
                tid, path = inflight.pop(ref)[:2]
                outcomes.append((tid, path, prediction, error))
            if not outcomes:
                continue
            stored_all = store_outcomes(library, queue, model_id, outcomes)
            for (_tid, path, _p, _e), stored in zip(outcomes, stored_all, strict=True):
                if stored is None:
                    continue
                result.count(stored)
                meter.report(path, stored)
    finally:
        for ref, (_tid, _path, features, _since) in inflight.items():
            ray.cancel(features, force=True)
            ray.cancel(ref)
        queue.release()
        for actor in actors:
            ray.kill(actor)
        if started_here:
            ray.shutdown()
    return result.close(cancelled(), started)


def _outcome(ray: Any, ref: Any) -> tuple[TrackPrediction | None, str | None]:
    try:
        value = ray.get(ref)
    except Exception as exc:  # a crashed worker or actor is this file's error
        return None, f"the Ray worker failed on this file ({type(exc).__name__})"
    if isinstance(value, FeatureFailure):
        return None, value.reason
    return value, None


def _overdue(
    ray: Any, inflight: dict[Any, tuple[int, str, Any, float]], done: set[Any], timeout: float
) -> list[tuple[Any, tuple[None, str]]]:
    """Tracks whose decoding has not finished `timeout` s after it was queued: abandoned."""
    now = time.monotonic()
    out = []
    for ref, (_tid, _path, features, since) in inflight.items():
        if ref not in done and now - since > timeout:
            ready, _ = ray.wait([features], timeout=0)
            if not ready:
                ray.cancel(features, force=True)
                out.append((ref, (None, timed_out_reason(timeout))))
    return out
