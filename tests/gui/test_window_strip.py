"""The strip chart with any number of classes: one band per class, the voted one solid."""

from __future__ import annotations

from PySide6.QtGui import QColor

from tagger.gui.class_colors import class_color, class_title
from tagger.gui.window_strip import WindowStrip
from tagger.library.queries import WindowRow


def _pixel(strip: WindowStrip, x: int, y: int) -> QColor:
    return QColor(strip.grab().toImage().pixel(x, y))


def _near(a: QColor, b: QColor) -> bool:
    """Within the antialiasing of text drawn in `b`."""
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90


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


def test_every_legend_entry_is_written_out_on_one_line(qtbot) -> None:
    """ "■ Neither" once wrapped, its word pushed below its square and cut off by the widget's
    edge: each class's coloured pixels on the legend line must sit within one text line."""
    strip = WindowStrip()
    qtbot.addWidget(strip)
    strip.resize(280, 96)
    strip.set_windows(
        [WindowRow(0.0, 3.0, {"metal": 0.5, "hardcore": 0.3, "other": 0.2})],
        ["metal", "hardcore", "other"],
        240.0,
    )
    image = strip.grab().toImage()
    legend_top = int(strip._plot().bottom()) + 2
    for cls in ("metal", "hardcore", "other"):
        want = class_color(cls)
        points = [
            (x, y)
            for x in range(40, image.width() - 40)  # between the times, drawn in grey too
            for y in range(legend_top, image.height())
            if _near(QColor(image.pixel(x, y)), want)
        ]
        # The square is the entry's leftmost mark; its word must follow it on the same rows.
        left = min(x for x, _ in points)
        square_rows = [y for x, y in points if x == left]
        on_line = {x for x, y in points if min(square_rows) <= y <= max(square_rows)}
        square = {x for x, y in points if x <= left + (max(square_rows) - min(square_rows))}
        assert len(on_line - square) >= 3 * len(class_title(cls)), (
            f"{class_title(cls)}'s word is not beside its square"
        )
