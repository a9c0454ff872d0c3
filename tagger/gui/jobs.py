"""The long jobs the GUI runs in its worker thread, as plain functions of (progress, cancel).

Each job calls the same library services as the CLI (scanner, batch pipeline, tag writer) and
returns a `JobOutcome` the window shows as a summary. No Qt here: `worker.py` runs a job in a
QThread and turns its progress reports into signals.

The services import torch, PyAV and mutagen. `preload_services()` imports them in the GUI thread
before the window opens: importing torch runs its C extension's initialisation while holding the
GIL for about a second, which, done in the worker at the first scan, froze the GUI thread for as
long (measured with benchmarks/gui_stall_benchmark.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
    import tagger.library.pipeline
    import tagger.library.records
    import tagger.library.scanner
    import tagger.library.tag_writer
    import tagger.library.undo
    import tagger.model.checkpoint
    import tagger.model.predictor  # noqa: F401


def model_path(settings: Settings) -> Path:
    from tagger.model.checkpoint import default_model_path

    return Path(settings.model_path) if settings.model_path else default_model_path()


def _load_predictor(settings: Settings) -> tuple[Any, str | None]:
    """(predictor, None), or (None, why not) when the model file cannot be used."""
    from tagger.model.checkpoint import ModelFileError
    from tagger.model.predictor import Predictor

    try:
        return Predictor.load(model_path(settings)), None
    except ModelFileError as exc:
        return None, f"cannot load the model: {exc.reason} ({exc.path})"


def _classify(
    library: Library,
    settings: Settings,
    roots: Sequence[str] | None,
    progress: ProgressCallback,
    cancel: threading.Event,
) -> tuple[str, list[str], bool, Any]:
    from tagger.library.pipeline import run_classification, select_for_classification
    from tagger.library.records import register_model

    progress(Progress(0, None, 0.0, None, phase="load"))
    predictor, problem = _load_predictor(settings)
    if predictor is None:
        return "classification skipped", [problem or ""], False, None
    with library.session() as session, session.begin():
        model_id = register_model(session, predictor).id
    ids = select_for_classification(library, model_id, roots=roots, scope=settings.scope_genres)
    batch = run_classification(
        library,
        predictor,
        ids,
        progress=progress,
        cancel=cancel,
        workers=settings.workers,
        timeout=settings.decode_timeout,
    )
    line = f"classified {batch.classified} of {batch.total} with {predictor.name}"
    if batch.failed:
        line += f", {batch.failed} failed (see the Errors list)"
    return line, [], batch.cancelled, batch


def scan_job(
    library: Library, settings: Settings, folders: Sequence[str], *, classify: bool = True
) -> Job:
    """Bring the library in line with `folders`, then classify what is new there."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.library.scanner import scan

        result = scan(
            library, folders, scope=settings.scope_genres, progress=progress, cancel=cancel
        )
        summary = (
            f"{result.found} audio files: {result.added} new, {result.reread} changed, "
            f"{result.moved} moved, {result.missing} missing, {result.errors} unreadable"
        )
        details = [f"skipped {path}: {why}" for path, why in result.walk_errors]
        outcome = JobOutcome("Scan", summary, details, result.cancelled, result)
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
        line, more, cancelled, batch = _classify(library, settings, None, progress, cancel)
        return JobOutcome("Classify", line[:1].upper() + line[1:], more, cancelled, batch)

    return run


# --- genre tags -----------------------------------------------------------------------------------


def _reasons(skipped: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))


def tag_preview_job(library: Library, request: Any) -> Job:
    """What writing `request` (a tag_writer.TagRequest) would change; writes nothing."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.library.tag_writer import Action, TagWriter

        plan = TagWriter(library).plan(request, progress=progress, cancel=cancel)
        parts = [
            f"{plan.count(Action.WRITE)} files would change",
            f"{plan.count(Action.UNCHANGED)} already tagged",
        ]
        if plan.count(Action.STALE):
            parts.append(f"{plan.count(Action.STALE)} stale (scan first)")
        if plan.count(Action.ERROR):
            parts.append(f"{plan.count(Action.ERROR)} unreadable")
        if plan.skipped:
            parts.append(f"{sum(plan.skipped.values())} skipped ({_reasons(plan.skipped)})")
        return JobOutcome("Preview tags", ", ".join(parts), [], plan.cancelled, plan)

    return run


def tag_write_job(library: Library, request: Any) -> Job:
    """Write the genres (backed up first, undoable as one batch)."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.library.tag_writer import Action, TagWriter

        result = TagWriter(library).apply(request, progress=progress, cancel=cancel)
        parts = [
            f"wrote {result.count('written')} files",
            f"{result.count(Action.UNCHANGED)} already tagged",
            f"{result.count('stale')} stale",
            f"{result.count('error')} errors",
        ]
        if result.skipped:
            parts.append(f"{sum(result.skipped.values())} skipped ({_reasons(result.skipped)})")
        details = [
            f"{c.path}: {c.action}: {c.reason}"
            for c in result.changes
            if c.action in ("stale", "error")
        ]
        return JobOutcome("Write tags", ", ".join(parts), details, result.cancelled, result)

    return run


def undo_job(library: Library) -> Job:
    """Restore the genres the last tag batch replaced."""

    def run(progress: ProgressCallback, cancel: threading.Event) -> JobOutcome:
        from tagger.library.undo import UndoError, undo_batch

        try:
            result = undo_batch(library, progress=progress, cancel=cancel)
        except UndoError as exc:
            return JobOutcome("Undo", str(exc)[:1].upper() + str(exc)[1:])
        parts = [f"restored {result.count('restored')} files"]
        if result.count("refused"):
            parts.append(f"refused {result.count('refused')} (changed since the batch)")
        if result.count("error"):
            parts.append(f"{result.count('error')} errors")
        details = [f"{o.path}: {o.status}: {o.reason}" for o in result.outcomes if o.reason]
        summary = f"Undo of batch {result.batch_id}: " + ", ".join(parts)
        return JobOutcome("Undo", summary, details, result.cancelled, result)

    return run
