"""The status bar's view of the running job: what it does, how far it is, how fast it goes.

`JobStatus` owns the permanent status-bar widgets and follows a `JobRunner`'s signals; the window
decides what a finished job means for its lists.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QStatusBar, QWidget

from tagger.gui.jobs import JobOutcome
from tagger.gui.worker import JobRunner
from tagger.library.progress import Progress

log = logging.getLogger(__name__)

PHASE_TEXT = {
    "render": "Making demo songs",
    "walk": "Finding files",
    "read": "Reading tags",
    "load": "Loading the model",
    "classify": "Classifying",
    "plan": "Reading genres",
    "tag": "Writing tags",
    "undo": "Undoing",
    "genres": "Applying the genre map",
}


def clock(seconds: float) -> str:
    """ "m:ss", or "h:mm:ss" from an hour on."""
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class JobStatus(QObject):
    def __init__(self, bar: QStatusBar, runner: JobRunner, audio_problem: str | None) -> None:
        super().__init__(bar)
        self.bar = bar
        self.runner = runner
        self.job_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.rate_label = QLabel()
        self.audio_note = QLabel()
        if audio_problem is not None:
            self.audio_note.setText("No audio preview")
            self.audio_note.setToolTip(audio_problem)
        for widget in (self.job_label, self.progress, self.rate_label, self.audio_note):
            bar.addPermanentWidget(widget)
        runner.busy_changed.connect(self.show_busy)
        runner.progress.connect(self.show_progress)

    def show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.rate_label.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.job_label.setText(f"{self.runner.name}…")
        else:
            self.job_label.clear()
            self.rate_label.clear()

    def show_stopping(self) -> None:
        self.job_label.setText("Stopping…")

    def show_progress(self, p: Progress) -> None:
        phase = PHASE_TEXT.get(p.phase, self.runner.name)
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
            self.job_label.setText(f"{phase}: {p.done:,} of {p.total:,}")
        else:
            self.progress.setRange(0, 0)
            self.job_label.setText(f"{phase}…" + (f" {p.done:,}" if p.done else ""))
        if self.runner.cancelling:
            self.show_stopping()
        rate = f"{p.files_per_s:.1f} files/s" if p.files_per_s else ""
        if p.eta_s is not None and p.total:
            rate += f" · {clock(p.eta_s)} left"
        self.rate_label.setText(rate)

    def show_outcome(self, outcome: JobOutcome) -> None:
        """The job's summary in the status bar, its details in the bar's tooltip."""
        text = outcome.summary
        if outcome.cancelled:
            text += " — stopped; finished files are kept"
        self.bar.showMessage(text, 30_000)
        self.bar.setToolTip("\n".join(outcome.details[:30]))
        log.info("%s: %s", outcome.title, text)

    def show_failure(self, text: str, parent: QWidget) -> None:
        """An unexpected error: its last line in the status bar, the traceback in a dialog."""
        self.bar.showMessage("The job failed: " + text.strip().splitlines()[-1], 30_000)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The job failed",
            f"{self.runner.name or 'The job'} stopped because of an unexpected error.",
            parent=parent,
        )
        box.setDetailedText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
