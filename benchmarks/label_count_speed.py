"""How long the labels on offer take to count and to list on a large library: what the train
dialog reads when it opens (and the app's offer to train, after a scan).

    .venv/bin/python benchmarks/label_count_speed.py [--tracks 5000 50000] [--repeat 3]

For each size: a library of that many track rows (no audio: rows as a scan leaves them; a third
tagged "Death Metal", a third "NYHC", the rest untagged, one in 50 decided) in a temporary
folder, its tag classes settled as the app does when it opens a library, then
the train dialog's first construction in the process (on Qt's offscreen platform; the modules
it imports count), then `learning.all_label_counts`, `learning.library_labels` and the dialog's
construction again (the time the GUI thread is held: the labels are listed and the time
estimated off it since 4 Dec 2026), and its construction until its labels are read and Train is
ready, each timed, best and median of --repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from library_sizes import make_rows_library, run_sizes


def make_library(db: Path, tracks: int) -> None:
    """A third "Death Metal", a third "NYHC", the rest untagged; one in 50 decided."""
    genres = (["Death Metal"], ["NYHC"], [])
    make_rows_library(
        db,
        tracks,
        lambda i: genres[i % 3],
        lambda i: ("metal", "hardcore")[i % 2] if i % 50 == 0 else None,
    )


def measure(db: Path, repeat: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QEventLoop

    from tagger.gui.app import create_application
    from tagger.gui.train_dialog import TrainDialog
    from tagger.gui.worker import JobRunner
    from tagger.library.settings import Settings
    from tagger.library.store import Library
    from tagger.service.learning import all_label_counts, apply_genre_map, library_labels

    app = create_application()
    library = Library.open(db)
    settings = Settings(workers=1)
    apply_genre_map(library, settings)  # as the app does on opening a library
    runner = JobRunner()

    def until_ready(dialog: TrainDialog) -> TrainDialog:
        while dialog.reading_labels:  # as the app's event loop: idle between its timers' events
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return dialog

    calls: dict[str, Callable[[], object]] = {
        "count the labels": lambda: all_label_counts(library, settings),
        "list the labels": lambda: library_labels(library, settings),
        "open the train dialog": lambda: TrainDialog(library, settings, runner),
        "open the train dialog until Train is ready": lambda: until_ready(
            TrainDialog(library, settings, runner)
        ),
    }
    start = time.perf_counter()  # the first opening in the process: what it imports counts
    first = TrainDialog(library, settings, runner)
    opened = time.perf_counter() - start
    until_ready(first)  # what the thread imports counts too
    times: dict[str, list[float]] = {
        "open the train dialog, first": [opened],
        "open the train dialog, first, until Train is ready": [time.perf_counter() - start],
    }
    first.deleteLater()
    times.update({name: [] for name in calls})
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            result = call()
            times[name].append(time.perf_counter() - start)
            if isinstance(result, TrainDialog):  # its read must not overlap the next call
                until_ready(result)
            if hasattr(result, "deleteLater"):
                result.deleteLater()
            app.processEvents()
    runner.shutdown()
    library.close()
    return times


if __name__ == "__main__":
    raise SystemExit(run_sizes(__doc__, make_library, measure, "tracks"))
