"""A strip chart of a track's window probabilities along its timeline.

One bar per window (60 for a classified track), placed at the window's time. Bars grow up from
the middle line for the first class (Metal) and down for the second (Hardcore), as far as the
window leans that way: a window at 50/50 has no bar, a sure one reaches the edge. Click a window
to play the track from there; hover for its time and probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from tagger.gui.class_colors import class_color
from tagger.library.queries import WindowRow


def _minutes(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def class_probability(probabilities: dict[str, float], name: str) -> float:
    key = name.casefold()
    return sum(p for c, p in probabilities.items() if c.casefold() == key)


class WindowStrip(QWidget):
    window_clicked = Signal(int)  # the window's index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.windows: list[WindowRow] = []
        self.classes: list[str] = ["metal", "hardcore"]
        self.duration = 0.0
        self.marked: int | None = None  # the most telling window, outlined
        self.playhead: float | None = None  # seconds, while a preview plays
        self.setMouseTracking(True)
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Window probabilities")

    def sizeHint(self) -> QSize:
        return QSize(420, 96)

    def set_windows(
        self,
        windows: Sequence[WindowRow],
        classes: Sequence[str],
        duration: float | None = None,
        marked: int | None = None,
    ) -> None:
        self.windows = list(windows)
        self.classes = list(classes)[:2] or ["metal", "hardcore"]
        ends = [w.end for w in self.windows]
        self.duration = max([duration or 0.0, *ends]) if ends or duration else 0.0
        self.marked = marked
        self.playhead = None
        self.update()

    def set_playhead(self, seconds: float | None) -> None:
        self.playhead = seconds
        self.update()

    # --- geometry -------------------------------------------------------------------------------

    def _plot(self) -> QRectF:
        return QRectF(self.rect()).adjusted(4, 4, -4, -16)

    def _x(self, seconds: float, plot: QRectF) -> float:
        if self.duration <= 0:
            return plot.left()
        return plot.left() + plot.width() * seconds / self.duration

    def _bar(self, i: int, plot: QRectF) -> tuple[float, float]:
        """Left x and width of window i's bar: its slot on the timeline, with a small gap."""
        w = self.windows[i]
        left, right = self._x(w.start, plot), self._x(w.end, plot)
        slot = plot.width() / max(len(self.windows), 1)
        width = max(2.0, min(right - left, slot) - 1.0)
        return left, width

    def window_at(self, x: float) -> int | None:
        plot = self._plot()
        best: int | None = None
        best_distance = float("inf")
        for i in range(len(self.windows)):
            left, width = self._bar(i, plot)
            distance = (
                0.0 if left <= x <= left + width else min(abs(x - left), abs(x - left - width))
            )
            if distance < best_distance:
                best, best_distance = i, distance
        slot = plot.width() / max(len(self.windows), 1)
        return best if best is not None and best_distance <= slot else None

    # --- painting -------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        plot = self._plot()
        painter.fillRect(plot, palette.color(QPalette.ColorRole.Base))
        mid = plot.center().y()
        text_pen = QPen(palette.color(QPalette.ColorRole.PlaceholderText))
        if not self.windows:
            painter.setPen(text_pen)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Not classified yet")
            return
        up, down = self.classes[0], self.classes[1] if len(self.classes) > 1 else ""
        up_color, down_color = class_color(up, 0), class_color(down, 1)
        half = plot.height() / 2
        for i, w in enumerate(self.windows):
            p_up = class_probability(w.probabilities, up)
            p_down = class_probability(w.probabilities, down)
            lean = p_up - p_down  # -1 … 1
            left, width = self._bar(i, plot)
            color = QColor(up_color if lean >= 0 else down_color)
            color.setAlphaF(0.45 + 0.55 * min(1.0, abs(lean)))
            height = max(1.0, abs(lean) * half)
            top = mid - height if lean >= 0 else mid
            painter.fillRect(QRectF(left, top, width, height), color)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(QPointF(plot.left(), mid), QPointF(plot.right(), mid))
        if self.marked is not None and 0 <= self.marked < len(self.windows):
            left, width = self._bar(self.marked, plot)
            pen = QPen(palette.color(QPalette.ColorRole.Text), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(QRectF(left - 1.5, plot.top() + 1, width + 3, plot.height() - 2))
        if self.playhead is not None:
            x = self._x(self.playhead, plot)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        # Legend and time axis under the plot.
        painter.setPen(text_pen)
        font = painter.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.85))
        painter.setFont(font)
        axis = QRectF(plot.left(), plot.bottom() + 1, plot.width(), 14)
        painter.drawText(axis, Qt.AlignmentFlag.AlignLeft, "0:00")
        painter.drawText(axis, Qt.AlignmentFlag.AlignRight, _minutes(self.duration))
        painter.setPen(QPen(up_color))
        painter.drawText(axis, Qt.AlignmentFlag.AlignHCenter, f"▲ {up.title()}   ")
        legend_down = axis.adjusted(axis.width() / 2 + 30, 0, 0, 0)
        painter.setPen(QPen(down_color))
        painter.drawText(legend_down, Qt.AlignmentFlag.AlignLeft, f"▼ {down.title()}")

    # --- interaction ----------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.window_at(event.position().x())
        if i is None:
            QToolTip.hideText()
            return
        w = self.windows[i]
        probs = ", ".join(f"{c.title()} {p:.0%}" for c, p in sorted(w.probabilities.items()))
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"Window {i + 1}: {_minutes(w.start)}–{_minutes(w.end)}\n{probs}\nClick to play",
            self,
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        i = self.window_at(event.position().x())
        if i is not None:
            self.window_clicked.emit(i)
