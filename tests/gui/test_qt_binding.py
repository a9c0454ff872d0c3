"""PySide6 6.12.0 dropped a reference to None on every void C++ call, which aborts Python 3.11
after a few thousand GUI calls; pyproject.toml excludes it. This keeps a bad binding out."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_leak_references_to_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert abs(sys.getrefcount(None) - before) < 100
