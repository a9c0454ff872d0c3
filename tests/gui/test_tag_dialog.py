"""Tag dialog: preview (old → new genres), write in the worker, summary, then undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from tagger.library.queries import SmartList
from tagger.tags import read_genres


def test_preview_write_and_undo(qtbot, make_window, no_model_settings, music: Path, wait_idle):
    window = make_window(no_model_settings)
    window.add_folders([str(music)])
    wait_idle(window)
    window.sidebar.select(SmartList.ALL)
    rows = [window.model.row_at(r) for r in range(window.model.rowCount())]
    decided = [r for r in rows if r.status == "new"][:2]
    window.client.decide([r.id for r in decided], "metal")
    window.refresh()
    assert not window.act_undo.isEnabled()  # nothing written yet: nothing to undo

    window.act_write.trigger()
    dialog = window.tag_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.scope_group.checkedButton().text().startswith("Whole library")
    assert dialog.mode.currentData() == "add"

    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.last_outcome is not None, timeout=30_000)
    changes = dialog.changes.changes
    assert sorted(c.path for c in changes) == sorted(r.path for r in decided)
    assert all(str(c.action) == "write" and "Metal" in c.new_genres for c in changes)
    assert dialog.changes.index(0, 3).data().endswith("Metal")
    assert "2 files would change" in dialog.summary.text()
    assert "skipped" in dialog.summary.text()  # the undecided, unclassified tracks
    for r in decided:
        assert "Metal" not in read_genres(r.path)  # a preview writes nothing
    assert dialog.write_button.isEnabled()

    dialog.write_button.click()
    qtbot.waitUntil(lambda: dialog.last_outcome.title == "Write tags", timeout=30_000)
    summary = dialog.summary.text()
    assert "Wrote 2 files" in summary and "0 stale" in summary and "0 errors" in summary
    for r in decided:
        assert "Metal" in read_genres(r.path)
    assert {str(c.action) for c in dialog.changes.changes} == {"written"}
    dialog.close()
    QApplication.processEvents()

    assert window.act_undo.isEnabled() and "batch 1" in window.act_undo.toolTip()
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=30_000)
    assert "restored 2 files" in window.last_outcome.summary
    for r in decided:
        assert "Metal" not in read_genres(r.path)
    assert not window.act_undo.isEnabled()  # undone: nothing left to undo


def test_changing_options_invalidates_the_preview(
    qtbot, make_window, no_model_settings, music: Path, wait_idle
) -> None:
    window = make_window(no_model_settings)
    window.add_folders([str(music)])
    wait_idle(window)
    first = window.model.row_at(0)
    window.client.decide([first.id], "hardcore")
    window.table.selectRow(0)
    window.act_write.trigger()
    dialog = window.tag_dialog
    assert dialog.scope_group.checkedButton().text() == "Selected tracks (1)"
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.last_outcome is not None, timeout=30_000)
    assert dialog.write_button.isEnabled()
    dialog.mode.setCurrentIndex(dialog.mode.findData("replace"))
    assert not dialog.write_button.isEnabled()
    dialog.close()
