"""The GUI's jobs (gui/jobs.py) called directly, as the worker thread calls them: real library,
real files, the session's random model."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagger.gui.jobs import (
    JobOutcome,
    classify_job,
    scan_job,
    tag_preview_job,
    tag_write_job,
    undo_job,
)
from tagger.library.progress import Progress
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.library_client import LibraryClient
from tagger.service.tagging import tag_request
from tagger.tags import read_genres


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "jobs.db")
    yield lib
    lib.close()


def run(job, cancel: threading.Event | None = None) -> tuple[JobOutcome, list[Progress]]:
    reports: list[Progress] = []
    outcome = job(reports.append, cancel or threading.Event())
    return outcome, reports


def test_scan_summary_counts_unchanged_files(
    library: Library, no_model_settings: Settings, music: Path
) -> None:
    """Regression: the app's scan summary left out the unchanged files the CLI shows."""
    first, _ = run(scan_job(library, no_model_settings, [str(music)], classify=False))
    assert first.title == "Scan" and "0 unchanged" in first.summary
    again, reports = run(scan_job(library, no_model_settings, [str(music)], classify=False))
    assert again.payload.unchanged == again.payload.found == 7  # 6 songs and one broken file
    assert again.summary.startswith("7 audio files: 0 new") and "7 unchanged" in again.summary
    assert {p.phase for p in reports} >= {"walk"}


def test_scan_without_a_usable_model_reads_files_and_says_why_it_did_not_classify(
    library: Library, no_model_settings: Settings, music: Path
) -> None:
    outcome, reports = run(scan_job(library, no_model_settings, [str(music)]))
    assert "; classification skipped" in outcome.summary and not outcome.cancelled
    assert outcome.details[-1].startswith("cannot load the model")
    assert "no-such-model.safetensors" in outcome.details[-1]
    assert reports[-1].phase == "load"


def test_classify_job_classifies_with_the_settings_model(
    library: Library, settings: Settings, music: Path, tmp_path: Path
) -> None:
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(music / "Iron Verdict" / "01 Song 1.flac", one)
    run(scan_job(library, settings, [str(one)], classify=False))
    outcome, reports = run(classify_job(library, settings))
    assert outcome.title == "Classify"
    assert outcome.summary == "Classified 1 of 1 with random"
    assert outcome.payload.classified == 1 and outcome.payload.failed == 0
    assert "classify" in {p.phase for p in reports}
    again, _ = run(classify_job(library, settings))
    assert again.summary == "Nothing to classify: no track is waiting for random"  # all done


def test_a_cancelled_scan_stops_and_says_so(
    library: Library, settings: Settings, music: Path
) -> None:
    cancel = threading.Event()
    cancel.set()
    outcome, _ = run(scan_job(library, settings, [str(music)]), cancel)
    assert outcome.cancelled and "classified" not in outcome.summary


def test_preview_write_and_undo_jobs(library: Library, settings: Settings, music: Path) -> None:
    run(scan_job(library, settings, [str(music)], classify=False))
    client = LibraryClient(library, settings)
    label, n = client.decide_paths([str(music / "Iron Verdict")], "Metal", None)
    assert (label, n) == ("metal", 2)  # the model's spelling; songs 1 and 5
    request = tag_request(settings, label=label)

    preview, _ = run(tag_preview_job(library, request))
    assert preview.summary.startswith("2 files would change, 0 already tagged")
    assert all("Metal" not in read_genres(c.path) for c in preview.payload.changes)

    written, _ = run(tag_write_job(library, request))
    assert written.summary.startswith("wrote 2 files, 0 already tagged, 0 stale, 0 errors")
    assert all("Metal" in read_genres(c.path) for c in written.payload.changes)

    undone, _ = run(undo_job(library))
    assert undone.summary == f"Undo of batch {written.payload.batch_id}: restored 2 files"
    assert all("Metal" not in read_genres(c.path) for c in written.payload.changes)


def test_undo_with_nothing_to_undo_is_a_message(library: Library) -> None:
    outcome, _ = run(undo_job(library))
    assert outcome.payload is None and outcome.summary[:1].isupper()
