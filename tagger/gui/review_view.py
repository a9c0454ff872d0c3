"""The review queue: tracks the model is unsure about, most uncertain first, decided by ear.

Keys (active while the view has focus): the first letter of a class decides it (M = Metal,
H = Hardcore), S skips, Space plays/stops a 10 s preview of the most telling window, Up/Down
move. A decision is stored at once (its own transaction) and the view moves to the next
undecided track. The queue is a snapshot taken when the view opens, so decided tracks stay in
the list, marked, and the counter reads "12 of 40 decided". Tracks that come to need review
while it is open (a scan or classification running) are added at its end (`take_new`).
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
from PySide6.QtGui import QAction, QKeySequence, QShortcut
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

from tagger.gui.class_colors import class_title
from tagger.gui.details_pane import DetailsPane
from tagger.gui.playback import PreviewPlayer
from tagger.gui.track_table_model import display_path, display_title
from tagger.library.queries import ListCount, SmartList, TrackRow
from tagger.service.library_client import LibraryClient

SKIPPED = ""


def nothing_to_review(counts: Sequence[ListCount]) -> str:
    """What an empty queue means, from the sidebar's counts: no tracks, none classified, or
    the model is sure about all of them."""
    by_key = {c.key: c.count for c in counts if c.key != SmartList.LABEL}
    if not by_key.get(SmartList.ALL):
        return "Nothing to review: the library is empty. Add a folder of music to scan."
    if not any(c.count for c in counts if c.key == SmartList.LABEL):
        return (
            "Nothing classified yet — a scan (F5) classifies the library. Tracks the model "
            "is unsure about will wait here for your decision."
        )
    return "Nothing to review: the model is sure about every classified track."


def short_reason(reason: str) -> str:
    """A review reason as the queue's line shows it: "against its album", "low confidence"
    (the details pane and the tooltip give it whole)."""
    return reason.split(":", 1)[0]


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

    def append_rows(self, rows: Sequence[TrackRow]) -> None:
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

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
                mark = f"✓ {class_title(decision)} · "
            guess = f"{class_title(row.predicted_label) or '?'} {row.confidence or 0:.0%}"
            artist = f" — {row.artist}" if row.artist else ""
            why = " · ".join(short_reason(r) for r in row.review_reasons)
            return f"{mark}{display_title(row)}{artist}   [{guess}]" + (f"  {why}" if why else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([display_path(row.path), *row.review_reasons])
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
    message = Signal(str)  # feedback for the status bar

    def __init__(
        self, client: LibraryClient, player: PreviewPlayer, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.player = player
        self.queue = ReviewQueueModel(self)
        self.seen_prediction = 0  # the newest prediction when the snapshot was taken

        self.counter = QLabel()
        font = self.counter.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.counter.setFont(font)
        keys = " · ".join(f"{class_title(c)[0]} = {class_title(c)}" for c in client.classes)
        self.hint = QLabel(f"{keys} · S = skip · Space = play/stop preview · ↑ ↓ = move")
        self.hint.setWordWrap(True)
        back = QPushButton("Back to library")
        back.clicked.connect(self.back_requested)
        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addSpacing(16)
        top.addWidget(self.hint, 1)
        top.addWidget(back, 0, Qt.AlignmentFlag.AlignRight)  # stays a button when alone

        self.list = QListView()
        self.list.setModel(self.queue)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Review queue")
        self.list.selectionModel().currentRowChanged.connect(self._on_current)
        # One set of decision buttons: the row above, with its keys; the pane only shows.
        self.details = DetailsPane(
            player, client.classes, cover_loader=client.cover, show_actions=False
        )
        self.empty = QLabel()
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
                f"{class_title(c)} ({class_title(c)[0]})",
                class_title(c)[0],
                lambda _checked=False, c=c: self.decide(c),
            )
        self._action("skip", "Skip (S)", "S", self.skip)
        self._action("clear", "Clear decision", "Backspace", self.clear_current)
        # Space has its own shortcut so that, without audio, it can say why nothing plays.
        self._action("play", "Play/stop (Space)", "", self.details.toggle_preview)
        self.space = QShortcut(QKeySequence("Space"), self)
        self.space.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.space.activated.connect(self._space_pressed)
        self._action("previous", "Previous (↑)", "Up", lambda: self.move(-1))
        self._action("next", "Next (↓)", "Down", lambda: self.move(1))
        self.actions_by_name["clear"].setToolTip("Withdraw your decision on this track (Backspace)")
        self.actions_by_name["play"].setToolTip(
            "Play 10 s of the most telling window" if player.available else player.reason
        )
        self.queue_controls: list[QWidget] = [self.counter, self.hint]  # hidden when empty
        for name in [*client.classes, "skip", "play", "clear"]:
            button = QToolButton()
            self.queue_controls.append(button)
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
        self.seen_prediction = self.client.latest_prediction_id()  # before: none is missed
        self.queue.set_rows(self.client.review_queue())
        has = bool(self.queue.rows)
        self.split.setVisible(has)
        self.empty.setVisible(not has)
        for widget in self.queue_controls:  # no "0 of 0 decided" above greyed-out buttons
            widget.setVisible(has)
        if not has:
            self.empty.setText(nothing_to_review(self.client.list_counts()))
        for action in self.actions_by_name.values():
            action.setEnabled(has)
        self.actions_by_name["play"].setEnabled(has and self.player.available)
        if has:
            self.select(0)
        else:
            self.details.show_detail(None)
        self._update_counter()
        self.list.setFocus()

    def take_new(self, counts: Sequence[ListCount]) -> None:
        """Add the tracks that came to need review since the snapshot (their prediction is
        newer) at the end of the queue, keeping the decisions made and the track shown. Asks
        only for the new predictions: at 10,000 tracks the whole queue costs a refresh ~240 ms
        more, these a few (BENCHMARKS.md, "The review queue grows while it is open"). An empty
        queue is taken afresh, as opening it would, once something new was classified; until
        then only its text follows `counts` (the window's refresh has just read them)."""
        latest = self.client.latest_prediction_id()
        if latest == self.seen_prediction:
            if not self.queue.rows:
                self.empty.setText(nothing_to_review(counts))
            return
        if not self.queue.rows:
            self.reload()
            return
        known = {r.id for r in self.queue.rows}
        new = self.client.review_queue(after_prediction=self.seen_prediction)
        self.seen_prediction = latest
        # A track already listed and classified again keeps its place (and its line).
        self.queue.append_rows([r for r in new if r.id not in known])
        self._update_counter()

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
        self._show(self.queue.rows[current.row()].id)

    def _show(self, track_id: int) -> None:
        detail = self.client.detail(track_id)
        self.details.show_detail(detail)
        user_decided = detail is not None and detail.row.decided_by == "user"
        self.actions_by_name["clear"].setEnabled(user_decided)

    def _space_pressed(self) -> None:
        play = self.actions_by_name["play"]
        if play.isEnabled():
            play.trigger()
        elif self.queue.rows:
            self.message.emit(f"Nothing plays: {self.player.reason}")

    def _advance(self) -> None:
        following = self.queue.next_open(self.current_row)
        if following is not None:
            self.select(following)
        else:  # all done: the current track stays, now decided
            self._show(self.queue.rows[self.current_row].id)
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

    def clear_current(self) -> None:
        """Withdraw the decision on the current track; it counts as undecided again."""
        row = self.current_row
        if not 0 <= row < len(self.queue.rows):
            return
        track_id = self.queue.rows[row].id
        self.client.clear_decision([track_id])
        self.queue.decisions.pop(track_id, None)
        self.queue.dataChanged.emit(self.queue.index(row), self.queue.index(row))
        self._show(track_id)
        self.decided.emit(track_id, "")
        self._update_counter()
