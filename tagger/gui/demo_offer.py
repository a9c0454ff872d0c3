"""The empty library's "Try it on a demo library": make it in the worker, then show it.

The demo library is the service's (`tagger.service.demo`, shared with `tagger gui --demo`): a
few synthetic songs rendered into the user data folder, scanned and classified into their own
library file. When the job finishes, the window shows that file instead of the empty library;
the user's settings and library.db are left as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from tagger.gui.jobs import DEMO_TITLE, JobOutcome, demo_job
from tagger.service.context import open_library

if TYPE_CHECKING:
    from tagger.gui.main_window import MainWindow


class DemoOffer(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.options: dict[str, Any] = {}  # for prepare_demo_library: tests make a small one
        window.empty.demo_requested.connect(self.start)
        window.runner.finished.connect(self._on_finished)

    def start(self) -> None:
        window = self.window
        if window.runner.busy:
            window.statusBar().showMessage("Wait for the current job, or cancel it (Esc).", 5000)
            return
        window.runner.start(DEMO_TITLE, demo_job(window.settings, **self.options))

    def _on_finished(self, outcome: JobOutcome) -> None:
        if outcome.title == DEMO_TITLE and not outcome.cancelled and outcome.payload is not None:
            self.show_library(str(outcome.payload.db))

    def show_library(self, db: str) -> None:
        """Show another library file in the window (the client, the lists, the title)."""
        window = self.window
        library = open_library(db)
        window.library.close()
        window.library = library
        window.client.library = library
        window.setWindowTitle(window.client.name)
        window.set_review_mode(False)
        window.model.set_filter(window.model.filter)
        window.refresh()
        window.show_active_model()
        window.update_learn_offer()
