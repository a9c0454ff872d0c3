"""How long the app takes to gather a selection of every track: Ctrl+A, then the right-click
menu (or Write tags…, whose "Selected" scope reads the same rows).

    .venv/bin/python benchmarks/select_all_speed.py [--tracks 5000 50000] [--repeat 3]

For each size: a library of that many track rows (no audio needed: rows as a scan leaves them)
in a temporary folder, the real main window on Qt's offscreen platform, the table's select-all,
then `MainWindow.track_menu()` (the menu the right click opens) and `selected_paths()` timed,
best and median of --repeat. Prints the machine's load beside the figures.
"""

from __future__ import annotations

import time
from pathlib import Path

from library_sizes import make_rows_library, run_sizes


def make_library(db: Path, tracks: int) -> None:
    make_rows_library(db, tracks, lambda i: ["Death Metal"] if i % 3 else [])


def measure(db: Path, repeat: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QSettings

    from tagger.gui.app import create_application
    from tagger.gui.main_window import MainWindow
    from tagger.gui.settings_store import SettingsStore
    from tagger.library.settings import Settings
    from tagger.library.store import Library

    app = create_application()
    library = Library.open(db)
    store = SettingsStore(QSettings(str(db.parent / "gui.ini"), QSettings.Format.IniFormat))
    window = MainWindow(library, store, Settings(workers=1), audio=False)
    window.show()
    app.processEvents()
    times: dict[str, list[float]] = {"track_menu": [], "selected_paths": []}
    calls = {"track_menu": window.track_menu, "selected_paths": window.selected_paths}
    for _ in range(repeat):
        window.table.selectAll()
        app.processEvents()
        for name, call in calls.items():
            window.model.refresh()  # an empty page cache, as after a scan's refresh
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    window.runner.shutdown()
    window.close()
    library.close()
    return times


if __name__ == "__main__":
    raise SystemExit(run_sizes(__doc__, make_library, measure, "tracks selected"))
