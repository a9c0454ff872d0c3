"""The selected track: metadata, current genres, the verdict, and its window strip chart.

The pane only shows a `TrackDetail` it is given and asks for things through signals (decide,
clear the decision); the window fetches details and stores decisions. Clicking a window of the
strip plays the track from there; "Preview" plays the most telling window (telling_window.py).
Cover art is not shown: no library service returns a track's picture yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.class_colors import class_title
from tagger.gui.playback import PreviewPlayer
from tagger.gui.telling_window import most_telling_window
from tagger.gui.track_table_model import (
    STATUS_TEXT,
    display_format,
    display_path,
    display_title,
)
from tagger.gui.window_strip import WindowStrip, strip_caption
from tagger.library.queries import TrackDetail, TrackRow

COVER_SIZE = 160  # logical pixels
NOT_CLASSIFIED = {
    "error": "Not classified: the file cannot be read",
    "missing": "Not classified: the file is missing",
}
# A decision is about the music: only files that can be heard get the decision buttons.
UNDECIDABLE = frozenset(NOT_CLASSIFIED)


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def verdict_text(row: TrackRow) -> str:
    """The model's prediction, or why there is none."""
    if row.predicted_label:
        text = f"{class_title(row.predicted_label)}, {row.confidence or 0:.0%} confident"
        if row.disagreement:
            text += f"; {row.disagreement:.0%} of windows disagree"
        if row.needs_review:
            text += " — needs review"
        return text
    if row.status == "out-of-scope":
        quoted = ", ".join(f"'{g}'" for g in row.genres)
        if len(row.genres) == 1:
            return f"Not classified: genre {quoted} is outside the scope"
        return f"Not classified: genres {quoted} are outside the scope"
    return NOT_CLASSIFIED.get(row.status, "Not classified yet")


def tags_text(tag_class: str | None, row: TrackRow, replaced: Sequence[str] = ()) -> str:
    """What the track's own genre tags say, and whether the model agrees ("" when nothing);
    where a tag write replaced them, which genres they were."""
    if tag_class is None:
        return ""
    text = class_title(tag_class)
    if replaced:
        text += f" (your {'; '.join(replaced)}, which a tag write replaced)"
    if row.tag_doubt is not None:  # library/tag_doubts.py
        return (
            f"{text} — but the last training learnt this only by rote, against how the track "
            "sounds to it: the tag may be wrong. Listen, then decide."
        )
    if row.predicted_label is None:
        return text
    if row.predicted_label.casefold() == tag_class.casefold():
        # the review rule leaves such a track out, however unsure the model is (review.py)
        return f"{text} — the model agrees, so it needs no review"
    return f"{text} — the model says otherwise"


