"""Library → Train a model from this library…, and the learning parts of the window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui_library import copy_db

from tagger.library.queries import SmartList
from tagger.service.learning import estimate


def test_train_dialog_shows_labels_and_refuses_too_few(
    make_window, settings, classified_master: Path, tmp_path: Path, qtbot
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    assert window.act_train in window.menuBar().actions()[1].menu().actions()
    ids = [r.id for r in window.client.fetch(window.model.filter, 0, 3, "path", False)]
    window.client.decide(ids[:2], "hardcore")
    window.client.decide(ids[2:3], "metal")

    dialog = window.open_train_dialog()
    rows = {
        dialog.labels.item(r, 0).text(): dialog.labels.item(r, 1).text()
        for r in range(dialog.labels.rowCount())
    }
    assert rows == {"Hardcore": "2", "Metal": "1"}  # counted at once
    assert dialog.estimate.text() == "Reading the 3 labels…" and dialog.reading_labels
    qtbot.waitUntil(lambda: not dialog.reading_labels, timeout=10_000)
    assert not dialog.train_button.isEnabled()
    assert "at least" in dialog.estimate.text()
    assert dialog.labels.item(0, 3).text() != "…"
    dialog.reject()


def test_sidebar_has_the_conflicts_list(make_window, settings, classified_master, tmp_path) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.refresh()
    assert window.sidebar.count_of(SmartList.CONFLICTS) == 0
    window.sidebar.select(SmartList.CONFLICTS)
    assert window.model.rowCount() == 0


def test_the_labels_table_is_as_tall_as_its_rows(
    make_window, settings, classified_master: Path, tmp_path: Path, qtbot
) -> None:
    """A table of two classes takes two rows' height, however tall the dialog is made: the
    room goes below the results, not into empty table rows."""
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    ids = [r.id for r in window.client.fetch(window.model.filter, 0, 3, "path", False)]
    window.client.decide(ids[:2], "hardcore")
    window.client.decide(ids[2:3], "metal")
    dialog = window.open_train_dialog()
    dialog.resize(dialog.width(), 900)
    qtbot.waitExposed(dialog)
    table = dialog.labels
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    chrome = table.horizontalHeader().height() + 2 * table.frameWidth()
    assert table.rowCount() == 2
    assert rows + table.horizontalHeader().height() <= table.height() <= rows + chrome
    header = table.horizontalHeader()
    dialog.refresh()  # as after another job: "Used" still takes the width the counts leave
    assert header.length() >= table.viewport().width() - 1
    dialog.reject()


def test_the_results_say_what_was_measured_and_a_late_text_is_not_squeezed(
    make_window, settings, classified_master: Path, tmp_path: Path, qtbot
) -> None:
    """The labels are read again when a training ends, after its results have sized the
    dialog: a longer estimate then (three lines, not two) was drawn over its neighbours."""
    from tagger.gui.train_dialog import LabelsOnOffer
    from tagger.service.learning import TrainedModel
    from tagger.training.labeled_set import LabeledSet

    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    dialog = window.open_train_dialog()
    qtbot.waitUntil(lambda: not dialog.reading_labels, timeout=10_000)
    track_level = {"accuracy": 0.7, "macro": {"f1": 0.41}, "confusion_matrix": [[7, 0], [3, 0]]}
    metrics = {"test": {"tracks": 10, "track_level": track_level}}
    data = LabeledSet(["hardcore", "metal"], [], "the library", {})
    dialog._show_metrics(TrainedModel(tmp_path / "m.safetensors", None, data, metrics, "m"))
    assert dialog.confusion.isVisible()
    assert "(10 tracks the model never saw)" in dialog.result.text()  # a --no-refit run's
    # The usual run trains again on every label after measuring: the model saw those tracks.
    metrics["test"]["measured_on"] = "the split run's model, before the refit"
    dialog._show_metrics(TrainedModel(tmp_path / "m.safetensors", None, data, metrics, "m"))
    assert "measured before the final refit on every label)" in dialog.result.text()
    assert "never saw" not in dialog.result.text()
    dialog._labels_read(LabelsOnOffer(None, None, "A long sentence about the labels. " * 12))
    qtbot.wait(50)  # the layout settles
    for label in (dialog.estimate, dialog.quick_note, dialog.status, dialog.result):
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    dialog.reject()


def test_the_calibration_sentence_says_when_the_fit_is_rough() -> None:
    from tagger.gui.train_dialog import calibration_note

    assert calibration_note(None) == ""
    assert "6 validation tracks (roughly" in calibration_note({"tracks": 6, "temperature": 0.4})
    plenty = calibration_note({"tracks": 40, "temperature": 0.4})
    assert "40 validation tracks:" in plenty and "roughly" not in plenty


def test_the_estimate_gives_the_usual_time_and_the_longest() -> None:
    from tagger.gui.train_dialog import estimate_sentence

    text = estimate_sentence(1000, 2, 400, 17.2 * 60, 31.2 * 60)
    assert text == (
        "1,000 labeled tracks in 2 classes; 400 already decoded. Estimated time: about 18 min "
        "(at most 32 min if validation keeps improving), judged by an idle 2-core computer "
        "until this one has trained once."
    )
    assert "at most 2.5 h" in estimate_sentence(200, 2, 0, 3600, 9000)
    # After a run, at this computer's own speed; a busy processor is named, an idle one not.
    measured = estimate_sentence(200, 2, 0, 600, 900, measured=True, elsewhere=0.4, cores=2)
    assert measured.endswith("at the speed of this computer's last training.")
    busy = estimate_sentence(200, 2, 0, 600, 900, measured=True, elsewhere=1.25, cores=2)
    assert busy.endswith("Other programs keep 1.2 of the 2 cores busy now: expect longer.")


def test_after_the_epochs_the_dialog_says_what_runs(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    """Calibrating, measuring the test split and saving take a while: the status names the
    step and the bar is busy (no count), instead of the last epoch's line standing still."""
    from tagger.library.progress import Progress
    from tagger.training.train import TrainProgress

    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    dialog = window.open_train_dialog()
    dialog.runner.name = "Train"  # as while a training job runs

    def report(t: TrainProgress) -> None:
        dialog._on_progress(Progress(0, None, 0.0, None, last_result=t, phase="train"))

    report(TrainProgress(3, 25, 10, 128, 0.41, 60.0))
    assert dialog.status.text().startswith("Epoch 3 of at most 25")
    assert dialog.status.text().endswith("at most about 1 min left")
    # What is left if no later epoch does better (early stopping, then the refit) comes first.
    report(TrainProgress(3, 25, 10, 128, 0.41, 23 * 70.0, likely_eta_s=14 * 70.0))
    assert dialog.status.text().endswith("about 17 min left (at most 27 min)")
    assert dialog.bar.maximum() == 25 * 128
    report(TrainProgress(3, 25, 0, 0, 0.0, None, stage="measuring the 18 held-out test tracks"))
    assert dialog.status.text() == "Measuring the 18 held-out test tracks…"
    assert dialog.bar.maximum() == 0  # busy
    dialog.reject()


