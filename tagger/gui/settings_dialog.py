"""Editing the user settings: library folders, review threshold, genre map, genre strings, model.
Beside the genre map, the library's genres and what each maps to as the rules are typed
(`genre_preview.py`).

The dialog edits a copy of the library's `Settings` and hands it back; the window saves it
(settings_store.py). Nothing here knows what the values mean to the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.genre_preview import GenrePreview
from tagger.library.genre_labels import GenreCount
from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap, GenreMapError
from tagger.library.settings import Settings, SettingsError


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        genre_counts: Callable[[], Sequence[GenreCount]] | None = None,
    ) -> None:
        """`genre_counts` reads the library's genres (off the GUI thread) to show beside the
        genre map what each maps to as the rules are edited; None: no library to show."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.result_settings: Settings | None = None

        self.folders = QListWidget()
        self.folders.addItems(settings.library_folders)
        self.folders.setMinimumHeight(90)
        add = QPushButton("Add…")
        add.clicked.connect(self._add_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_folder)
        folder_buttons = QVBoxLayout()
        folder_buttons.addWidget(add)
        folder_buttons.addWidget(remove)
        folder_buttons.addStretch(1)
        folder_box = QHBoxLayout()
        folder_box.addWidget(self.folders, 1)
        folder_box.addLayout(folder_buttons)

        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setValue(settings.threshold)
        self.threshold.setToolTip("A track below this confidence goes to the review queue")
        self.disagreement = QDoubleSpinBox()
        self.disagreement.setRange(0.01, 1.0)
        self.disagreement.setSingleStep(0.05)
        self.disagreement.setDecimals(2)
        self.disagreement.setValue(settings.disagreement)
        self.disagreement.setToolTip(
            "A track also goes to review when this share of its windows votes against its label"
        )

        self.genre_map = QPlainTextEdit(settings.genre_map_rules().to_text())
        self.genre_map.setToolTip(
            "One rule per line, 'genre words = class' (metal, hardcore, other or ignore); the "
            "first rule that matches a genre decides. Tracks whose genres map to 'other' only, "
            "or to nothing, are out of scope; tracks without a genre are always classified. "
            "Training from the library learns from genres that map to one class."
        )
        self.genre_map.setFixedHeight(200)
        reset_map = QPushButton("Default rules")
        reset_map.clicked.connect(lambda: self.genre_map.setPlainText(DEFAULT_GENRE_MAP.to_text()))
        rules_box = QVBoxLayout()
        rules_box.addWidget(self.genre_map)
        rules_box.addWidget(reset_map)
        genre_map_box = QHBoxLayout()
        genre_map_box.addLayout(rules_box, 1)
        self.genre_preview: GenrePreview | None = None
        if genre_counts is not None:
            self.genre_preview = GenrePreview()
            self.genre_preview.setFixedHeight(200 + reset_map.sizeHint().height())
            self.genre_preview.show_map(self.genre_map.toPlainText())
            self.genre_map.textChanged.connect(
                lambda: self.genre_preview.map_text_changed(self.genre_map.toPlainText())
            )
            self.genre_preview.load(genre_counts)
            genre_map_box.addWidget(self.genre_preview, 1)
            self.setMinimumWidth(900)

        self.genre_edits: dict[str, QLineEdit] = {}
        genre_box = QFormLayout()
        for name, text in settings.genre_strings.items():
            edit = QLineEdit(text)
            self.genre_edits[name] = edit
            genre_box.addRow(f"{name.title()}:", edit)

        self.separator = QLineEdit(settings.id3_separator)
        self.separator.setToolTip(
            "ID3 v2.3 has one genre text: several genres are joined with this separator"
        )
        self.model_path = QLineEdit(settings.model_path or "")
        self.model_path.setPlaceholderText("the bundled model")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_model)
        model_box = QHBoxLayout()
        model_box.addWidget(self.model_path, 1)
        model_box.addWidget(browse)

        self.workers = QSpinBox()
        self.workers.setRange(0, 64)
        self.workers.setSpecialValueText("one per core")
        self.workers.setValue(settings.workers or 0)

        form = QFormLayout()
        form.addRow("Library folders:", folder_box)
        form.addRow("Review below confidence:", self.threshold)
        form.addRow("… or when windows disagree:", self.disagreement)
        form.addRow("Genre map:", genre_map_box)
        form.addRow("Genre written for:", genre_box)
        form.addRow("ID3 v2.3 separator:", self.separator)
        form.addRow("Model file:", model_box)
        form.addRow("Decoding workers:", self.workers)

        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        existing = {self.folders.item(i).text() for i in range(self.folders.count())}
        if folder not in existing:
            self.folders.addItem(folder)

    def _remove_folder(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))

    def _browse_model(self) -> None:
        start = self.model_path.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a model file", start, "Model files (*.safetensors)"
        )
        if path:
            self.model_path.setText(path)

    def edited(self) -> Settings:
        """The settings as the dialog shows them (may raise SettingsError)."""
        genres = {
            name: edit.text().strip() or name.title() for name, edit in self.genre_edits.items()
        }
        try:
            genre_map = GenreMap.from_text(self.genre_map.toPlainText())
        except GenreMapError as exc:
            raise SettingsError(f"genre map: {exc}") from None
        # The defaults are stored as None, so that a later version's better defaults apply.
        rules = None if genre_map == DEFAULT_GENRE_MAP else genre_map.to_settings()
        settings = dataclasses.replace(
            self.original,
            library_folders=[self.folders.item(i).text() for i in range(self.folders.count())],
            threshold=round(self.threshold.value(), 4),
            disagreement=round(self.disagreement.value(), 4),
            genre_map=rules,
            genre_strings=genres,
            id3_separator=self.separator.text() or "; ",
            model_path=self.model_path.text().strip() or None,
            workers=self.workers.value() or None,
        )
        settings.validate()
        return settings

    def accept(self) -> None:
        try:
            self.result_settings = self.edited()
        except SettingsError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        super().accept()
