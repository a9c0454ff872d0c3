"""Screenshots of learning from a library, for docs/learn-from-your-library.md, under Xvfb.

    .venv/bin/python packaging/learning_screenshots.py [--corpus DIR] [--out docs/screenshots]

Walks the real application through what a user does with a tagged collection, on a corpus from
benchmarks/independent_corpus.py (80 tracks of 40–80 s, seed 301: about 80 s to render; or
--corpus, a rendering made before) retagged the way a real collection looks by
benchmarks/library_learning_quality.py (about 60 % sub-genre tags in varied spellings, a few odd
genres, the rest none; three tracks get the other class's genre, as a real collection has):
    Add folder → the offer above the list (learn-01-offer.png) → "Train a model from this
    library…" while the bundled model still classifies, "Stop that job" → the labels and the
    estimate (learn-02-labels.png) → Train: epochs, loss, time left (learn-03-training.png) →
    the held-out accuracy and confusion (learn-04-result.png) → "Use this model": the library
    classified again (learn-05-library.png), the tracks whose tags disagree
    (learn-06-conflicts.png), the review queue (learn-07-review.png) → decisions by ear → the
    train dialog again, with Quick retrain (learn-08-quick.png).
Trains one model: 11–16 minutes on 2 cores. Needs Xvfb (see .ci/setup); display :99.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "packaging"), str(REPO / "benchmarks")]

from screenshots import screenshot_session, settle  # noqa: E402  (packaging/screenshots.py)

CORPUS_TRACKS = 80
CORPUS_SEED = 301
RETAG_SEED = 0
DECISIONS = 12  # review decisions made by ear (the ground truth) before the quick retrain
MISTAGGED = 3  # tagged tracks given the other class's genre, for "Disagrees with its tags"


def render_corpus(folder: Path) -> None:
    subprocess.run(
        [
            sys.executable, str(REPO / "benchmarks" / "independent_corpus.py"), str(folder),
            "--tracks", str(CORPUS_TRACKS), "--seed", str(CORPUS_SEED),
            "--min-seconds", "40", "--max-seconds", "80", "--workers", str(os.cpu_count() or 1),
        ],
        check=True,
    )  # fmt: skip


def wait_until(app: object, done: Callable[[], bool], what: str, limit_s: float = 3600) -> None:
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > limit_s:
            raise TimeoutError(f"waited {limit_s:.0f} s for {what}")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)
    print(f"{what}: {time.monotonic() - start:.1f} s", flush=True)


def report_verdicts(
    window: object, truth: dict[str, tuple[str, str]], mistagged: list[str]
) -> None:
    """What the pictures cannot show whole: how many untagged tracks the new model labeled
    right, how many of them wait in review, and what became of the mis-tagged ones."""
    from tagger.library.track_rows import TrackFilter

    rows = window.client.fetch(TrackFilter(), 0, len(truth) + 10, "path", False)  # type: ignore[attr-defined]
    untagged = [r for r in rows if truth[str(Path(r.path).resolve())][1] == "none"]
    right = [r for r in untagged if r.label == truth[str(Path(r.path).resolve())][0]]
    in_review = [r for r in untagged if r.needs_review]
    wrong_in_review = [r for r in in_review if r not in right]
    print(
        f"untagged tracks labeled right: {len(right)} / {len(untagged)}; in review "
        f"{len(in_review)}, of which wrong {len(wrong_in_review)}; wrong outside review "
        f"{len(untagged) - len(right) - len(wrong_in_review)}",
        flush=True,
    )
    by_path = {str(Path(r.path).resolve()): r for r in rows}
    for path in mistagged:
        r = by_path[str(Path(path).resolve())]
        print(
            f"mis-tagged {Path(path).name} (really {truth[path][0]}, tagged {r.genres}): "
            f"model {r.label} {r.confidence:.0%}{' (review)' if r.needs_review else ''}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an independent_corpus.py rendering")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with screenshot_session("tagger-learning-screens-") as work:
        corpus = args.corpus
        if corpus is None:
            corpus = work / "corpus"
            print("rendering the corpus …", flush=True)
            render_corpus(corpus)
        from library_learning_quality import SPELLINGS, retag, set_genre

        music = work / "home" / "Music"
        truth = retag(corpus, music, RETAG_SEED)
        # A real collection has a few tracks tagged with the other class's genre.
        tagged = sorted(p for p, (_cls, kind) in truth.items() if kind == "tagged")
        mistagged = tagged[:: len(tagged) // MISTAGGED][:MISTAGGED]
        for path in mistagged:
            other = "hardcore" if truth[path][0] == "metal" else "metal"
            set_genre(Path(path), SPELLINGS[other][0])

        from PySide6.QtCore import QSettings

        from tagger.gui.app import create_application, prepare_runtime
        from tagger.gui.main_window import MainWindow
        from tagger.gui.settings_store import SettingsStore
        from tagger.gui.train_dialog import TrainDialog
        from tagger.library.settings import Settings
        from tagger.library.track_rows import SmartList
        from tagger.service.context import open_library

        app = create_application()
        prepare_runtime()
        library = open_library(None)
        store = SettingsStore(QSettings(str(work / "gui.ini"), QSettings.Format.IniFormat))
        window = MainWindow(library, store, Settings(workers=2), audio=False)
        window.show()
        settle(app, 0.5)

        window.add_folders([str(music)])
        wait_until(app, window.learn_offer.isVisible, "the offer")
        settle(app, 1.0)
        window.grab().save(str(args.out / "learn-01-offer.png"))

        window.learn_offer.train_button.click()
        settle(app)
        dialog = window.findChild(TrainDialog)
        assert dialog is not None, "the offer's button opens the train dialog"
        if window.runner.busy:  # the bundled model still classifies: stopped from the dialog
            dialog.cancel_button.click()
        wait_until(app, lambda: not window.runner.busy and not dialog.reading_labels, "labels")
        settle(app)
        dialog.grab().save(str(args.out / "learn-02-labels.png"))

        dialog.train_button.click()
        wait_until(app, lambda: dialog.status.text().startswith("Epoch 3 "), "epoch 3")
        settle(app)
        dialog.grab().save(str(args.out / "learn-03-training.png"))
        wait_until(app, lambda: dialog.use_button.isEnabled(), "the trained model")
        settle(app)
        dialog.grab().save(str(args.out / "learn-04-result.png"))

        dialog.use_button.click()
        wait_until(app, lambda: not window.runner.busy, "classifying with it")
        settle(app, 1.0)
        window.sidebar.select(SmartList.ALL)
        settle(app)
        window.grab().save(str(args.out / "learn-05-library.png"))
        report_verdicts(window, truth, mistagged)
        window.sidebar.select(SmartList.CONFLICTS)
        settle(app)
        if window.model.rowCount():
            window.table.selectRow(0)  # the details pane says what disagrees
            settle(app)
        window.grab().save(str(args.out / "learn-06-conflicts.png"))

        window.set_review_mode(True)
        settle(app)
        window.grab().save(str(args.out / "learn-07-review.png"))
        window.set_review_mode(False)

        # Decisions by ear: here the corpus's own classes stand in for the user's ears.
        by_path = {str(Path(p).resolve()): cls for p, (cls, _kind) in truth.items()}
        queue = window.client.review_queue(limit=DECISIONS)
        for row in queue:
            window.decide([row.id], by_path[str(Path(row.path).resolve())])
        settle(app)
        print(f"{len(queue)} decisions made in review", flush=True)

        dialog = window.open_train_dialog()
        wait_until(app, lambda: not dialog.reading_labels, "labels again")
        if dialog.quick.isEnabled():
            dialog.quick.setChecked(True)
        settle(app)
        dialog.grab().save(str(args.out / "learn-08-quick.png"))
        dialog.reject()
        window.close()
        window.library.close()
        for shot in sorted(args.out.glob("learn-0*.png")):
            print(shot)
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
