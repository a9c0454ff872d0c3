"""Library → "Models…": the models this library knows and which one is active, and switching.

The app's face of `tagger models` and `tagger models use`: one row per model (name, when it was
trained, its classes, the labels it learnt from, its held-out accuracy with the number of tracks
that figure is of, the tracks whose prediction it made, its file). "Use this model" asks the
window to make it active, which then brings every in-scope track to its prediction in the
background, as the train dialog's "Use this model" does; "Use the bundled model" goes back to the
model that ships with the app; "Remove…" forgets a model that is neither active nor bundled,
with its predictions, and deletes its file if asked (`service.learning.remove_model`). The rows
are the learning service's (`service.learning.models`).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.class_colors import class_title
from tagger.library.model_registry import ModelInfo, RemovedModel
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.model.checkpoint import default_model_path
from tagger.service.errors import ServiceError
from tagger.service.learning import describe_held_out, describe_labels, models, remove_model
from tagger.service.local_time import local_time

HEADERS = [
    "Active", "Name", "Trained", "Classes", "Labels", "Held-out accuracy", "Tracks classified",
    "File",
]  # fmt: skip
COL_FILE = HEADERS.index("File")


def model_cells(m: ModelInfo) -> list[str]:
    return [
        "●" if m.active else "",
        m.name,
        local_time(m.created_at),
        ", ".join(class_title(c) for c in m.classes),
        f"{m.labels_used:,}" if m.labels_used else "-",
        describe_held_out(m),
        f"{m.tracks:,}",
        m.path if m.exists else f"{m.path} (missing)",
    ]


class ModelsDialog(QDialog):
    use_model_requested = Signal(object)  # a model file (str), or None: the bundled model
    train_requested = Signal()
    model_removed = Signal(object)  # RemovedModel: the window's lists changed

    def __init__(self, library: Library, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.library, self.settings = library, settings
        self.confirm: QMessageBox | None = None  # the open "Remove model" question
        self.rows = models(library, settings)

        path = settings.model_path
        active = (
            f"<b>{html.escape(Path(path).stem)}</b> ({html.escape(path)})"
            if path
            else "<b>the bundled model</b>, which has heard only synthetic music"
        )
        self.intro = intro = QLabel(
            f"Classifying with {active}. Using another model brings every track to its "
            "prediction, in the background; windows that training already decoded are not "
            "decoded again. Your review decisions stay as they are."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FILE, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self._use())
        self.empty = QLabel(
            "No models yet. “Train a model…” learns one from your genre tags and review "
            "decisions; until then the bundled model classifies."
        )
        self.empty.setWordWrap(True)

        self.use_button = QPushButton("Use this model")
        self.use_button.clicked.connect(self._use)
        self.bundled_button = QPushButton("Use the bundled model")
        self.bundled_button.setToolTip("The model that ships with the app (synthetic music only)")
        self.bundled_button.setEnabled(bool(path))  # not while it is the active one
        self.bundled_button.clicked.connect(self._use_bundled)
        self.train_button = QPushButton("Train a model…")
        self.train_button.clicked.connect(self._train)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self._ask_remove)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        for button in (self.use_button, self.bundled_button, self.train_button, self.remove_button):
            buttons.addButton(button, role)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(980, 360)
        self._show_rows()

    def _show_rows(self) -> None:
        self.table.setRowCount(len(self.rows))
        for r, m in enumerate(self.rows):
            self._fill_row(r, m)
        self.table.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        active = next((r for r, m in enumerate(self.rows) if m.active), None)
        if active is not None:
            self.table.selectRow(active)
        self._update_buttons()

    def _fill_row(self, r: int, m: ModelInfo) -> None:
        tip = f"Learnt from: {describe_labels(m.labels)}" if m.labels else ""
        if not m.exists:
            tip = "The model file is gone; it cannot be used. " + tip
        for c, text in enumerate(model_cells(m)):
            item = QTableWidgetItem(text)
            if c in (0, 4, 6):  # the marker and the counts
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if m.active:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            if not m.exists:
                item.setForeground(self.palette().placeholderText())
            item.setToolTip(tip)
            self.table.setItem(r, c, item)

    def selected(self) -> ModelInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.use_button.setEnabled(chosen is not None and chosen.exists and not chosen.active)
        if chosen is not None and not chosen.exists:
            self.use_button.setToolTip("Its file is gone")
        elif chosen is not None and chosen.active:
            self.use_button.setToolTip("It is the active model")
        else:
            self.use_button.setToolTip("")
        why_not = self._why_not_removable(chosen)
        self.remove_button.setEnabled(chosen is not None and not why_not)
        self.remove_button.setToolTip(why_not or "Forget this model and its predictions")

    @staticmethod
    def _why_not_removable(chosen: ModelInfo | None) -> str:
        if chosen is not None and chosen.active:
            return "It is the active model: use another one first"
        if chosen is not None and Path(chosen.path) == default_model_path():
            return "The bundled model ships with the app"
        return ""

    def _ask_remove(self) -> None:
        chosen = self.selected()
        if chosen is None or self._why_not_removable(chosen):
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove model",
            f"Remove the model “{chosen.name}” from this library?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "It leaves this list, and the predictions it made go with it"
            + (
                f": the {chosen.tracks:,} tracks it classified last are not classified until "
                "the next Classify gives them the active model's."
                if chosen.tracks
                else "."
            )
            + " Your review decisions stay."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        delete = QCheckBox(f"Also delete the file {chosen.path}")
        delete.setChecked(chosen.exists)
        delete.setEnabled(chosen.exists)
        box.setCheckBox(delete)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _r: (
                self._remove(chosen, delete.isChecked()) if box.clickedButton() is remove else None
            )
        )
        self.confirm = box
        box.open()

    def _remove(self, chosen: ModelInfo, delete_file: bool) -> None:
        try:
            removed: RemovedModel = remove_model(
                self.library, self.settings, chosen.id, delete_file
            )
        except ServiceError as exc:
            QMessageBox.warning(self, "Remove model", str(exc))
            return
        self.rows = models(self.library, self.settings)
        self._show_rows()
        self.model_removed.emit(removed)

    def _use(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.exists and not chosen.active:
            path = Path(chosen.path)
            self.use_model_requested.emit(None if path == default_model_path() else str(path))
            self.accept()

    def _use_bundled(self) -> None:
        self.use_model_requested.emit(None)
        self.accept()

    def _train(self) -> None:
        self.train_requested.emit()
        self.accept()