def test_the_quick_retrain_is_offered_only_for_a_refitted_model_of_this_library(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    import dataclasses

    from tagger.audio.mel import FrontEndConfig
    from tagger.library.model_registry import register_model_file
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig
    from tagger.training.dataset import LabeledTrack
    from tagger.training.labeled_set import LabeledSet

    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    tracks = [
        LabeledTrack(Path(f"/m/{c}{i}.flac"), c, None, None)
        for c in ("hardcore", "metal")
        for i in range(10)
    ]
    data = LabeledSet(["hardcore", "metal"], tracks, "the library", {})
    dialog = window.open_train_dialog()
    # the active model is the session's random one
    dialog._offer_quick(estimate(dialog.library, dialog.settings, data, dialog.config))
    assert not dialog.quick.isEnabled() and dialog.quick_plan is None
    assert "was not trained on the library" in dialog.quick.toolTip()
    assert "was not trained on the library" in dialog.quick_note.text()  # in view, too
    dialog.reject()

    mine = tmp_path / "mine.safetensors"
    training = {
        "origin": "the library",
        "labels": {"hardcore": {"tag": 10}, "metal": {"tag": 10}},
        "config": {"epochs": 25},
        "learning_rate": 3e-4,
        "refit": {"tracks": 20, "epochs": 8, "seconds": 60.0},
    }
    network = Network(NetworkConfig())
    save_model(mine, network, ["hardcore", "metal"], FrontEndConfig(), training, {})
    with window.library.session() as s, s.begin():
        register_model_file(s, mine)
    window.client.settings = dataclasses.replace(settings, model_path=str(mine))
    dialog = window.open_train_dialog()
    figures = estimate(dialog.library, dialog.settings, data, dialog.config)
    assert figures.speed.measured  # its refit's: 8 epochs of 20 × 205 windows in 60 s
    assert figures.cached == 0  # the files do not exist: 20 × 0.52 s of decoding
    dialog._offer_quick(figures)  # the refit's minute and 10 s: 70 s
    assert dialog.quick.isEnabled() and dialog.quick_plan.epochs == 8
    assert dialog.quick.text() == "Quick retrain, about 2 min"  # idle figure: 5 min
    assert "The last step of model 'mine' again" in dialog.quick_note.text()
    assert "held-out figures" in dialog.quick.toolTip()
    dialog.reject()


# Opens the train dialog on a small library in a fresh interpreter; prints which heavy modules
# that loaded.
OPEN_DIALOG = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from tagger.gui.app import create_application
from tagger.gui.train_dialog import TrainDialog
from tagger.gui.worker import JobRunner
from tagger.library.schema import Track
from tagger.library.settings import Settings
from tagger.library.store import Library

app = create_application()
library = Library.open(sys.argv[1])
with library.session() as s, s.begin():
    for i in range(30):
        genres = ["Thrash Metal"] if i % 2 else ["NYHC"]
        s.add(Track(path=f"/m/{i}.mp3", size=1, mtime_ns=1, genres=genres, artist=f"a{i % 7}"))
runner = JobRunner()
dialog = TrainDialog(library, Settings(workers=1), runner)
assert dialog.labels.rowCount() == 2, dialog.labels.rowCount()
while dialog.reading_labels:  # listed and estimated off the GUI thread: its imports count
    app.processEvents()
assert dialog.train_button.isEnabled(), dialog.estimate.text()
runner.shutdown()
print(sorted(m for m in ("torch", "sklearn", "scipy", "matplotlib") if m in sys.modules))
"""


def test_opening_the_dialog_loads_no_training_stack(tmp_path: Path) -> None:
    """The first opening froze the app for 4–6 s importing torch, scikit-learn, SciPy and
    matplotlib for the quick retrain's plan; training loads them in the worker."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", OPEN_DIALOG, str(tmp_path / "library.db")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
