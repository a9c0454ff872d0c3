"""Library → Models…: the library's models, which one is active, and switching in the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_library import copy_db

from tagger.gui.models_dialog import HEADERS
from tagger.gui.train_dialog import TrainDialog
from tagger.library.model_registry import register_model_file
from tagger.library.queries import SmartList, TrackFilter
from tagger.library.settings import Settings


def _second_model(folder: Path) -> Path:
    """Another untrained model file: other weights, so the library counts it as another model."""
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    torch.manual_seed(1)
    path = folder / "second.safetensors"
    save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig())
    return path


@pytest.fixture
def two_models(make_window, settings, classified_master: Path, tmp_path: Path):
    """The window over a classified library (by the settings' model) that knows a second one."""
    second = _second_model(tmp_path)
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    with window.library.session() as s, s.begin():
        register_model_file(s, second)
    return window, second


def _cells(dialog, column: str) -> list[str]:
    c = HEADERS.index(column)
    return [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())]


def _models_of_current_predictions(window) -> set[str]:
    rows = window.client.fetch(TrackFilter(), 0, 1000, "path", False)
    return {r.model for r in rows if r.model}


def test_the_dialog_lists_the_models_and_marks_the_active_one(two_models, random_model) -> None:
    window, _second = two_models
    assert window.act_models in window.menuBar().actions()[1].menu().actions()
    assert window.model_button.text() == f"Model: {random_model.stem}"
    dialog = window.open_models_dialog()
    assert sorted(_cells(dialog, "Name")) == ["random", "second"]
    active = _cells(dialog, "Active").index("●")
    assert _cells(dialog, "Name")[active] == "random"
    assert dialog.table.item(active, 1).font().bold()
    classified = dict(zip(_cells(dialog, "Name"), _cells(dialog, "Tracks classified"), strict=True))
    assert classified["second"] == "0" and int(classified["random"]) > 0
    # The active row starts selected, and using it again is not offered.
    assert dialog.selected().name == "random"
    assert not dialog.use_button.isEnabled()
    assert dialog.bundled_button.isEnabled()
    dialog.reject()


def test_using_another_model_reclassifies_the_library_with_it(two_models, wait_idle) -> None:
    window, second = two_models
    dialog = window.open_models_dialog()
    dialog.table.selectRow(_cells(dialog, "Name").index("second"))
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()

    assert window.settings.model_path == str(second)
    assert window.store.load()[0].model_path == str(second)  # saved, as `tagger models use`
    assert window.model_button.text() == "Model: second"
    assert window.runner.busy and window.runner.name == "Classify"
    wait_idle(window)
    assert _models_of_current_predictions(window) == {"second"}


def test_a_model_chosen_during_a_job_classifies_once_the_job_has_finished(
    two_models, music: Path, wait_idle, qtbot
) -> None:
    window, second = two_models
    window.settings.library_folders = [str(music)]
    window.scan()
    assert window.runner.busy
    window.use_model(str(second))
    assert "once the running job has finished" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: _models_of_current_predictions(window) == {"second"}, timeout=60_000)
    wait_idle(window)


def test_a_missing_model_file_cannot_be_used_and_the_bundled_one_can(two_models) -> None:
    window, second = two_models
    second.unlink()
    dialog = window.open_models_dialog()
    row = _cells(dialog, "Name").index("second")
    assert _cells(dialog, "File")[row].endswith("(missing)")
    dialog.table.selectRow(row)
    assert not dialog.use_button.isEnabled()
    dialog.bundled_button.click()
    assert window.settings.model_path is None
    assert window.model_button.text() == "Model: bundled"


def test_the_status_bar_says_when_the_active_model_file_is_gone(
    make_window, no_model_settings
) -> None:
    window = make_window(no_model_settings)
    assert window.model_button.text() == "Model: no-such-model (missing)"
    assert "is gone" in window.model_button.toolTip()


def test_a_library_without_models_says_how_to_make_one(make_window, tmp_path: Path) -> None:
    from tagger.library.settings import Settings

    window = make_window(Settings(workers=1))
    dialog = window.open_models_dialog()
    assert dialog.table.isHidden() and not dialog.empty.isHidden()
    assert "Train a model" in dialog.empty.text()
    assert not dialog.bundled_button.isEnabled()  # it is the active one already
    assert not window.findChildren(TrainDialog)
    dialog.train_button.click()
    assert window.findChildren(TrainDialog)


