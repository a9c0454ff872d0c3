"""The bar that offers a first model of the user's own, in the real main window."""

from __future__ import annotations

from pathlib import Path

from tagger.gui.jobs import Job, JobOutcome
from tagger.gui.learn_offer import offer_text
from tagger.gui.train_dialog import TrainDialog
from tagger.library.model_registry import register_model_file
from tagger.library.progress import Progress
from tagger.library.schema import Track
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.learning import apply_genre_map

BUNDLED = Settings(workers=1)  # no model file: the bundled model classifies


def tagged_library(db: Path, metal: int, hardcore: int = 12, jazz: int = 5) -> Path:
    """Rows as a scan leaves them (no audio): tagged tracks of each kind and a few untagged."""
    genres = [["Thrash Metal"]] * metal + [["NYHC"]] * hardcore + [["Jazz"]] * jazz + [[]] * 4
    library = Library.open(db)
    with library.session() as s, s.begin():
        for i, g in enumerate(genres):
            s.add(Track(path=f"/m/{i:03d}.mp3", size=1, mtime_ns=1, genres=g, artist=f"a{i % 7}"))
    library.close()
    return db


def test_the_sentence_lists_the_classes_largest_first() -> None:
    text = offer_text({"hardcore": 873, "metal": 1204, "other": 312})
    assert "1,204 Metal, 873 Hardcore and 312 Neither tracks are labeled" in text
    assert "12 Metal and 11 Hardcore tracks" in offer_text({"metal": 12, "hardcore": 11})


def test_a_tagged_library_on_the_bundled_model_is_offered_training(
    make_window, wait_idle, tmp_path: Path, qtbot
) -> None:
    window = make_window(BUNDLED, tagged_library(tmp_path / "library.db", metal=12))
    wait_idle(window)  # the genre map is applied in the worker; its end shows the bar
    bar = window.learn_offer
    assert bar.isVisible()
    assert "12 Hardcore, 12 Metal and 5 Neither tracks" in bar.text.text()  # ties by name

    bar.train_button.click()
    dialog = window.findChild(TrainDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.train_button.isEnabled, timeout=10_000)  # once the labels are read
    dialog.reject()


def test_hide_is_remembered_for_the_library(make_window, wait_idle, tmp_path: Path) -> None:
    db = tagged_library(tmp_path / "library.db", metal=12)
    window = make_window(BUNDLED, db)
    wait_idle(window)
    window.learn_offer.hide_button.click()
    assert not window.learn_offer.isVisible()
    window.runner.shutdown()
    window.close()

    again = make_window(BUNDLED, db)
    wait_idle(again)
    assert not again.learn_offer.isVisible()
    other = make_window(BUNDLED, tagged_library(tmp_path / "other.db", metal=12))
    wait_idle(other)
    assert other.learn_offer.isVisible()  # another library is offered anew


def test_no_offer_with_a_model_of_ones_own(make_window, wait_idle, settings, tmp_path) -> None:
    window = make_window(BUNDLED, tagged_library(tmp_path / "library.db", metal=12))
    wait_idle(window)
    assert window.learn_offer.isVisible()
    window.use_model(settings.model_path)  # chosen in Library → Models… or Settings
    assert not window.learn_offer.isVisible()
    wait_idle(window)
    assert not window.learn_offer.isVisible()


def test_too_few_labels_until_a_decision_makes_enough(
    make_window, wait_idle, tmp_path: Path
) -> None:
    window = make_window(BUNDLED, tagged_library(tmp_path / "library.db", metal=9))
    wait_idle(window)
    assert not window.learn_offer.isVisible()  # nine Metal tracks: too few to train on
    untagged = [r.id for r in window.client.fetch(window.model.filter, 0, 100, "path", False)]
    window.decide(untagged[-1:], "metal")
    assert window.learn_offer.isVisible()
    assert "10 Metal" in window.learn_offer.text.text()
    window.clear_decisions(untagged[-1:])
    assert not window.learn_offer.isVisible()


def test_no_offer_once_the_library_has_a_model_of_its_own(
    make_window, wait_idle, tmp_path: Path
) -> None:
    """Switched back to the bundled model (to compare, say): Library → Models… switches back."""
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    learnt = {"hardcore": {"tag": 12}, "metal": {"tag": 12}}
    torch.manual_seed(0)
    path = save_model(
        tmp_path / "mine.safetensors", Network(NetworkConfig()), ["hardcore", "metal"],
        FrontEndConfig(), training={"labels": learnt},
    )  # fmt: skip
    db = tagged_library(tmp_path / "library.db", metal=12)
    with Library.open(db) as library, library.session() as s, s.begin():
        register_model_file(s, path)
    window = make_window(BUNDLED, db)
    wait_idle(window)
    assert not window.learn_offer.isVisible()
    path.unlink()  # its file gone: nothing of the library's own to go back to
    window.update_learn_offer()
    assert window.learn_offer.isVisible()


def scan_like_job(db: Path, metal: int) -> Job:
    """A scan as the worker runs it: new tagged tracks read and their tag classes settled, then
    the classification's "load" phase, which here lasts until the job is stopped."""

    def run(progress, cancel) -> JobOutcome:
        with Library.open(db) as library:
            with library.session() as s, s.begin():
                for i in range(metal):
                    s.add(Track(path=f"/new/{i}.mp3", size=1, mtime_ns=1, genres=["Doom"]))
            apply_genre_map(library, BUNDLED)
        progress(Progress(0, None, 0.0, None, phase="load"))
        cancel.wait(60)
        return JobOutcome("Scan", "stopped", cancelled=True)

    return run


def test_the_offer_comes_once_a_scan_has_read_the_tags(
    make_window, wait_idle, tmp_path: Path, qtbot
) -> None:
    """Not when the bundled model has classified every track: that decodes them all, for
    verdicts of little worth on real music."""
    db = tagged_library(tmp_path / "library.db", metal=2)
    window = make_window(BUNDLED, db)
    wait_idle(window)
    assert not window.learn_offer.isVisible()
    assert window.runner.start("Scan", scan_like_job(db, metal=10))
    qtbot.waitUntil(window.learn_offer.isVisible, timeout=10_000)
    text = window.learn_offer.text.text()
    assert window.runner.busy and "12 Hardcore, 12 Metal and 5" in text
    assert "It is classifying your library now: stopping it and training first" in text

    window.learn_offer.train_button.click()  # the train dialog says what holds Train back
    dialog = window.findChild(TrainDialog)
    assert not dialog.train_button.isEnabled()
    assert "Another job is running (Scan)" in dialog.status.text()
    dialog.cancel_button.click()  # "Stop that job": the window's Cancel is behind the dialog
    wait_idle(window)
    qtbot.waitUntil(dialog.train_button.isEnabled, timeout=10_000)  # the labels read again
    assert dialog.status.text() == "Not started."
    assert dialog.cancel_button.text() == "Cancel training"
    assert not dialog.cancel_button.isEnabled()
    dialog.reject()
    assert "classifying your library now" not in window.learn_offer.text.text()  # it ended
