"""Scan folders into the library and classify what is new, with the summaries both front ends show.

A job is `scan_folders` then `classify_tracks`; the CLI drives them with tqdm bars and Ctrl-C,
the GUI's worker thread with signals. Both print `describe_scan` and `describe_classification`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagger.audio.errors import AudioError
from tagger.library.progress import Cancel, Progress, ProgressCallback
from tagger.library.scanner import ScanResult, scan
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.library.walk import normalize_root
from tagger.service.errors import ServiceError

if TYPE_CHECKING:  # torch comes with these; they are imported where a job classifies
    from tagger.library.pipeline import BatchResult
    from tagger.model.predictor import Predictor, TrackPrediction


@dataclass(frozen=True)
class Classification:
    """A classification run: the pipeline's counts and the model that did it."""

    batch: BatchResult
    model_name: str


@dataclass(frozen=True)
class FileVerdict:
    """One file classified outside the library (`tagger classify`): a prediction or why not."""

    path: str
    prediction: TrackPrediction | None = None
    error: str | None = None


def existing_roots(paths: Sequence[str]) -> list[str]:
    """The normalized spelling of each path; a path that does not exist is the user's error."""
    roots = [normalize_root(p) for p in paths]
    for given, root in zip(paths, roots, strict=True):
        if not Path(root).exists():
            raise ServiceError(f"no such file or folder: {given}")
    return roots


def scan_folders(
    library: Library,
    settings: Settings,
    roots: Sequence[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> ScanResult:
    from tagger.library.tagging.batch_model import DEFAULT_GENRE_STRINGS  # the tag writer's

    return scan(
        library,
        roots,
        scope=settings.genre_map_rules(),
        # the genre strings of today's settings and the defaults: a file may have been written
        # with either (written_genres.marked_genres)
        written_strings={*DEFAULT_GENRE_STRINGS.values(), *settings.genre_strings.values()},
        progress=progress,
        cancel=cancel,
    )


def describe_scan(result: ScanResult) -> str:
    line = (
        f"{result.found} audio files: {result.added} new, {result.reread} changed, "
        f"{result.moved} moved, {result.missing} missing, {result.unchanged} unchanged, "
        f"{result.errors} unreadable"
    )
    if result.hidden:
        n = result.hidden
        line += f"; skipped {n} hidden file{'s' if n != 1 else ''} or folder{'s' if n != 1 else ''}"
    return line


def classify_tracks(
    library: Library,
    settings: Settings,
    predictor: Predictor,
    *,
    roots: Sequence[str] | None = None,
    classify_all: bool = False,
    workers: int | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
    engine: str = "local",
    ray_address: str | None = None,
) -> Classification:
    """Classify the tracks (under `roots`, else all) with no prediction from this model yet.

    `workers` and `timeout` override the settings' for one run. `engine` "ray" runs the batch on
    a Ray cluster (`ray_address`, else a local Ray started for the run)."""
    from tagger.library.pipeline import run_classification, select_for_classification
    from tagger.library.records import register_model

    with library.session() as session, session.begin():
        model_id = register_model(session, predictor).id
    if roots is not None:  # folders as this host mounts them → as the library stores them
        roots = [library.paths.to_library(r) for r in roots]
    ids = select_for_classification(
        library, model_id, roots=roots, scope=settings.genre_map_rules(), classify_all=classify_all
    )
    if progress is not None:  # the bar appears now, not after the worker pool has started
        progress(Progress(0, len(ids), 0.0, None, phase="classify"))
    options = {
        "progress": progress,
        "cancel": cancel,
        "workers": workers or settings.workers,
        "timeout": timeout or settings.decode_timeout,
    }
    if engine == "ray":
        from tagger.library.ray_engine import RayUnavailable, run_classification_ray

        try:
            batch = run_classification_ray(library, predictor, ids, address=ray_address, **options)
        except RayUnavailable as exc:
            raise ServiceError(str(exc)) from None
    else:
        from tagger.training.feature_cache import FeatureCache

        # the windows `train --from-library` cached (the user cache folder): a model switch
        # reclassifies those tracks without decoding them
        batch = run_classification(library, predictor, ids, cache=FeatureCache(), **options)
    return Classification(batch, predictor.name)


def describe_classification(run: Classification, failed_hint: str = "") -> str:
    if not run.batch.total:
        return f"nothing to classify: no track is waiting for {run.model_name}"
    line = f"classified {run.batch.classified} of {run.batch.total} with {run.model_name}"
    if run.batch.failed:
        line += f", {run.batch.failed} failed" + (f" ({failed_hint})" if failed_hint else "")
    if run.batch.elsewhere:
        line += f", {run.batch.elsewhere} by another run sharing the library"
    if run.batch.from_cache:
        line += f" ({run.batch.from_cache} from the feature cache, not decoded again)"
    return line


def classify_files(predictor: Predictor, paths: Iterable[str]) -> Iterator[FileVerdict]:
    """Classify files outside the library, one verdict as each is done (so output streams);
    an unreadable file gets its reason, never a crash."""
    from tagger.model.predictor import PredictionError

    for path in paths:
        try:
            yield FileVerdict(path, prediction=predictor.classify(path))
        except AudioError as exc:
            yield FileVerdict(path, error=exc.reason)
        except PredictionError as exc:  # e.g. a NaN probability: never printed as a verdict
            yield FileVerdict(path, error=str(exc))
