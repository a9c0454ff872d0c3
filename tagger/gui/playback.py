"""Short previews of a track from a given second, with QtMultimedia (Qt decodes the file).

QtMultimedia is optional at run time: without its system libraries (libpulse on Linux) it does
not import, and without an audio device there is nothing to play on. `PreviewPlayer` then stays
`available == False` with a `reason` the window shows, and `play()` does nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from tagger.gui.qt_messages import quiet_ffmpeg_log

log = logging.getLogger(__name__)

PREVIEW_SECONDS = 10.0


class PreviewPlayer(QObject):
    playing_changed = Signal(bool)
    position_changed = Signal(float)  # seconds into the track, while playing
    play_requested = Signal(str, float)  # path, start: every request, even without audio

    def __init__(self, parent: QObject | None = None, *, enabled: bool = True) -> None:
        super().__init__(parent)
        self.available = False
        self.reason = "audio preview is turned off"
        self._player: Any = None
        self._output: Any = None
        self._pending_start: float | None = None
        self._stop_at_ms = 0
        self.path: str | None = None
        self.start_s = 0.0
        self._stopper = QTimer(self)
        self._stopper.setSingleShot(True)
        self._stopper.timeout.connect(self.stop)
        if enabled:
            self._create()

    def _create(self) -> None:
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer
        except ImportError as exc:  # e.g. libpulse0 missing on Linux
            self.reason = f"audio preview unavailable: QtMultimedia cannot load ({exc})"
            log.warning(self.reason)
            return
        if not QMediaDevices.audioOutputs():
            self.reason = "audio preview unavailable: no audio output device"
            log.info(self.reason)
            return
        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        quiet_ffmpeg_log()  # after the player: loading Qt's FFmpeg backend sets its own level
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.playbackStateChanged.connect(self._on_state)
        self._player.positionChanged.connect(self._on_position)
        self._player.errorOccurred.connect(self._on_error)
        self._media_status = QMediaPlayer.MediaStatus
        self._playing_state = QMediaPlayer.PlaybackState.PlayingState
        self.available = True
        self.reason = ""

    @property
    def is_playing(self) -> bool:
        return self._player is not None and self._player.playbackState() == self._playing_state

    def play(self, path: str, start_s: float, seconds: float = PREVIEW_SECONDS) -> None:
        """Play `seconds` of `path` from `start_s`; a new request replaces the current one."""
        self.play_requested.emit(path, start_s)
        self.path, self.start_s = path, start_s
        if self._player is None:
            return
        self._stopper.stop()
        self._stop_at_ms = int((start_s + seconds) * 1000)
        self._pending_start = start_s
        if self._player.source() != QUrl.fromLocalFile(path):
            self._player.setSource(QUrl.fromLocalFile(path))  # position is set once loaded
        else:
            self._start_now()
        self._stopper.start(int(seconds * 1000) + 1500)  # a safety net if positions stall

    def toggle(self, path: str, start_s: float) -> None:
        if self.is_playing:
            self.stop()
        else:
            self.play(path, start_s)

    def stop(self) -> None:
        self._stopper.stop()
        self._pending_start = None
        if self._player is not None:
            self._player.stop()

    def _start_now(self) -> None:
        if self._pending_start is None:
            return
        self._player.setPosition(int(self._pending_start * 1000))
        self._pending_start = None
        self._player.play()

    def _on_status(self, status: Any) -> None:
        if status in (self._media_status.LoadedMedia, self._media_status.BufferedMedia):
            self._start_now()
        elif status == self._media_status.InvalidMedia:
            self._pending_start = None

    def _on_state(self, _state: Any) -> None:
        self.playing_changed.emit(self.is_playing)

    def _on_position(self, ms: int) -> None:
        if self.is_playing:
            self.position_changed.emit(ms / 1000)
            if ms >= self._stop_at_ms:
                self.stop()

    def _on_error(self, _error: Any, message: str) -> None:
        log.warning("preview of %s failed: %s", self.path, message)
        self.stop()
