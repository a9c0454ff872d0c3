"""The one place with hard-coded colours: the class colours of the strip chart and legends.

Chosen to read on light and dark palettes alike (mid lightness, distinct hues, also for the
common red–green colour blindness): a steel blue for Metal, an orange for Hardcore.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

CLASS_COLORS = {"metal": QColor("#3f7fd4"), "hardcore": QColor("#e4692e")}
OTHER_COLORS = [QColor("#9a6fd0"), QColor("#3fa36b"), QColor("#c9a227")]


def class_color(name: str, position: int = 0) -> QColor:
    return QColor(CLASS_COLORS.get(name.casefold(), OTHER_COLORS[position % len(OTHER_COLORS)]))
