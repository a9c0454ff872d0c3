"""Running one long job at a time in a QThread, reporting through signals.

`JobRunner` lives in the GUI thread. `start(job)` moves a `_JobWorker` into a fresh QThread and
runs the job there; the job's progress callback is throttled (a 100 k-file scan reports every
file, the GUI needs ~10 updates a second) and arrives as the `progress` signal in the GUI thread.
`cancel()` sets the job's Event; the services poll it at least every 0.2 s.

The job's thread runs at a lower CPU priority (nice +10 on Linux, where niceness is per thread),
and so do the decoding processes it starts, which inherit it. On a 2-core machine the decoders
and the network otherwise keep both cores busy, and the GUI thread waited up to half a second for
one (measured with benchmarks/gui_stall_benchmark.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from tagger.gui.jobs import Job, JobOutcome
from tagger.library.progress import Progress

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1
BACKGROUND_NICENESS = 10


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> None:
    """Make the calling thread (and processes it starts later) yield the CPU to the GUI."""
    if not hasattr(os, "setpriority"):
        return  # not on POSIX; QThread.LowPriority is set by the runner instead
    with contextlib.suppress(OSError):
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(current, niceness))


class _JobWorker(QObject):
    progress = Signal(object)  # Progress
    finished = Signal(object)  # JobOutcome
    failed = Signal(str)  # the traceback of an unexpected exception

    def __init__(self, job: Job, cancel: threading.Event) -> None:
        super().__init__()
        self.job = job
        self.cancel = cancel
        self._last_emit = 0.0
        self._last_phase = ""

    def _report(self, p: Progress) -> None:
        now = time.monotonic()
        final = p.total is not None and p.done >= p.total
        if p.phase != self._last_phase or final or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit, self._last_phase = now, p.phase
            self.progress.emit(p)

    @Slot()
    def run(self) -> None:
        lower_thread_priority()
        try:
            outcome = self.job(self._report, self.cancel)
        except Exception:  # a service bug must reach the user as a message, not kill the thread
            text = traceback.format_exc()
            log.error("job failed:\n%s", text)
            self.failed.emit(text)
        else:
            self.finished.emit(outcome)


class JobRunner(QObject):
    progress = Signal(object)  # Progress
    finished = Signal(object)  # JobOutcome
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _JobWorker | None = None
        self._cancel = threading.Event()
        self.name = ""

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def cancelling(self) -> bool:
        return self.busy and self._cancel.is_set()

    def follow(
        self,
        on_progress: Callable[[Progress], None],
        on_finished: Callable[[JobOutcome], None],
        on_failed: Callable[[str], None],
        on_busy: Callable[[bool], None] | None = None,
    ) -> Callable[[], None]:
        """Connect a dialog's slots to every job's signals; returns what disconnects them, for
        when the dialog closes (the runner outlives it)."""
        pairs = [
            (self.progress, on_progress),
            (self.finished, on_finished),
            (self.failed, on_failed),
        ]
        if on_busy is not None:
            pairs.append((self.busy_changed, on_busy))
        for signal, slot in pairs:
            signal.connect(slot)

        def unfollow() -> None:
            for signal, slot in pairs:
                signal.disconnect(slot)

        return unfollow

    def start(self, name: str, job: Job) -> bool:
        """Start `job`; False (and nothing happens) while another job runs."""
        if self.busy:
            return False
        self.name = name
        self._cancel = threading.Event()
        thread = QThread()
        thread.setObjectName(f"tagger-{name.lower().replace(' ', '-')}")
        worker = _JobWorker(job, self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._thread, self._worker = thread, worker
        thread.start(QThread.Priority.LowPriority)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and wait for the thread (used when the window closes). True when it stopped."""
        if self._thread is None:
            return True
        self.cancel()
        thread = self._thread
        thread.quit()
        stopped = thread.wait(timeout_ms)
        if stopped:
            self._cleanup()
        return stopped

    def _cleanup(self) -> None:
        thread, worker = self._thread, self._worker
        if thread is None:
            return  # already cleaned up by shutdown()
        self._thread = self._worker = None
        thread.quit()
        thread.wait()
        thread.deleteLater()
        if worker is not None:
            worker.deleteLater()
        self.busy_changed.emit(False)

    @Slot(object)
    def _on_finished(self, outcome: JobOutcome) -> None:
        self._cleanup()
        self.finished.emit(outcome)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self._cleanup()
        self.failed.emit(text)
