"""Writing genre tags: choose what and how, preview every file's change, write, see the summary.

Preview and write both run in the window's worker thread (`JobRunner`) through the library's
service (`tagger.service.tagging`); this dialog only builds a `TagRequest` from its controls and
shows `FileChange`s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.jobs import JobOutcome, tag_preview_job, tag_write_job
from tagger.gui.worker import JobRunner
from tagger.library.progress import Progress
from tagger.library.queries import SmartList, TrackFilter
from tagger.library.settings import Settings
from tagger.library.store import Library

if TYPE_CHECKING:
    # The tag writer brings PyAV and every tag handler: imported when a request is built, so
    # that the main window (which imports this dialog) opens without them.
    from tagger.library.tag_writer import FileChange, TagRequest

MODE_TEXT = {
    "add": "Add the label, keep the file's other genres",
    "replace": "Replace the file's genres with the label",
    "fill": "Only files that have no genre yet",
}
ACTION_TEXT = {
    "write": "will change",
    "unchanged": "already tagged",
    "stale": "stale",
    "error": "error",
    "written": "written",
    "skipped": "skipped",
}


@dataclass(frozen=True)
class TagScope:
    """Which tracks a tag request covers, as the window describes them."""

    title: str  # "Selected tracks (3)"
    paths: tuple[str, ...] = ()
    label: str | None = None
    problem: str | None = None  # why this scope cannot be written (no tracks)


def scope_for_paths(title: str, paths: Sequence[str]) -> TagScope:
    if not paths:
        return TagScope(title, problem="no tracks")
    return TagScope(title, tuple(paths))


def offered_scopes(
    selected: Sequence[str],
    shown: TrackFilter,
    shown_count: int,
    list_name: str,
    library_count: int,
    paths_of: Callable[[TrackFilter, int], list[str]],
) -> list[TagScope]:
    """The selection (if any), the list on screen (by its paths, or by label for a class list),
    and the whole library. `paths_of(filter, n)` lists the paths of the first n rows."""
    scopes: list[TagScope] = []
    if selected:
        scopes.append(scope_for_paths(f"Selected tracks ({len(selected):,})", selected))
    if shown.search.strip() or shown.smart not in (SmartList.ALL, SmartList.LABEL):
        title = f"Current list: {list_name}"
        title += (f" matching “{shown.search}”" if shown.search else "") + f" ({shown_count:,})"
        scopes.append(scope_for_paths(title, paths_of(shown, shown_count)))
    elif shown.smart == SmartList.LABEL:
        scopes.append(TagScope(f"Current list: {list_name} ({shown_count:,})", label=shown.label))
    scopes.append(TagScope(f"Whole library ({library_count:,})"))
    return scopes


def _genres(genres: Sequence[str]) -> str:
    return "; ".join(genres) if genres else "(none)"


class ChangeTableModel(QAbstractTableModel):
    HEADERS = ("File", "Old genres", "", "New genres", "Result")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.changes: list[FileChange] = []

    def set_changes(self, changes: Sequence[FileChange]) -> None:
        self.beginResetModel()
        self.changes = list(changes)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        c = self.changes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            action = str(c.action)
            match index.column():
                case 0:
                    return c.path.rsplit("/", 1)[-1]
                case 1:
                    return _genres(c.old_genres)
                case 2:
                    return "→"
                case 3:
                    return _genres(c.new_genres) if action not in ("stale", "error") else ""
                case 4:
                    text = ACTION_TEXT.get(action, action)
                    return f"{text}: {c.reason}" if c.reason else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{c.path}\n{c.reason}" if c.reason else c.path
        return None


class TagDialog(QDialog):
    written = Signal(object)  # JobOutcome of a write: the window refreshes and enables Undo

    def __init__(
        self,
        library: Library,
        settings: Settings,
        runner: JobRunner,
        scopes: Sequence[TagScope],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write genre tags")
        self.library = library
        self.settings = settings
        self.runner = runner
        self.scopes = list(scopes)
        self.planned_request: TagRequest | None = None
        self.last_outcome: JobOutcome | None = None

        self.scope_group = QButtonGroup(self)
        scope_box = QVBoxLayout()
        for i, scope in enumerate(self.scopes):
            radio = QRadioButton(scope.title)
            if scope.problem:
                radio.setToolTip(scope.problem)
            radio.setEnabled(scope.problem is None)
            self.scope_group.addButton(radio, i)
            scope_box.addWidget(radio)
        for i, scope in enumerate(self.scopes):
            if scope.problem is None:
                self.scope_group.button(i).setChecked(True)
                break

        self.mode = QComboBox()
        for mode, text in MODE_TEXT.items():
            self.mode.addItem(text, mode)
        self.use_min_confidence = QCheckBox("Only model decisions at least")
        self.min_confidence = QDoubleSpinBox()
        self.min_confidence.setRange(0.0, 1.0)
        self.min_confidence.setSingleStep(0.05)
        self.min_confidence.setValue(max(0.5, settings.threshold))
        self.min_confidence.setEnabled(False)
        self.use_min_confidence.toggled.connect(self.min_confidence.setEnabled)
        confidence_box = QHBoxLayout()
        confidence_box.addWidget(self.use_min_confidence)
        confidence_box.addWidget(self.min_confidence)
        confidence_box.addWidget(QLabel("confident"))
        confidence_box.addStretch(1)
        self.reviewed_only = QCheckBox("Only tracks I decided in review")
        genre_text = ", ".join(f"{k.title()} → “{v}”" for k, v in settings.genre_strings.items())

        form = QFormLayout()
        form.addRow("Tracks:", scope_box)
        form.addRow("Mode:", self.mode)
        form.addRow("Confidence:", confidence_box)
        form.addRow("", self.reviewed_only)
        form.addRow("Genres written:", QLabel(genre_text))

        self.changes = ChangeTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.changes)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.summary = QLabel("Preview shows each file's change before anything is written.")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()

        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.write_button = QPushButton("Write tags")
        self.write_button.setEnabled(False)
        self.write_button.clicked.connect(self.write)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.hide()
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.resize(900, 560)

        self.mode.currentIndexChanged.connect(self._options_changed)
        self.min_confidence.valueChanged.connect(self._options_changed)
        self.use_min_confidence.toggled.connect(self._options_changed)
        self.reviewed_only.toggled.connect(self._options_changed)
        self.scope_group.idToggled.connect(self._options_changed)
        self._unfollow = runner.follow(self._on_progress, self._on_finished, self._on_failed)

    # --- the request ----------------------------------------------------------------------------

    def request(self) -> TagRequest:
        from tagger.service.tagging import tag_request

        scope = self.scopes[max(0, self.scope_group.checkedId())]
        return tag_request(
            self.settings,
            scope.paths,
            label=scope.label,
            mode=self.mode.currentData(),
            min_confidence=(
                self.min_confidence.value() if self.use_min_confidence.isChecked() else None
            ),
            reviewed_only=self.reviewed_only.isChecked(),
        )

    def _options_changed(self, *_args: object) -> None:
        # A preview is only valid for the options it was made with.
        self.planned_request = None
        self.write_button.setEnabled(False)

    # --- running ----------------------------------------------------------------------------

    def preview(self) -> None:
        request = self.request()
        if self.runner.start("Preview tags", tag_preview_job(self.library, request)):
            self.planned_request = request
            self._set_running(True, "Reading the files' genres…")

    def write(self) -> None:
        request = self.planned_request or self.request()
        if self.runner.start("Write tags", tag_write_job(self.library, request)):
            self._set_running(True, "Writing…")

    def _set_running(self, running: bool, text: str = "") -> None:
        self.preview_button.setEnabled(not running)
        self.write_button.setEnabled(False)
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self.progress.setRange(0, 0)
        if text:
            self.summary.setText(text)

    def _on_progress(self, p: Progress) -> None:
        if not self.progress.isVisible() or p.phase not in ("plan", "tag"):
            return
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)

    def _on_finished(self, outcome: JobOutcome) -> None:
        if outcome.title not in ("Preview tags", "Write tags"):
            return
        self._set_running(False)
        self.last_outcome = outcome
        changes = getattr(outcome.payload, "changes", [])
        self.changes.set_changes(changes)
        text = outcome.summary[:1].upper() + outcome.summary[1:] + "."
        if outcome.cancelled:
            text += " Stopped before the end."
        if outcome.title == "Preview tags":
            would = sum(1 for c in changes if str(c.action) == "write")
            self.write_button.setEnabled(would > 0 and self.planned_request is not None)
            if would:
                text += " Nothing written yet."
        else:
            self.planned_request = None
            text += " Undo last write (Ctrl+Z) puts the old genres back."
            self.written.emit(outcome)
        self.summary.setText(text)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.summary.setText("Failed: " + message.strip().splitlines()[-1])

    def done(self, result: int) -> None:
        if self.runner.busy and self.runner.name in ("Preview tags", "Write tags"):
            self.runner.cancel()  # stop reading/writing; finished files stay recorded
        self._unfollow()
        super().done(result)
