"""Library → Train a model from this library…, and the learning parts of the window."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_db

from tagger.library.queries import SmartList


def test_train_dialog_shows_labels_and_refuses_too_few(
    make_window, settings, classified_master: Path, tmp_path: Path
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
    assert rows == {"Hardcore": "2", "Metal": "1"}
    assert not dialog.train_button.isEnabled()
    assert "at least" in dialog.estimate.text()
    dialog.reject()


def test_sidebar_has_the_conflicts_list(make_window, settings, classified_master, tmp_path) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.refresh()
    assert window.sidebar.count_of(SmartList.CONFLICTS) == 0
    window.sidebar.select(SmartList.CONFLICTS)
    assert window.model.rowCount() == 0
