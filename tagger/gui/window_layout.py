"""Keeping the main window's size, splitter and columns between runs, in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

DEFAULT_SIZE = (1280, 800)
# v2: the free-text columns stretch; a layout saved before would bring back fixed widths.
COLUMNS_KEY = "window/columns-v2"


def restore_layout(
    q: QSettings, window: QMainWindow, splitter: QSplitter, columns: QHeaderView
) -> None:
    geometry = q.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(*DEFAULT_SIZE)
    state = q.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    sizes = q.value("window/splitter")
    if isinstance(sizes, QByteArray):
        splitter.restoreState(sizes)
    header = q.value(COLUMNS_KEY)
    if isinstance(header, QByteArray):
        columns.restoreState(header)


def save_layout(
    q: QSettings, window: QMainWindow, splitter: QSplitter, columns: QHeaderView
) -> None:
    q.setValue("window/geometry", window.saveGeometry())
    q.setValue("window/state", window.saveState())
    q.setValue("window/splitter", splitter.saveState())
    q.setValue(COLUMNS_KEY, columns.saveState())
    q.sync()
