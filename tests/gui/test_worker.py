"""JobRunner (gui/worker.py): one job at a time in a QThread, progress throttled into signals,
cancel through the job's Event, an unexpected exception as a `failed` signal."""

from __future__ import annotations

import os
import threading

import pytest

from tagger.gui import worker
from tagger.gui.jobs import JobOutcome
from tagger.gui.worker import JobRunner, lower_thread_priority
from tagger.library.progress import Progress


def progress(done: int, total: int | None = 100, phase: str = "read") -> Progress:
    return Progress(done, total, 0.0, None, phase=phase)


@pytest.fixture
def runner(qtbot):
    r = JobRunner()
    yield r
    r.shutdown(5_000)


def test_runs_the_job_off_the_gui_thread_and_reports_its_outcome(qtbot, runner) -> None:
    seen: dict[str, object] = {}

    def job(report, cancel: threading.Event) -> JobOutcome:
        seen["thread"] = threading.current_thread()
        return JobOutcome("Test", "done", payload=42)

    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    with qtbot.waitSignal(runner.finished, timeout=10_000) as finished:
        assert runner.start("Test job", job)
    outcome = finished.args[0]
    assert (outcome.summary, outcome.payload) == ("done", 42)
    assert seen["thread"] is not threading.main_thread()
    assert busy == [True, False] and not runner.busy


def test_progress_is_throttled_but_phase_changes_and_the_last_report_get_through(
    qtbot, runner, monkeypatch
) -> None:
    monkeypatch.setattr(worker, "PROGRESS_INTERVAL_S", 3600.0)  # nothing passes on time alone

    def job(report, cancel: threading.Event) -> JobOutcome:
        report(progress(0, None, "walk"))
        for i in range(1, 101):
            report(progress(i))
        return JobOutcome("Test", "done")

    reports: list[Progress] = []
    runner.progress.connect(reports.append)
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start("Test", job)
    assert [(p.phase, p.done) for p in reports] == [("walk", 0), ("read", 1), ("read", 100)]


def test_cancel_sets_the_jobs_event(qtbot, runner) -> None:
    started = threading.Event()

    def job(report, cancel: threading.Event) -> JobOutcome:
        started.set()
        stopped = cancel.wait(10)
        return JobOutcome("Test", "stopped" if stopped else "ran out", cancelled=stopped)

    with qtbot.waitSignal(runner.finished, timeout=15_000) as finished:
        runner.start("Test", job)
        assert started.wait(10)
        assert not runner.cancelling
        runner.cancel()
        assert runner.cancelling
    assert finished.args[0].cancelled


def test_a_second_job_is_refused_while_one_runs(qtbot, runner) -> None:
    release = threading.Event()

    def slow(report, cancel: threading.Event) -> JobOutcome:
        release.wait(10)
        return JobOutcome("Slow", "done")

    def other(report, cancel: threading.Event) -> JobOutcome:
        raise AssertionError("must not run")

    with qtbot.waitSignal(runner.finished, timeout=15_000) as finished:
        assert runner.start("Slow", slow)
        assert not runner.start("Other", other)
        assert runner.name == "Slow"
        release.set()
    assert finished.args[0].title == "Slow"


def test_an_exception_in_the_job_becomes_the_failed_signal(qtbot, runner) -> None:
    def broken(report, cancel: threading.Event) -> JobOutcome:
        raise RuntimeError("a service bug")

    with qtbot.waitSignal(runner.failed, timeout=10_000) as failed:
        runner.start("Broken", broken)
    assert "RuntimeError: a service bug" in failed.args[0]
    assert not runner.busy  # the runner takes the next job


def test_shutdown_cancels_and_waits(qtbot) -> None:
    runner = JobRunner()
    cancelled = threading.Event()

    def job(report, cancel: threading.Event) -> JobOutcome:
        if cancel.wait(10):
            cancelled.set()
        return JobOutcome("Test", "done")

    runner.start("Test", job)
    assert runner.shutdown(15_000)
    assert cancelled.is_set() and not runner.busy
    assert runner.shutdown()  # nothing left to stop


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="POSIX thread niceness")
def test_lower_thread_priority_only_ever_lowers() -> None:
    result: dict[str, int] = {}

    def body() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        lower_thread_priority(before + 3)
        result["after"] = os.getpriority(os.PRIO_PROCESS, tid)
        lower_thread_priority(before)  # asking for less is ignored
        result["again"] = os.getpriority(os.PRIO_PROCESS, tid)
        result["before"] = before

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert result["after"] == min(result["before"] + 3, 19) == result["again"]