def test_a_model_file_chosen_in_settings_classifies_the_library_with_it(
    two_models, wait_idle
) -> None:
    window, second = two_models
    dialog = window.open_settings()
    dialog.model_path.setText(str(second))
    dialog.accept()
    assert window.model_button.text() == "Model: second"
    assert window.runner.busy and window.runner.name == "Classify"
    wait_idle(window)
    assert _models_of_current_predictions(window) == {"second"}
    # Saving other settings with the same model starts nothing.
    dialog = window.open_settings()
    dialog.threshold.setValue(0.7)
    dialog.accept()
    assert not window.runner.busy


def test_the_retrain_hint_comes_when_an_album_decided_at_once_passes_the_mark(
    make_window, settings, random_model: Path, tmp_path: Path
) -> None:
    from tagger.library.schema import Track
    from tagger.library.store import Library

    db = tmp_path / "library.db"
    library = Library.open(db)
    with library.session() as s, s.begin():
        register_model_file(s, random_model)  # the active model, before any decision
        for i in range(60):
            s.add(Track(path=f"/music/{i:02d}.mp3", size=1, mtime_ns=1, genres=[]))
    library.close()
    window = make_window(settings, db)
    ids = [r.id for r in window.client.fetch(TrackFilter(), 0, 100, "path", False)]
    window.decide(ids[:45], "metal")
    assert "review decisions since" not in window.statusBar().currentMessage()
    window.decide(ids[:5], "hardcore")  # minds changed: no new tracks decided
    assert "review decisions since" not in window.statusBar().currentMessage()
    assert window.model_button.text() == "Model: random"
    window.decide(ids[45:55], "metal")
    assert window.statusBar().currentMessage().startswith("55 review decisions since")
    assert window.model_button.text() == "Model: random · 55 new decisions"  # stays in view
    window.use_model(None)  # the bundled model is not retrained: the offer bar trains a first
    assert window.model_button.text() == "Model: bundled"
    window.decide(ids[55:60], "hardcore")
    assert "review decisions since" not in window.statusBar().currentMessage()


def test_a_model_path_is_shown_as_text_not_markup(make_window, tmp_path: Path) -> None:
    from tagger.library.settings import Settings

    odd = tmp_path / "<b>R&B</b> models" / "mine.safetensors"
    window = make_window(Settings(model_path=str(odd), workers=1))
    dialog = window.open_models_dialog()
    assert "&lt;b&gt;R&amp;B&lt;/b&gt;" in dialog.intro.text()
    dialog.reject()


def _remove_selected(dialog, name: str, delete_file: bool) -> None:
    dialog.table.selectRow(_cells(dialog, "Name").index(name))
    assert dialog.remove_button.isEnabled()
    dialog.remove_button.click()
    box = dialog.confirm
    assert box is not None and box.isVisible() and name in box.text()
    box.checkBox().setChecked(delete_file)
    next(b for b in box.buttons() if b.text() == "Remove").click()


def test_a_model_that_is_not_active_can_be_removed_with_its_file(two_models) -> None:
    window, second = two_models
    dialog = window.open_models_dialog()
    assert dialog.selected().name == "random" and not dialog.remove_button.isEnabled()
    assert "active model" in dialog.remove_button.toolTip()

    _remove_selected(dialog, "second", delete_file=True)
    assert _cells(dialog, "Name") == ["random"]
    assert not second.exists()
    assert "Model “second” removed (its file deleted)" in window.statusBar().currentMessage()
    dialog.reject()


def test_removing_the_model_that_classified_the_tracks_leaves_them_for_classify(
    make_window, classified_master: Path, random_model: Path, tmp_path: Path
) -> None:
    """Another model is active, but the tracks still carry the predictions of the one that
    classified them (no Classify since the switch): removing that one unclassifies them."""
    second = _second_model(tmp_path)
    settings = Settings(model_path=str(second), workers=1)
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    dialog = window.open_models_dialog()
    tracks = dict(zip(_cells(dialog, "Name"), _cells(dialog, "Tracks classified"), strict=True))
    by_random = int(tracks["random"])
    assert by_random > 0 and window.sidebar.count_of(SmartList.UNCLASSIFIED) == 0

    _remove_selected(dialog, "random", delete_file=False)
    assert dialog.table.rowCount() == 0 and random_model.exists()  # second: not used yet
    message = window.statusBar().currentMessage()
    assert f"{by_random:,} tracks it had classified wait for Classify" in message
    assert window.sidebar.count_of(SmartList.UNCLASSIFIED) == by_random
    dialog.reject()
