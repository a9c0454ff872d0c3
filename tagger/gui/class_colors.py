"""The one place with hard-coded colours and class titles: the class colours of the strip chart
and legends, and how a class is named on screen.

Colours read on light and dark palettes alike (mid lightness, distinct hues, also for the
common red–green colour blindness): a steel blue for Metal, an orange for Hardcore, a neutral
grey for `other`, which the app calls "Neither".
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from tagger.library.genre_map import OTHER, class_title

__all__ = ["CLASS_COLORS", "class_color", "class_title"]

CLASS_COLORS = {"metal": QColor("#3f7fd4"), "hardcore": QColor("#e4692e"), OTHER: QColor("#8c8c8c")}
OTHER_COLORS = [QColor("#9a6fd0"), QColor("#3fa36b"), QColor("#c9a227")]


def class_color(name: str, position: int = 0) -> QColor:
    return QColor(CLASS_COLORS.get(name.casefold(), OTHER_COLORS[position % len(OTHER_COLORS)]))
