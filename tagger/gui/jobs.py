"""The long jobs the GUI runs in its worker thread, as plain functions of (progress, cancel).

Each job calls the application service (`tagger.service`), exactly as the CLI does, and returns a
`JobOutcome` the window shows as a summary. No Qt here: `worker.py` runs a job in a QThread and
turns its progress reports into signals.

The services import ONNX Runtime, PyAV and mutagen. `preload_services()` imports them in the GUI
thread before the window opens: a C extension's initialisation holds the GIL (torch's took about
a second, ONNX Runtime's ~0.15 s), which, done in the worker at the first scan, froze the GUI
thread for as long (measured with benchmarks/gui_stall_benchmark.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tagger.library.progress import Progress, ProgressCallback
from tagger.library.settings import Settings
from tagger.library.store import Library


@dataclass
class JobOutcome:
    title: str  # "Scan", "Classify", "Write tags"
    summary: str  # one line for the status bar
    details: list[str] = field(default_factory=list)  # more lines for a dialog, if any
    cancelled: bool = False
    payload: Any = None  # the service's own result object


Job = Callable[[ProgressCallback, threading.Event], JobOutcome]


def preload_services() -> None:
    """Import every module a job uses, so that no job imports anything in the worker thread."""
    import onnxruntime  # noqa: F401  (loaded by the predictor when it opens a model)

    import tagger.library.pipeline
    import tagger.library.records
    import tagger.model.predictor
    import tagger.service.classification
    import tagger.service.models
    import tagger.service.tagging  # noqa: F401


def capitalized(text: str) -> str:
    """A message of the service's, lower-case as it is inside a sentence, made a sentence."""
    return text[:1].upper() + text[1:]


def _classify(
    library: Library,
    settings: Settings,
    roots: Sequence[str] | None,
    progress: ProgressCallback,
    cancel: threading.Event,
) -> tuple[str, list[str], bool, Any]:
    """(summary line, details, cancelled, the Classification or None)."""
    from tagger.service.classification import classify_tracks, describe_classification
    from tagger.service.models import ModelUnavailable, load_predictor

    progress(Progress(0, None, 0.0, None, phase="load"))
    try:
        predictor = load_predictor(settings)
    except ModelUnavailable as exc:
        return "classification skipped", [str(exc)], False, None
    run = classify_tracks(
        library, settings, predictor, roots=roots, progress=progress, cancel=cancel
    )
    line = describe_classification(run, failed_hint="see the Errors list")
    return line, [], run.batch.cancelled, run


def scan_job(
    library: Library, settings: Settings, folders: Sequence[str], *, classify: bool = True
) -> Job:
    """Bring the library in line with `folders`, then classify what is new there."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.classification import describe_scan, scan_folders

        result = scan_folders(library, settings, folders, progress=progress, cancel=cancel)
        details = [f"skipped {path}: {why}" for path, why in result.walk_errors]
        outcome = JobOutcome("Scan", describe_scan(result), details, result.cancelled, result)
        if result.cancelled or not classify:
            return outcome
        line, more, cancelled, _ = _classify(library, settings, result.roots, progress, cancel)
        outcome.summary += f"; {line}"
        outcome.details.extend(more)
        outcome.cancelled = cancelled
        return outcome

    return run


def classify_job(library: Library, settings: Settings) -> Job:
    """Classify every track that has no prediction from the current model."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        line, more, cancelled, classification = _classify(library, settings, None, progress, cancel)
        batch = classification.batch if classification is not None else None
        return JobOutcome("Classify", capitalized(line), more, cancelled, batch)

    return run


DEMO_TITLE = "Demo library"


def demo_job(settings: Settings, **options: Any) -> Job:
    """Make the demo library (render, scan, classify; reused when already made); its outcome's
    payload is the service's DemoLibrary, whose `db` the window then opens. `options` go to
    `prepare_demo_library` (where, how many tracks)."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.demo import describe_demo, prepare_demo_library

        demo = prepare_demo_library(settings, progress=progress, cancel=cancel, **options)
        return JobOutcome(DEMO_TITLE, capitalized(describe_demo(demo)), [], demo.cancelled, demo)

    return run


GENRE_MAP_TITLE = "Genre map"


def genre_map_job(library: Library, settings: Settings) -> Job:
    """Read the tracks' own genre tags anew under the settings' genre map
    (service.learning.apply_genre_map): after an edit of the map or an upgrade, the whole
    library, which would hold the GUI thread for seconds on a large one."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.learning import apply_genre_map

        progress(Progress(0, None, 0.0, None, phase="genres"))
        done = apply_genre_map(library, settings)
        return JobOutcome(GENRE_MAP_TITLE, f"Genre map applied to {done:,} tracks' genre tags")

    return run


# --- genre tags -----------------------------------------------------------------------------------


def tag_preview_job(library: Library, request: Any) -> Job:
    """What writing `request` (a tag_writer.TagRequest) would change; writes nothing."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.tagging import describe_preview, preview_tags

        plan = preview_tags(library, request, progress=progress, cancel=cancel)
        summary = describe_preview(plan, stale_hint="scan first")
        return JobOutcome("Preview tags", summary, [], plan.cancelled, plan)

    return run


def tag_write_job(library: Library, request: Any) -> Job:
    """Write the genres (backed up first, undoable as one batch)."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.tagging import describe_write, write_problems, write_tags

        result = write_tags(library, request, progress=progress, cancel=cancel)
        summary = describe_write(result, stale_hint="", always_count_problems=True)
        details = write_problems(result)
        return JobOutcome("Write tags", summary, details, result.cancelled, result)

    return run


def undo_job(library: Library) -> Job:
    """Restore the genres the last tag batch replaced."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.errors import ServiceError
        from tagger.service.tagging import describe_undo, undo_tags

        try:
            result = undo_tags(library, progress=progress, cancel=cancel)
        except ServiceError as exc:
            return JobOutcome("Undo", capitalized(str(exc)))
        details = [f"{o.path}: {o.status}: {o.reason}" for o in result.outcomes if o.reason]
        summary = f"Undo of batch {result.batch_id}: {describe_undo(result)}"
        return JobOutcome("Undo", summary, details, result.cancelled, result)

    return run


# --- learning from the library ----------------------------------------------------------------


TRAIN_TITLE = "Train"


def train_job(
    library: Library, settings: Settings, out: Any, config: Any, quick: Any = None
) -> Job:
    """Train a model on the library's labels (service.learning.train_from_library; `quick`: a
    QuickPlan, to repeat the active model's refit); each batch reports a Progress in phase
    "train" whose `last_result` is the TrainProgress."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.service.errors import ServiceError
        from tagger.service.learning import describe_trained, train_from_library
        from tagger.training.train import TrainingCancelled

        def report(t: Any) -> None:
            done = (t.epoch - 1) * t.batches + t.batch
            eta = t.eta_s if t.likely_eta_s is None else t.likely_eta_s  # "about", as said
            progress(Progress(done, t.epochs * t.batches, 0.0, eta, last_result=t, phase="train"))

        progress(Progress(0, None, 0.0, None, phase="decode"))
        try:
            model = train_from_library(
                library,
                settings,
                out,
                config,
                log=lambda _line: None,
                cancel=cancel.is_set,
                progress=report,
                quick=quick,
            )
        except TrainingCancelled as exc:
            return JobOutcome(TRAIN_TITLE, capitalized(str(exc)), cancelled=True)
        except ServiceError as exc:
            return JobOutcome(TRAIN_TITLE, capitalized(str(exc)))
        return JobOutcome(TRAIN_TITLE, capitalized(describe_trained(model)), payload=model)

    return run
