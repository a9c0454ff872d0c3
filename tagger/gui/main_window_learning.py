"""The main window's part in learning from the library: the offer of a first model, the train
dialog, the models dialog and the status bar's active model, switching models, and suggesting a
retrain after enough new review decisions.

A plain mixin like `MainWindowActions`, listed before QMainWindow in the window's bases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from tagger.gui.learn_offer import LearnOffer, hidden_key
from tagger.gui.models_dialog import ModelsDialog
from tagger.gui.settings_store import SettingsStore
from tagger.gui.train_dialog import TrainDialog
from tagger.gui.worker import JobRunner
from tagger.library.model_registry import RemovedModel
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.learning import (
    RETRAIN_AFTER_DECISIONS,
    decisions_since_active_model,
    first_model_offer,
    retrain_hint_due,
)


class MainWindowLearning:
    library: Library
    settings: Settings
    runner: JobRunner
    store: SettingsStore
    learn_offer: LearnOffer
    refresh: Callable[[], None]
    classify: Callable[[], None]
    apply_settings: Callable[[Settings | None], None]
    statusBar: Callable[[], Any]
    _classify_pending: bool  # a model was chosen while a job ran: classify once it has finished
    _decisions_seen: int  # decisions since the active model, as of the last one counted

    def update_learn_offer(self, tags_read: bool = False) -> None:
        """Show or hide the offer of a first model (`learn_offer.py`): on opening, after a job, a
        model switch or decisions, and once a job has read the tags (`tags_read`: a scan's
        classification has begun, and the bundled model's would decode every track for a
        verdict of little worth on real music: better trained first)."""
        hidden = self.store.qsettings.value(hidden_key(self.library.url), False, type=bool)
        if self.runner.busy and not (tags_read or hidden or self.settings.model_path):
            return  # a job may be settling the tag classes it counts: its end comes back here
        self.learn_offer.show_counts(
            None if hidden else first_model_offer(self.library, self.settings),
            classifying=tags_read,
        )

    def hide_learn_offer(self) -> None:
        self.store.qsettings.setValue(hidden_key(self.library.url), True)
        self.learn_offer.show_counts(None)
        self.statusBar().showMessage(
            "Library → Train a model from this library… trains one whenever you like", 8000
        )

    def open_train_dialog(self) -> TrainDialog:
        dialog = TrainDialog(self.library, self.settings, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.use_model_requested.connect(self.use_model)
        dialog.open()
        return dialog

    def open_models_dialog(self) -> ModelsDialog:
        dialog = ModelsDialog(self.library, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.use_model_requested.connect(self.use_model)
        dialog.train_requested.connect(self.open_train_dialog)
        dialog.model_removed.connect(self._on_model_removed)
        dialog.open()
        return dialog

    def _on_model_removed(self, removed: RemovedModel) -> None:
        self.refresh()
        self.update_learn_offer()  # the library may have no model of its own now
        gone = "its file deleted" if removed.file_deleted else f"{removed.path} kept"
        again = (
            f"; {removed.unclassified:,} tracks it had classified wait for Classify"
            if removed.unclassified
            else ""
        )
        self.statusBar().showMessage(f"Model “{removed.name}” removed ({gone}){again}", 10000)

    def build_model_button(self) -> QToolButton:
        """The status bar's "Model: NAME": which model classifies, one click from switching."""
        self.model_button = QToolButton()
        self.model_button.setAutoRaise(True)
        self.model_button.clicked.connect(self.open_models_dialog)
        self.show_active_model()
        return self.model_button

    def show_active_model(self) -> None:
        """The button for a model just made active: the decisions made since it was trained
        are counted anew (for the retrain hint)."""
        self._decisions_seen = self._decisions_since_model()
        self._show_model_button()

    def _show_model_button(self) -> None:
        path = self.settings.model_path
        missing = bool(path) and not Path(path).is_file()
        text = f"Model: {Path(path).stem if path else 'bundled'}"
        new = self._decisions_seen
        if missing:
            text += " (missing)"
        elif path and new >= RETRAIN_AFTER_DECISIONS:  # in view, unlike the status message
            text += f" · {new:,} new decisions"
        self.model_button.setText(text)
        self.model_button.setToolTip(
            (f"The model file {path} is gone: Classify cannot run until another is chosen. "
             if missing else
             f"Classifying with {path or 'the bundled model (synthetic music only)'}; {new} "
             "tracks decided in review since it was trained. ")
            + "Click to see this library's models, switch, or train a new one."
        )  # fmt: skip

    def use_model(self, path: str | None) -> None:
        """Make `path` (None: the bundled model) the active model; `apply_settings` then brings
        every in-scope track to its prediction."""
        self.apply_settings(dataclasses.replace(self.settings, model_path=path))

    def classify_with_new_model(self) -> None:
        """The active model has changed (here or in Settings): classify the library with it now,
        or once the running job has finished."""
        path = self.settings.model_path
        name = Path(path).stem if path else "the bundled model"
        if not self.runner.busy:
            self.classify()
            self.statusBar().showMessage(f"Now using {name}: classifying the library with it", 8000)
            return
        self._classify_pending = True
        self.statusBar().showMessage(
            f"Now using {name}: the library is classified with it once the running job has "
            "finished",
            10000,
        )

    def suggest_retraining(self) -> None:
        """After enough new review decisions, say in the status bar that a retrain would help:
        once the count passes RETRAIN_AFTER_DECISIONS, then every RETRAIN_HINT_EVERY more."""
        before, self._decisions_seen = self._decisions_seen, self._decisions_since_model()
        self._show_model_button()
        # The bundled model is not retrained: the offer above the list trains a first model.
        if self.settings.model_path and retrain_hint_due(before, self._decisions_seen):
            self.statusBar().showMessage(
                f"{self._decisions_seen} review decisions since this model was trained: "
                "Library → Train a model from this library… would learn from them "
                "(Quick retrain: the last run's refit only)",
                15000,
            )

    def _decisions_since_model(self) -> int:
        return decisions_since_active_model(self.library, self.settings)

    def _on_review_decision(self, _track_id: int, label: str) -> None:
        self.refresh()
        if label:
            self.suggest_retraining()
        self.update_learn_offer()
