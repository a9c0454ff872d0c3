"""The central track list: a QAbstractTableModel over the database, one page at a time.

`rowCount` is one COUNT query per filter change or refresh. `data()` never queries per row: a
row's page (PAGE_SIZE rows, in the current sort and filter) is fetched once with `fetch_tracks`
and kept in a small LRU cache, so painting 100,000 rows costs one query per page scrolled into
view. Sorting and filtering re-query the database (ORDER BY / WHERE), never sort in Python.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from tagger.gui.class_colors import class_title
from tagger.library.queries import TrackFilter, TrackRow

PAGE_SIZE = 64
CACHED_PAGES = 100


def consecutive_runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, distinct positions as [start, stop) runs: 1 2 3 7 8 → (1, 4), (7, 9)."""
    runs: list[tuple[int, int]] = []
    for p in sorted(set(positions)):
        if runs and runs[-1][1] == p:
            runs[-1] = (runs[-1][0], p + 1)
        else:
            runs.append((p, p + 1))
    return runs


TRACK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TRACK_ROW_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


class TrackSource(Protocol):
    """What the model needs from the library (LibraryClient provides it)."""

    def count(self, f: TrackFilter) -> int: ...

    def fetch(
        self, f: TrackFilter, offset: int, limit: int, sort: str, descending: bool
    ) -> list[TrackRow]: ...


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None  # a queries.SORT_KEYS entry; None: not sortable


COLUMNS: tuple[Column, ...] = (
    Column("Title", "title"),
    Column("Artist", "artist"),
    Column("Album", "album"),
    Column("Year", "year"),
    Column("Genre tags", None),  # the genres in the file now
    Column("Prediction", "label"),
    Column("Confidence", "confidence"),
    Column("Decided by", None),
    Column("Status", "status"),
)
STATUS_TEXT = {
    "new": "Not classified",
    "changed": "Changed",
    "ok": "Classified",
    "missing": "Missing",
    "error": "Error",
    "out-of-scope": "Out of scope",
}


def display_title(row: TrackRow) -> str:
    return row.title or os.path.basename(row.path)


def tracks_count(n: int) -> str:
    """ "1 track", "12,345 tracks": a count as a list's title or tooltip says it."""
    return "1 track" if n == 1 else f"{n:,} tracks"


def display_path(path: str) -> str:
    """The path as the user knows it: "~/Music/…" for files under the home folder."""
    home = os.path.expanduser("~")
    if home not in ("", "~", os.sep) and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


def display_format(path: str, container: str | None) -> str:
    """The file's format as users name it. FFmpeg names some demuxers by every format they read
    ("mov,mp4,m4a,3gp,3g2,mj2"); the file's extension says which of them this one is."""
    names = (container or "").split(",")
    if len(names) < 2:
        return container or ""
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    return extension if extension in names else names[0]


def prediction_text(label: str | None, needs_review: bool) -> str:
    text = class_title(label)
    return f"{text} (review)" if needs_review else text


def decided_by_text(decided_by: str | None) -> str:
    return {"user": "You", "model": "Model"}.get(decided_by or "", "")


def confidence_text(row: TrackRow) -> str:
    """The model's confidence, shown only while its verdict stands: a user decision has none
    (the model's number would be its confidence in what may be the other class)."""
    if row.confidence is None or row.decided_by == "user":
        return ""
    return f"{row.confidence:.0%}"


def cell_text(row: TrackRow, column: int) -> str:
    match column:
        case 0:
            return display_title(row)
        case 1:
            return row.artist or ""
        case 2:
            return row.album or ""
        case 3:
            return "" if row.year is None else str(row.year)
        case 4:
            return "; ".join(row.genres)
        case 5:
            return prediction_text(row.label, row.needs_review)
        case 6:
            return confidence_text(row)
        case 7:
            return decided_by_text(row.decided_by)
        case 8:
            return STATUS_TEXT.get(row.status, row.status)
    return ""


class TrackTableModel(QAbstractTableModel):
    def __init__(self, source: TrackSource, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source
        self.filter = TrackFilter()
        self.sort_key = "artist"
        self.descending = False
        self._count = 0
        self._pages: OrderedDict[int, list[TrackRow]] = OrderedDict()
        self.page_fetches = 0  # queries made for pages, for tests and diagnostics
        self._count = self.source.count(self.filter)

    # --- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.error or display_path(row.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TRACK_ID_ROLE:
            return row.id
        if role == TRACK_ROW_ROLE:
            return row
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        self.set_sort(key or "path", order == Qt.SortOrder.DescendingOrder)

    # --- paging ---------------------------------------------------------------------------------

    def row_at(self, row: int) -> TrackRow | None:
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            page = self.source.fetch(
                self.filter, number * PAGE_SIZE, PAGE_SIZE, self.sort_key, self.descending
            )
            self.page_fetches += 1
            self._pages[number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def rows_at(self, positions: Iterable[int]) -> list[TrackRow]:
        """The rows at these positions, in order: a run of consecutive positions longer than a
        page is one query, not one per page (whose OFFSET grows with the page, so Ctrl+A on
        50,000 tracks took minutes page by page). Short runs use the page cache."""
        out: list[TrackRow] = []
        for start, stop in consecutive_runs(positions):
            if stop - start <= PAGE_SIZE:
                found = (self.row_at(r) for r in range(start, stop))
                out.extend(row for row in found if row is not None)
            else:
                out.extend(
                    self.source.fetch(
                        self.filter, start, stop - start, self.sort_key, self.descending
                    )
                )
                self.page_fetches += 1
        return out

    def track_id(self, row: int) -> int | None:
        found = self.row_at(row)
        return None if found is None else found.id

    # --- changing what is shown -----------------------------------------------------------------

    def set_filter(self, f: TrackFilter) -> None:
        self.beginResetModel()
        self.filter = f
        self._pages.clear()
        self._count = self.source.count(f)
        self.endResetModel()

    def set_sort(self, key: str, descending: bool) -> None:
        # A reset, not a layout change: another track sits at each row now, and the
        # selection must not silently move to it.
        self.beginResetModel()
        self.sort_key, self.descending = key, descending
        self._pages.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read after the database changed (a scan's results arrived), keeping the view's
        rows and scroll position: only the visible rows are fetched again, when painted."""
        self._pages.clear()
        new = self.source.count(self.filter)
        old = self._count
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._count = new
            self.endInsertRows()
        elif new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._count = new
            self.endRemoveRows()
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(new - 1, len(COLUMNS) - 1))
