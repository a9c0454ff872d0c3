"""The table view over the track list: whole rows, fixed row height, columns that fit the window.

The short columns (year, prediction, confidence, who decided, status) are as wide as their
longest possible text in the current font; the free-text columns (title, artist, album, genres)
share what is left, so the table fits the window without a horizontal scrollbar at 1280×800.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from tagger.gui.track_table_model import COLUMNS, STATUS_TEXT, decided_by_text, prediction_text

SHARED_COLUMNS = frozenset({0, 1, 2, 4})  # title, artist, album, genre tags
# Cell margins, and room for the sort arrow in the header of a sortable column.
CELL_PADDING = 14
SORT_ARROW = 16


def widest_texts(classes: Sequence[str]) -> dict[int, list[str]]:
    """For each fixed-width column, the texts it can hold (its header included)."""
    return {
        3: ["2024"],
        5: [prediction_text(c, needs_review=True) for c in classes],
        6: ["100%"],
        7: [decided_by_text("user"), decided_by_text("model")],
        8: list(STATUS_TEXT.values()),
    }


def fixed_width(metrics: QFontMetrics, texts: Sequence[str], padding: int = CELL_PADDING) -> int:
    return max(metrics.horizontalAdvance(t) for t in texts) + padding


def track_table_view(model: QAbstractItemModel, classes: Sequence[str]) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    # One text line plus padding: a fixed height lets Qt skip measuring every row.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    cell_metrics = table.fontMetrics()
    header_metrics = header.fontMetrics()
    for column, texts in widest_texts(classes).items():
        title = COLUMNS[column].title
        arrow = SORT_ARROW if COLUMNS[column].sort_key else 0
        width = max(
            fixed_width(cell_metrics, texts),
            fixed_width(header_metrics, [title], CELL_PADDING + arrow),
        )
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    for column in SHARED_COLUMNS:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    table.setAccessibleName("Tracks")
    return table
