"""The review queue: tracks the model is unsure about, most uncertain first, decided by ear.

Keys (active while the view has focus): the first letter of a class decides it (M = Metal,
H = Hardcore), S skips, Space plays/stops a 10 s preview of the most telling window, Up/Down
move. A decision is stored at once (its own transaction) and the view moves to the next
undecided track. The queue is a snapshot taken when the view opens, so decided tracks stay in
the list, marked, and the counter reads "12 of 40 decided".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.details_pane import DetailsPane
from tagger.gui.playback import PreviewPlayer
from tagger.gui.track_table_model import display_title
from tagger.library.queries import TrackRow
from tagger.service.library_client import LibraryClient

SKIPPED = ""


class ReviewQueueModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TrackRow] = []
        self.decisions: dict[int, str] = {}  # track id → class, or SKIPPED

    def set_rows(self, rows: Sequence[TrackRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.decisions = {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        decision = self.decisions.get(row.id)
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "   "
            if decision == SKIPPED:
                mark = "–  "
            elif decision:
                mark = f"✓ {decision.title()} · "
            guess = f"{(row.predicted_label or '?').title()} {row.confidence or 0:.0%}"
            artist = f" — {row.artist}" if row.artist else ""
            return f"{mark}{display_title(row)}{artist}   [{guess}]"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.path
        return None

    def set_decision(self, row: int, decision: str) -> None:
        self.decisions[self.rows[row].id] = decision
        index = self.index(row)
        self.dataChanged.emit(index, index)

    @property
    def decided(self) -> int:
        return sum(1 for d in self.decisions.values() if d != SKIPPED)

    @property
    def skipped(self) -> int:
        return sum(1 for d in self.decisions.values() if d == SKIPPED)

    def next_open(self, after: int) -> int | None:
        """The next undecided, unskipped row after `after`, wrapping; None when all are done."""
        n = len(self.rows)
        for step in range(1, n + 1):
            i = (after + step) % n
            if self.rows[i].id not in self.decisions:
                return i
        return None


class ReviewView(QWidget):
    decided = Signal(int, str)  # track id, class: the window refreshes lists and counts
    back_requested = Signal()

    def __init__(
        self, client: LibraryClient, player: PreviewPlayer, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.player = player
        self.queue = ReviewQueueModel(self)

        self.counter = QLabel()
        font = self.counter.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.counter.setFont(font)
        keys = " · ".join(f"{c[0].upper()} = {c.title()}" for c in client.classes)
        self.hint = QLabel(f"{keys} · S = skip · Space = play/stop preview · ↑ ↓ = move")
        self.hint.setWordWrap(True)
        back = QPushButton("Back to library")
        back.clicked.connect(self.back_requested)
        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addSpacing(16)
        top.addWidget(self.hint, 1)
        top.addWidget(back)

        self.list = QListView()
        self.list.setModel(self.queue)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Review queue")
        self.list.selectionModel().currentRowChanged.connect(self._on_current)
        self.details = DetailsPane(player, client.classes, cover_loader=client.cover)
        self.details.decide_requested.connect(lambda _tid, label: self.decide(label))
        self.details.clear_requested.connect(self._clear)
        self.empty = QLabel("Nothing to review: the model is sure about every classified track.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.details)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        self.split = split

        buttons = QHBoxLayout()
        self.actions_by_name: dict[str, QAction] = {}
        for c in client.classes:
            self._action(
                c,
                f"{c.title()} ({c[0].upper()})",
                c[0].upper(),
                lambda _checked=False, c=c: self.decide(c),
            )
        self._action("skip", "Skip (S)", "S", self.skip)
        self._action("play", "Play/stop (Space)", "Space", self.details.toggle_preview)
        self._action("previous", "Previous (↑)", "Up", lambda: self.move(-1))
        self._action("next", "Next (↓)", "Down", lambda: self.move(1))
        for name in [*client.classes, "skip", "play"]:
            button = QToolButton()
            button.setDefaultAction(self.actions_by_name[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addWidget(self.empty, 1)
        self.empty.hide()

    def _action(self, name: str, text: str, key: str, slot: Any) -> None:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_name[name] = action

    # --- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Take a fresh snapshot of the queue, most uncertain first."""
        self.player.stop()
        self.queue.set_rows(self.client.review_queue())
        has = bool(self.queue.rows)
        self.split.setVisible(has)
        self.empty.setVisible(not has)
        for action in self.actions_by_name.values():
            action.setEnabled(has)
        if has:
            self.select(0)
        else:
            self.details.show_detail(None)
        self._update_counter()
        self.list.setFocus()

    def _update_counter(self) -> None:
        total = len(self.queue.rows)
        text = f"{self.queue.decided} of {total} decided"
        if self.queue.skipped:
            text += f", {self.queue.skipped} skipped"
        self.counter.setText(text)

    # --- moving ---------------------------------------------------------------------------------

    @property
    def current_row(self) -> int:
        return self.list.currentIndex().row()

    def select(self, row: int) -> None:
        if 0 <= row < len(self.queue.rows):
            index = self.queue.index(row)
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.list.scrollTo(index)

    def move(self, step: int) -> None:
        self.select(max(0, min(len(self.queue.rows) - 1, self.current_row + step)))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.player.stop()
        if not current.isValid():
            self.details.show_detail(None)
            return
        self.details.show_detail(self.client.detail(self.queue.rows[current.row()].id))

    def _advance(self) -> None:
        following = self.queue.next_open(self.current_row)
        if following is not None:
            self.select(following)
        self._update_counter()

    # --- deciding -------------------------------------------------------------------------------

    def decide(self, label: str) -> None:
        row = self.current_row
        if not 0 <= row < len(self.queue.rows):
            return
        track_id = self.queue.rows[row].id
        self.client.decide([track_id], label)
        self.queue.set_decision(row, label)
        self.decided.emit(track_id, label)
        self._advance()

    def skip(self) -> None:
        row = self.current_row
        if 0 <= row < len(self.queue.rows):
            self.queue.set_decision(row, SKIPPED)
            self._advance()

    def _clear(self, track_id: int) -> None:
        self.client.clear_decision([track_id])
        row = self.current_row
        if 0 <= row < len(self.queue.rows) and self.queue.rows[row].id == track_id:
            self.queue.decisions.pop(track_id, None)
            self.queue.dataChanged.emit(self.queue.index(row), self.queue.index(row))
            self.details.show_detail(self.client.detail(track_id))
        self.decided.emit(track_id, "")
        self._update_counter()