def decided_text(row: TrackRow) -> str:
    if row.decided_by == "user":
        return f"{class_title(row.label)} — your decision"
    return "The model" if row.decided_by == "model" else "Nobody yet"


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DetailsPane(QWidget):
    decide_requested = Signal(int, str)  # track id, class
    clear_requested = Signal(int)  # track id

    def __init__(
        self,
        player: PreviewPlayer,
        classes: Sequence[str],
        parent: QWidget | None = None,
        cover_loader: Callable[[str], bytes | None] | None = None,
        *,
        show_actions: bool = True,
    ) -> None:
        """`show_actions=False`: no preview or decision buttons (the review view has its own)."""
        super().__init__(parent)
        self.show_actions = show_actions
        self.player = player
        self.cover_loader = cover_loader
        self.cover = QLabel()
        self.cover.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.classes = list(classes)
        self.detail: TrackDetail | None = None
        self.telling: int | None = None

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.path = QLabel()
        self.path.setWordWrap(True)
        self.path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        small = self.path.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.path.setFont(small)

        self.genres = _value_label()
        self.tags_say = _value_label()
        self.prediction = _value_label()
        self.review_reasons = _value_label()
        self.decided_by = _value_label()
        self.status = _value_label()
        self.error = _value_label()
        self.audio = _value_label()
        self.model = _value_label()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Current genres:", self.genres)
        form.addRow("Its tags say:", self.tags_say)
        form.addRow("Prediction:", self.prediction)
        form.addRow("In review:", self.review_reasons)
        form.addRow("Decided by:", self.decided_by)
        form.addRow("Status:", self.status)
        form.addRow("Problem:", self.error)
        form.addRow("Audio:", self.audio)
        form.addRow("Model:", self.model)
        self._form = form
        self._values = [self.genres, self.tags_say, self.prediction, self.review_reasons]
        self._values += [self.decided_by]
        self._values += [self.status]
        self._values += [self.error, self.audio, self.model]

        self.strip = WindowStrip()
        self.strip.window_clicked.connect(self.play_window)
        self.strip_caption = QLabel()
        self.strip_caption.setWordWrap(True)
        self.strip_caption.setFont(small)

        self.preview_button = QPushButton("▶ Preview")
        self.preview_button.setToolTip("Play 10 s of the most telling window")
        self.preview_button.clicked.connect(self.toggle_preview)
        self.decide_buttons: dict[str, QPushButton] = {}
        decide_row = QHBoxLayout()
        for name in self.classes:
            button = QPushButton(f"It's {class_title(name)}")
            button.setToolTip(f"Record your decision: this track is {class_title(name)}")
            button.clicked.connect(lambda _=False, n=name: self._decide(n))
            self.decide_buttons[name] = button
            decide_row.addWidget(button)
        self.clear_button = QPushButton("Clear decision")
        self.clear_button.setToolTip("Withdraw your decision; the model's prediction counts again")
        self.clear_button.clicked.connect(self._clear)
        decide_row.addWidget(self.clear_button)
        decide_row.addStretch(1)
        play_row = QHBoxLayout()
        play_row.addWidget(self.preview_button)
        play_row.addStretch(1)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.addWidget(self.cover)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.path)
        layout.addWidget(line)
        layout.addLayout(form)
        layout.addWidget(self.strip)
        layout.addWidget(self.strip_caption)
        layout.addLayout(play_row)
        layout.addLayout(decide_row)
        layout.addStretch(1)

        self.player.position_changed.connect(self._on_position)
        self.player.playing_changed.connect(self._on_playing)
        self.show_detail(None)

    # --- showing a track ------------------------------------------------------------------------

    def show_detail(self, detail: TrackDetail | None) -> None:
        self.detail = detail
        has = detail is not None
        for w in (self.path, self.strip, self.strip_caption):
            w.setVisible(has)
        for button in [*self.decide_buttons.values(), self.clear_button, self.preview_button]:
            button.setVisible(has and self.show_actions)
        self._show_cover(detail)
        if detail is None:
            self.title.setText("No track selected")
            self.subtitle.setText("Select a track to see its details and window chart.")
            for label in self._values:
                self._set_row(label, "")
            self.telling = None
            return
        row = detail.row
        self.title.setText(display_title(row))
        album = row.album or ""
        if row.year:
            album = f"{album} ({row.year})" if album else str(row.year)
        self.subtitle.setText(" — ".join(x for x in (row.artist or "Unknown artist", album) if x))
        self.path.setText(display_path(row.path))
        self._set_row(self.genres, "; ".join(row.genres) or "(none)")
        self._set_row(self.tags_say, tags_text(detail.tag_class, row, detail.replaced_genres))
        self._set_row(self.prediction, verdict_text(row))
        self._set_row(self.review_reasons, "; ".join(row.review_reasons))
        self._set_row(self.decided_by, decided_text(row))
        self._set_row(self.status, STATUS_TEXT.get(row.status, row.status))
        self._set_row(self.error, row.error or "")
        audio_format = display_format(row.path, row.format)
        audio = ", ".join(x for x in (audio_format, _duration(row.duration)) if x)
        self._set_row(self.audio, audio)
        self._set_row(self.model, row.model or "")
        self.telling = most_telling_window(detail.windows, row.predicted_label)
        self.strip.set_windows(detail.windows, self.classes, row.duration, self.telling)
        self.strip_caption.setText(strip_caption(detail.windows))
        self.strip_caption.setVisible(bool(detail.windows))
        can_play = self.player.available and row.status not in UNDECIDABLE
        self.preview_button.setEnabled(can_play)
        self.preview_button.setToolTip(
            "Play 10 s of the most telling window (Space in the review queue)"
            if self.player.available
            else self.player.reason
        )
        self.clear_button.setEnabled(row.decided_by == "user")
        decidable = row.status not in UNDECIDABLE
        for button in self.decide_buttons.values():
            button.setVisible(self.show_actions and decidable)
        self.clear_button.setVisible(self.show_actions and (decidable or row.decided_by == "user"))

    def _show_cover(self, detail: TrackDetail | None) -> None:
        data = None
        if detail is not None and self.cover_loader and detail.row.status != "missing":
            data = self.cover_loader(detail.row.path)
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            side = COVER_SIZE * self.devicePixelRatioF()
            pixmap = pixmap.scaled(
                int(side),
                int(side),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            self.cover.setPixmap(pixmap)
            self.cover.setVisible(True)
        else:
            self.cover.clear()
            self.cover.setVisible(False)

    def _set_row(self, label: QLabel, text: str) -> None:
        label.setText(text)
        self._form.setRowVisible(label, bool(text))

    # --- playing --------------------------------------------------------------------------------

    def play_window(self, index: int) -> None:
        if self.detail is None or not 0 <= index < len(self.detail.windows):
            return
        self.strip.marked = index
        self.player.play(self.detail.row.path, self.detail.windows[index].start)

    def toggle_preview(self) -> None:
        if self.player.is_playing:
            self.player.stop()
            return
        if self.detail is None:
            return
        start = 0.0
        if self.telling is not None:
            start = self.detail.windows[self.telling].start
        self.player.play(self.detail.row.path, start)

    def _on_position(self, seconds: float) -> None:
        if self.detail is not None and self.player.path == self.detail.row.path:
            self.strip.set_playhead(seconds)

    def _on_playing(self, playing: bool) -> None:
        self.preview_button.setText("■ Stop" if playing else "▶ Preview")
        if not playing:
            self.strip.set_playhead(None)

    # --- deciding -------------------------------------------------------------------------------

    def _decide(self, name: str) -> None:
        if self.detail is not None:
            self.decide_requested.emit(self.detail.row.id, name)

    def _clear(self) -> None:
        if self.detail is not None:
            self.clear_requested.emit(self.detail.row.id)
