"""A strip chart of a track's window probabilities along its timeline.

One column per window (60 for a classified track), placed at the window's time. Each column is
split into one band per class, in the model's class order from the top, each as tall as the
class's probability: with two classes the boundary traces the probability along the song, with
the 50 % line dashed; with more (say Metal, Hardcore and Neither) the bands stack. The class the
window votes for is drawn solid, the others pale. Click a window to play the track from there;
hover for its time and probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from tagger.audio.segments import WINDOW_SECONDS
from tagger.gui.class_colors import class_color, class_title
from tagger.library.queries import WindowRow


def _minutes(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def strip_caption(windows: Sequence[WindowRow]) -> str:
    """What one bar of the strip stands for, as the segment plan cut this track.

    A track of 60 × 3 s or more gives 3 s windows spread over it; a shorter one gives 60 parts
    shorter than a window (each padded to 3 s), or, for a model that overlaps short tracks, 60
    full windows that overlap; one under 3 s gives a single window."""
    n = len(windows)
    if n == 0:
        return ""
    if n == 1:
        return f"One bar: the whole track (shorter than {WINDOW_SECONDS:g} s). Click it to hear it."
    longest = max(w.end - w.start for w in windows)
    overlapping = any(b.start < a.end - 0.05 for a, b in zip(windows, windows[1:], strict=False))
    if overlapping:
        what = f"Each bar is one {WINDOW_SECONDS:g} s window; they overlap, spread over the track."
    elif longest >= WINDOW_SECONDS - 0.05:
        what = f"Each bar is one {WINDOW_SECONDS:g} s window, one from each 1/{n} of the track."
    else:
        what = f"Each bar is 1/{n} of the track ({longest:.1f} s)."
    return f"{what} Click one to hear it."


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
        self.classes = list(classes) or ["metal", "hardcore"]
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
        return QRectF(self.rect()).adjusted(4, 4, -4, -(self.fontMetrics().height() + 2))

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
        colors = [class_color(c, i) for i, c in enumerate(self.classes)]
        for i, w in enumerate(self.windows):
            probs = [class_probability(w.probabilities, c) for c in self.classes]
            total = sum(probs)
            shares = [p / total for p in probs] if total > 0 else [1 / len(probs)] * len(probs)
            vote = max(range(len(shares)), key=shares.__getitem__)
            left, width = self._bar(i, plot)
            top = plot.top()
            for k, share in enumerate(shares):
                color = QColor(colors[k])
                if k != vote:
                    color.setAlphaF(0.3)
                height = plot.height() * share
                painter.fillRect(QRectF(left, top, width, height), color)
                top += height
        if len(self.classes) == 2:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine))
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
        axis = QRectF(plot.left(), plot.bottom() + 1, plot.width(), self.fontMetrics().height())
        painter.drawText(axis, Qt.AlignmentFlag.AlignLeft, "0:00")
        painter.drawText(axis, Qt.AlignmentFlag.AlignRight, _minutes(self.duration))
        # One legend entry per class, top band first, centred between the two times.
        entries = [f"■ {class_title(c)}" for c in self.classes]
        if len(entries) == 2:
            entries = [f"{entries[0]} (top)", f"{entries[1]} (bottom)"]
        metrics = painter.fontMetrics()
        gap = 12
        widths = [metrics.horizontalAdvance(e) for e in entries]
        x = axis.center().x() - (sum(widths) + gap * (len(entries) - 1)) / 2
        # One line each, never wrapped: the "■" may come from a fallback font whose advance the
        # metrics underestimate, and a wrapped entry falls below the widget ("Neither" did).
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextSingleLine
        for entry, width, color in zip(entries, widths, colors, strict=True):
            painter.setPen(QPen(color))
            painter.drawText(QRectF(x, axis.top(), width + gap, axis.height()), flags, entry)
            x += width + gap

    # --- interaction ----------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.window_at(event.position().x())
        if i is None:
            QToolTip.hideText()
            return
        w = self.windows[i]
        probs = ", ".join(
            f"{class_title(c)} {class_probability(w.probabilities, c):.0%}" for c in self.classes
        )
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
