"""The table view over the track list: whole rows, fixed row height, sensible column widths."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

# In pixels, in the order of track_table_model.COLUMNS.
COLUMN_WIDTHS = (170, 120, 110, 48, 100, 112, 78, 72, 84)


def track_table_view(model: QAbstractItemModel) -> QTableView:
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
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(COLUMN_WIDTHS):
        header.resizeSection(column, width)
    table.setAccessibleName("Tracks")
    return table
