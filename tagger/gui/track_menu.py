"""The track table's right-click menu: decide or clear the selected tracks at once, write their
tags, open their folder, copy their paths.

What users of Picard and Mp3tag reach for first: a whole album marked Metal in one go instead of
one track at a time in the details pane. The menu only asks; the window does the work (the
`TrackMenuActions` it passes: its `decide`, `clear_decisions` and tag dialog), so a decision made
here is the same decision the details pane and the review queue record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from tagger.gui.class_colors import class_title
from tagger.library.track_rows import TrackRow


@dataclass(frozen=True)
class TrackMenuActions:
    decide: Callable[[list[int], str], None]
    clear: Callable[[list[int]], None]
    write: Callable[[], None]


def folders_of(paths: Sequence[str]) -> list[str]:
    """Each distinct folder of `paths` (absolute, as the library stores them), in first-seen
    order. os.path, not pathlib: 0.33 s against 0.01 s for 5,000 selected tracks."""
    return list(dict.fromkeys(os.path.dirname(p) for p in paths))


def open_folders(paths: Sequence[str]) -> None:
    """Show the files' folders in the system's file manager (at most a few: one window each)."""
    for folder in folders_of(paths)[:5]:
        QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def track_menu(
    parent: QWidget,
    rows: Sequence[TrackRow],
    classes: Sequence[str],
    actions: TrackMenuActions,
    *,
    writing_allowed: bool = True,
) -> QMenu:
    """The menu for the selected `rows` (at least one)."""
    menu = QMenu(parent)
    ids = [r.id for r in rows]
    some = f"these {len(rows)} tracks" if len(rows) > 1 else "this track"
    for name in classes:
        action = menu.addAction(f"It's {class_title(name)}")
        verb = "are" if len(rows) > 1 else "is"
        action.setStatusTip(f"Record your decision: {some} {verb} {class_title(name)}")
        action.triggered.connect(lambda _=False, name=name: actions.decide(ids, name))
    decided = [r.id for r in rows if r.decided_by == "user"]
    clear = menu.addAction(
        "Clear decision" if len(decided) < 2 else f"Clear {len(decided)} decisions"
    )
    clear.setEnabled(bool(decided))
    clear.triggered.connect(lambda: actions.clear(decided))
    menu.addSeparator()
    write = menu.addAction("Write tags…")
    write.setEnabled(writing_allowed)
    write.triggered.connect(actions.write)
    paths = [r.path for r in rows]
    folders = folders_of(paths)
    show = menu.addAction("Open containing folder" if len(folders) == 1 else "Open folders")
    show.setEnabled(len(folders) <= 5)
    show.triggered.connect(lambda: open_folders(paths))
    copy = menu.addAction("Copy path" if len(paths) == 1 else f"Copy {len(paths)} paths")
    copy.triggered.connect(lambda: QGuiApplication.clipboard().setText("\n".join(paths)))
    return menu
