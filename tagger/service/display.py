"""Whether the desktop app can open a window here, asked before Qt is loaded.

Without a display Qt's xcb plugin aborts the process (exit 134) with a message about a missing
library that is in fact installed; this says the real cause in one line, and how to run headless.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

# Qt platforms that draw without a display server.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def missing_display(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why no window can open (one line with the way out), or None when one can."""
    if not platform.startswith("linux"):
        return None  # Windows and macOS always have their own window system
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if chosen in HEADLESS_PLATFORMS:
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "to run headless use QT_QPA_PLATFORM=offscreen tagger gui, or xvfb-run tagger gui"
    )
