"""The strip chart with any number of classes: one band per class, the voted one solid."""

from __future__ import annotations

from PySide6.QtGui import QColor

from tagger.gui.class_colors import class_color, class_title
from tagger.gui.window_strip import WindowStrip
from tagger.library.queries import WindowRow


def _pixel(strip: WindowStrip, x: int, y: int) -> QColor:
    return QColor(strip.grab().toImage().pixel(x, y))


def test_three_classes_stack_and_the_voted_band_is_solid(qtbot) -> None:
    strip = WindowStrip()
    qtbot.addWidget(strip)
    strip.resize(200, 100)
    windows = [
        WindowRow(0.0, 3.0, {"hardcore": 0.05, "metal": 0.05, "other": 0.9}),
        WindowRow(3.0, 6.0, {"hardcore": 0.9, "metal": 0.05, "other": 0.05}),
    ]
    strip.set_windows(windows, ["hardcore", "metal", "other"], duration=6.0)
    plot = strip._plot()
    y = int(plot.top() + plot.height() * 0.6)  # inside the 'other' band of window 1
    first = _pixel(strip, int(plot.left() + plot.width() * 0.25), y)
    assert first.name() == class_color("other").name()  # solid: the window votes Neither
    y_top = int(plot.top() + plot.height() * 0.3)  # inside window 2's hardcore band
    second = _pixel(strip, int(plot.left() + plot.width() * 0.75), y_top)
    assert second.name() == class_color("hardcore").name()
    assert class_title("other") == "Neither" and class_title("metal") == "Metal"


def test_two_classes_still_draw_top_and_bottom(qtbot) -> None:
    strip = WindowStrip()
    qtbot.addWidget(strip)
    strip.resize(200, 100)
    strip.set_windows(
        [WindowRow(0.0, 3.0, {"metal": 0.8, "hardcore": 0.2})], ["metal", "hardcore"], 3.0
    )
    plot = strip._plot()
    top = _pixel(strip, int(plot.center().x()), int(plot.top() + plot.height() * 0.4))
    assert top.name() == class_color("metal").name()
