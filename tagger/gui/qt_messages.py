"""Qt's own log messages: into the app's log file, and only those that concern the user on stderr.

QtMultimedia reports its backend probing on every launch (pipewire not found, the FFmpeg version,
no PulseAudio server): four lines a user can do nothing about, and the window already says when
there is no audio preview. Those go to the log file at debug level; every other Qt message is
logged and still printed as Qt would print it. FFmpeg's own log (Qt's copy) is kept to errors.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage, qInstallMessageHandler

log = logging.getLogger("tagger.qt")

# Backend probing by QtMultimedia; the last one is logged in Qt's default category.
QUIET_CATEGORY_PREFIX = "qt.multimedia."
QUIET_MESSAGE_PREFIXES = ("PulseAudioService:",)

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def is_audio_probing(category: str | None, message: str) -> bool:
    """True for QtMultimedia's start-up noise (not for its fatal errors, which are kept)."""
    return (category or "").startswith(QUIET_CATEGORY_PREFIX) or message.startswith(
        QUIET_MESSAGE_PREFIXES
    )


def handle_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if is_audio_probing(context.category, message) and mode != QtMsgType.QtFatalMsg:
        log.debug("%s: %s", context.category, message)
        return
    if logging.getLogger().handlers:  # else logging's last resort would print it a second time
        log.log(_LEVELS.get(mode, logging.WARNING), "%s: %s", context.category, message)
    print(qFormatLogMessage(mode, context, message), file=sys.stderr, flush=True)


def install_qt_message_filter() -> None:
    qInstallMessageHandler(handle_qt_message)


AV_LOG_ERROR = 16
# Where PySide6 wheels keep Qt's own FFmpeg (not PyAV's, which has its own copy).
QT_AVUTIL_GLOBS = ("Qt/lib/libavutil.so.*", "Qt/lib/libavutil.*.dylib", "avutil-*.dll")


def quiet_ffmpeg_log() -> None:
    """Qt's FFmpeg media backend leaves FFmpeg's log level at "info", so every preview printed
    the file's stream dump ("Input #0, flac, from ...") on stderr. Errors are still printed.
    Best effort: a build without a bundled FFmpeg keeps its defaults."""
    root = Path(PySide6.__file__).parent
    for pattern in QT_AVUTIL_GLOBS:
        for library in sorted(root.glob(pattern))[:1]:
            try:
                ctypes.CDLL(str(library)).av_log_set_level(AV_LOG_ERROR)
            except (OSError, AttributeError) as exc:
                log.debug("cannot quiet FFmpeg's log through %s: %s", library, exc)
            return
