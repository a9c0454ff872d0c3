"""How long the app takes to gather a selection of every track: Ctrl+A, then the right-click
menu (or Write tags…, whose "Selected" scope reads the same rows).

    .venv/bin/python benchmarks/select_all_speed.py [--tracks 5000 50000] [--repeat 3]

For each size: a library of that many track rows (no audio needed: rows as a scan leaves them)
in a temporary folder, the real main window on Qt's offscreen platform, the table's select-all,
then `MainWindow.track_menu()` (the menu the right click opens) and `selected_paths()` timed,
best and median of --repeat. Prints the machine's load beside the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_library(db: Path, tracks: int) -> None:
    from sqlalchemy import insert

    from tagger.library.schema import Track
    from tagger.library.store import Library

    library = Library.open(db)
    rows = [
        {
            "path": f"/music/artist {i // 500:03d}/album {i // 20:05d}/{i:06d}.mp3",
            "size": 1000 + i,
            "mtime_ns": i,
            "title": f"Track {i:06d}",
            "artist": f"Artist {i // 500:03d}",
            "album": f"Album {i // 20:05d}",
            "genres": ["Death Metal"] if i % 3 else [],
        }
        for i in range(tracks)
    ]
    with library.session() as session, session.begin():
        session.execute(insert(Track), rows)
    library.close()


def measure(db: Path, folder: Path, repeat: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QSettings

    from tagger.gui.app import create_application
    from tagger.gui.main_window import MainWindow
    from tagger.gui.settings_store import SettingsStore
    from tagger.library.settings import Settings
    from tagger.library.store import Library

    app = create_application()
    library = Library.open(db)
    store = SettingsStore(QSettings(str(folder / "gui.ini"), QSettings.Format.IniFormat))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load {load:.1f}, Python {sys.version.split()[0]}")
    for n in args.tracks:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
            make_library(folder / "library.db", n)
            times = measure(folder / "library.db", folder, args.repeat)
        for name, values in times.items():
            print(
                f"{n:>7,} tracks selected, {name:>14}: best {min(values):.3f} s, "
                f"median {statistics.median(values):.3f} s"
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load after: {load:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
