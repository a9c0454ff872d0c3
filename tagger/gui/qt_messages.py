"""Qt's own log messages: into the app's log file, and only those that concern the user on stderr.

QtMultimedia reports its backend probing on every launch (pipewire not found, the FFmpeg version,
no PulseAudio server): four lines a user can do nothing about, and the window already says when
there is no audio preview. Those go to the log file at debug level; every other Qt message is
logged and still printed as Qt would print it.
"""

from __future__ import annotations

import logging
import sys

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
