"""The smart lists (All, Metal, Hardcore, Needs review, ...) with live counts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from tagger.gui.track_table_model import tracks_count
from tagger.library.queries import ListCount, SmartList, TrackFilter

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def _key(smart: SmartList, label: str | None) -> str:
    return f"{smart.value}:{(label or '').casefold()}"


class SmartListSidebar(QTreeWidget):
    list_chosen = Signal(object)  # TrackFilter (without search)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAccessibleName("Smart lists")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._filters: dict[str, TrackFilter] = {}
        self.currentItemChanged.connect(self._on_current)

    def set_counts(self, counts: Sequence[ListCount]) -> None:
        """Create the items on first call, then only update the numbers (keeps the selection)."""
        for c in counts:
            key = _key(c.key, c.label)
            item = self._items.get(key)
            if item is None:
                item = QTreeWidgetItem([c.title, ""])
                item.setData(0, KEY_ROLE, key)
                item.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                self._items[key] = item
                self._filters[key] = TrackFilter(c.key, c.label)
                self.addTopLevelItem(item)
            item.setText(1, f"{c.count:,}")
            item.setToolTip(0, f"{c.title}: {tracks_count(c.count)}")
        self._fit_width()
        if self.currentItem() is None and self.topLevelItemCount():
            self.setCurrentItem(self.topLevelItem(0))

    def _fit_width(self) -> None:
        """At least wide enough for every list's whole title beside its count: a title cut
        to "Disagrees with its …" hides what the list is."""
        fm = self.fontMetrics()
        items = list(self._items.values())
        if not items:
            return
        title = max(fm.horizontalAdvance(i.text(0)) for i in items)
        count = max(fm.horizontalAdvance(i.text(1)) for i in items)
        scrollbar = self.verticalScrollBar().sizeHint().width()
        margins = 4 * fm.averageCharWidth() + 2 * self.frameWidth()  # cell padding, both cells
        self.setMinimumWidth(max(self.minimumWidth(), title + count + scrollbar + margins))

    def count_of(self, smart: SmartList, label: str | None = None) -> int:
        item = self._items.get(_key(smart, label))
        return int(item.text(1).replace(",", "")) if item and item.text(1) else 0

    def select(self, smart: SmartList, label: str | None = None) -> None:
        item = self._items.get(_key(smart, label))
        if item is not None:
            self.setCurrentItem(item)

    def current_filter(self) -> TrackFilter:
        item = self.currentItem()
        if item is None:
            return TrackFilter()
        return self._filters[item.data(0, KEY_ROLE)]

    def _on_current(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.list_chosen.emit(self._filters[current.data(0, KEY_ROLE)])
