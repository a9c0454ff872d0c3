"""The main window's part in learning from the library: the train dialog, switching to the
model it made, and suggesting a retrain after enough new review decisions.

A plain mixin like `MainWindowActions`, listed before QMainWindow in the window's bases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt

from tagger.gui.train_dialog import TrainDialog
from tagger.gui.worker import JobRunner
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.learning import RETRAIN_AFTER_DECISIONS, decisions_since_active_model


class MainWindowLearning:
    library: Library
    settings: Settings
    runner: JobRunner
    refresh: Callable[[], None]
    classify: Callable[[], None]
    apply_settings: Callable[[Settings | None], None]
    statusBar: Callable[[], object]

    def open_train_dialog(self) -> TrainDialog:
        dialog = TrainDialog(self.library, self.settings, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.use_model_requested.connect(self.use_model)
        dialog.open()
        return dialog

    def use_model(self, path: str) -> None:
        """Make `path` the active model and bring every in-scope track to its prediction."""
        settings = dataclasses.replace(self.settings, model_path=path)
        self.apply_settings(settings)
        if not self.runner.busy:
            self.classify()

    def suggest_retraining(self) -> None:
        """After enough new review decisions, say in the status bar that a retrain would help."""
        n = decisions_since_active_model(self.library, self.settings)
        # At the threshold and every 25 decisions after it, not after every single one.
        if n >= RETRAIN_AFTER_DECISIONS and (n - RETRAIN_AFTER_DECISIONS) % 25 == 0:
            self.statusBar().showMessage(
                f"{n} review decisions since this model was trained: "
                "Library → Train a model from this library… would learn from them "
                "(Quick retrain: the last run's refit only)",
                15000,
            )

    def _on_review_decision(self, _track_id: int, label: str) -> None:
        self.refresh()
        if label:
            self.suggest_retraining()
