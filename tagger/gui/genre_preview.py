"""The library's genres beside the genre map being edited: what each maps to under the rules as
they are typed, before they are saved.

`tagger genres` answers this on the command line; here the user sees it while writing a rule.
The genres are read once, off the GUI thread (about a second at 100,000 tracks, BENCHMARKS.md);
mapping them again after an edit is the map's word rules over the distinct genres only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.background_read import BackgroundRead
from tagger.library.genre_labels import GenreCount
from tagger.library.genre_map import GenreMap, GenreMapError

EDIT_DELAY_MS = 300  # map again once typing pauses
NO_RULE = "— (no rule: out of scope)"


def target_text(target: str | None) -> str:
    return NO_RULE if target is None else target


def genre_tooltip(row: GenreCount) -> str:
    """Whose genre it is, where that is not simply the user's."""
    notes = []
    if row.written:
        notes.append(
            f"on {row.written} of its {row.tracks} tracks this program wrote it: "
            "not a label to train on"
        )
    if row.replaced:
        notes.append(
            f"on {row.replaced} of its tracks a tag write replaced it; it still counts as theirs"
        )
    return "\n".join(notes)


class GenrePreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[GenreCount] | None = None  # None until read
        self.genre_map: GenreMap | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Tracks", "Genre in your files", "Maps to"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setMinimumWidth(380)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._read: BackgroundRead[list[GenreCount]] = BackgroundRead(
            self, self._genres_read, self._read_failed, "tagger-genres"
        )
        self._pending_text: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EDIT_DELAY_MS)
        self._timer.timeout.connect(self._apply_pending)

    def load(self, read: Callable[[], Sequence[GenreCount]]) -> None:
        """Read the library's genres off the GUI thread; the table fills when they arrive."""
        self.status.setText("Reading the genres in your library…")
        self._read.start(lambda: list(read()))

    def _read_failed(self, error: Exception) -> None:
        self.status.setText(f"The library's genres could not be read: {error}")

    def _genres_read(self, rows: list[GenreCount]) -> None:
        self.rows = rows
        self._fill()

    def map_text_changed(self, text: str) -> None:
        """The rules as typed; mapped again once typing pauses."""
        self._pending_text = text
        self._timer.start()

    def show_map(self, text: str) -> None:
        try:
            self.genre_map = GenreMap.from_text(text)
        except GenreMapError as exc:
            self.genre_map = None
            self.status.setText(f"The rules have a problem, so nothing is mapped: {exc}")
        self._fill()

    def _apply_pending(self) -> None:
        if self._pending_text is not None:
            self.show_map(self._pending_text)

    def _fill(self) -> None:
        if self.rows is None:
            return
        self.table.setRowCount(len(self.rows))
        rules = self.genre_map
        for i, row in enumerate(self.rows):
            target = "?" if rules is None else target_text(rules.target(row.genre))
            tip = genre_tooltip(row)
            for col, text in enumerate((str(row.tracks), row.genre, target)):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(i, col, item)
        if self.genre_map is None:
            return
        if not self.rows:
            self.status.setText("No genre tags in your library yet.")
            return
        unmapped = sum(r.tracks for r in self.rows if self.genre_map.target(r.genre) is None)
        self.status.setText(
            f"{len(self.rows):,} genres in your library, as the rules above map them"
            + (f"; on {unmapped:,} tracks a genre matches no rule" if unmapped else "")
            + ". Saved with OK."
        )
