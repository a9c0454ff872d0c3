"""The demo library: what `tagger gui --demo` and the app's first-run choice open.

A fresh clone has no music beside it, so the first thing a new user sees is made here: a small
synthetic corpus rendered by the demo-corpus generator into the user data folder, scanned and
classified into its own library file. A second call finds the corpus (its manifest) and reuses
it; the scan and classification then only do what an interrupted first call left undone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from tagger import APP_NAME
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.settings import Settings
from tagger.service.classification import classify_tracks, scan_folders
from tagger.service.context import open_library
from tagger.service.errors import ServiceError

DEMO_TRACKS = 24
DEMO_SECONDS = (30.0, 60.0)  # short tracks: the demo renders in seconds, not minutes
DEMO_SEED = 0
DEMO_DB_NAME = "demo.db"


@dataclass(frozen=True)
class DemoLibrary:
    """Where the demo lives, and what preparing it did."""

    folder: Path  # the rendered audio files (and corpus.json)
    db: Path  # the demo's own library file, never the user's library.db
    rendered: int  # tracks rendered by this call (0: the corpus was reused)
    classified: int  # tracks classified by this call
    cancelled: bool = False


def demo_home() -> Path:
    """The demo's folder in the user data folder, beside the user's library."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo"


def _corpus_is_complete(folder: Path, tracks: int, seed: int) -> bool:
    from tagger.training.demo_corpus import MANIFEST_NAME

    try:
        doc = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    entries = doc.get("tracks", []) if isinstance(doc, dict) else []
    return (
        doc.get("seed") == seed
        and len(entries) == tracks
        and all((folder / str(e.get("path", ""))).is_file() for e in entries)
    )


def _render(
    folder: Path,
    tracks: int,
    seed: int,
    seconds: tuple[float, float],
    workers: int | None,
    progress: ProgressCallback | None,
    cancel: Cancel,
) -> bool:
    """Render the corpus; False when cancelled (no manifest is written then)."""
    from tagger.training.demo_corpus import DemoCorpusStopped, render_demo_corpus

    meter = RateMeter(tracks, "render", progress)
    meter.report(step=0)  # the bar appears before the first track is done
    try:
        render_demo_corpus(
            folder,
            tracks,
            seed,
            duration_range=seconds,
            workers=workers or os.cpu_count() or 1,
            progress=lambda done, _total: meter.report(step=done - meter.done) if done else None,
            should_stop=cancel_check(cancel),
        )
    except DemoCorpusStopped:
        return False
    except OSError as exc:
        raise ServiceError(f"cannot write the demo library in {folder}: {exc}") from None
    return True


def prepare_demo_library(
    settings: Settings,
    *,
    home: Path | None = None,
    model: str | None = None,
    tracks: int = DEMO_TRACKS,
    seconds: tuple[float, float] = DEMO_SECONDS,
    seed: int = DEMO_SEED,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> DemoLibrary:
    """Render (unless already there), scan and classify the demo library under `home`
    (default: `demo_home()`) with `workers` processes (default: one per core). Progress
    phases: "render", "walk", "read", "classify"."""
    from tagger.service.models import load_predictor

    home = home or demo_home()
    folder, db = home / "music", home / DEMO_DB_NAME
    stopped = cancel_check(cancel)
    rendered = 0
    if not _corpus_is_complete(folder, tracks, seed):
        if not _render(folder, tracks, seed, seconds, workers, progress, cancel):
            return DemoLibrary(folder, db, 0, 0, cancelled=True)
        rendered = tracks
    library = open_library(str(db))
    try:
        scanned = scan_folders(library, settings, [str(folder)], progress=progress, cancel=cancel)
        if scanned.cancelled or stopped():
            return DemoLibrary(folder, db, rendered, 0, cancelled=True)
        predictor = load_predictor(settings, model)
        run = classify_tracks(
            library,
            settings,
            predictor,
            roots=[str(folder)],
            workers=workers,
            progress=progress,
            cancel=cancel,
        )
    finally:
        library.close()
    return DemoLibrary(folder, db, rendered, run.batch.classified, run.batch.cancelled)


def describe_demo(demo: DemoLibrary) -> str:
    if demo.cancelled:
        return "demo library not finished; run the same command again to resume"
    made = f"rendered {demo.rendered} demo tracks" if demo.rendered else "reused the demo tracks"
    return f"{made} in {demo.folder}, classified {demo.classified} -> {demo.db}"
