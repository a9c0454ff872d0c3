"""A guard against a reference-counting bug of PySide6 6.12 on CPython 3.11.

Measured here (PySide6 6.12.0, CPython 3.11.7): every call of a wrapped C++ method that returns
void (QLabel.setText, QTimer.start, beginResetModel, ...) drops one reference to None, and some
signal emissions drop one to True. None starts with ~5,000 references, so after a few thousand
GUI calls its count reaches zero and the interpreter aborts ("Fatal Python error: none_dealloc").
The window's refresh during a 200-track classification was enough.

CPython 3.12 made these singletons immortal, which makes the bug harmless. This module does the
same on 3.11: when the bug is detected, it adds 2**40 to the reference counts of None, True and
False once, so no realistic number of calls can bring them to zero. On an unaffected PySide6 or
Python it does nothing. Remove it once the project requires Python >= 3.12 or a fixed PySide6.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40
PROBE_CALLS = 16


def pyside_drops_none() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("refcount-probe")
    return sys.getrefcount(None) < before


def protect_singletons() -> bool:
    """Make None, True and False effectively immortal if PySide6 would free them. True if done."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if not pyside_drops_none():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(singleton)).value += HEADROOM
    return True


PROTECTED = protect_singletons()
