"""The track table's right-click menu: several tracks decided or cleared at once, their tags
written, their folder opened, their paths copied."""

from __future__ import annotations

from pathlib import Path

from gui_library import copy_db
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint
from PySide6.QtWidgets import QApplication, QMenu

from tagger.gui.track_menu import folders_of


def _window_with_selection(make_window, settings, classified_master: Path, tmp_path, n: int):
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    model, selection = window.model, window.table.selectionModel()
    chosen = QItemSelection(model.index(0, 0), model.index(n - 1, model.columnCount() - 1))
    selection.select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    return window, [model.row_at(r) for r in range(n)]


def _all_rows(window):
    return [window.model.row_at(i) for i in range(window.model.rowCount())]


def _actions(menu: QMenu) -> dict[str, object]:
    return {a.text(): a for a in menu.actions() if a.text()}


def test_deciding_and_clearing_several_tracks_at_once(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window, rows = _window_with_selection(make_window, settings, classified_master, tmp_path, 3)
    menu = window.track_menu()
    actions = _actions(menu)
    titles = [f"It's {c.title()}" for c in window.client.classes]  # the details pane's order
    assert list(actions)[:3] == [*titles, "Clear decision"]
    assert not actions["Clear decision"].isEnabled()  # nothing decided yet
    assert actions["Write tags…"].isEnabled() and "Copy 3 paths" in actions

    actions["It's Metal"].trigger()
    ids = {r.id for r in rows}
    decided = [r for r in _all_rows(window) if r.id in ids]
    assert len(decided) == 3
    assert all(r.label == "metal" and r.decided_by == "user" for r in decided)
    assert window.statusBar().currentMessage() == "3 tracks decided: Metal"

    window.table.selectionModel().clearSelection()  # the refresh may have sorted them apart
    for r in range(window.model.rowCount()):
        if window.model.row_at(r).id in ids:
            window.table.selectionModel().select(
                window.model.index(r, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
    clear = _actions(window.track_menu())["Clear 3 decisions"]
    assert clear.isEnabled()
    clear.trigger()
    assert not [r for r in _all_rows(window) if r.id in ids and r.decided_by == "user"]


def test_copy_paths_and_the_folder_they_are_in(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window, rows = _window_with_selection(make_window, settings, classified_master, tmp_path, 2)
    actions = _actions(window.track_menu())
    actions["Copy 2 paths"].trigger()
    assert QApplication.clipboard().text().splitlines() == [r.path for r in rows]
    one_folder = len({str(Path(r.path).parent) for r in rows}) == 1
    assert ("Open containing folder" in actions) == one_folder


def test_write_tags_opens_the_tag_dialog_on_the_selection(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window, _rows = _window_with_selection(make_window, settings, classified_master, tmp_path, 2)
    _actions(window.track_menu())["Write tags…"].trigger()
    dialog = window.tag_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.scope_group.checkedButton().text().startswith("Selected")
    dialog.reject()


def test_a_right_click_pops_the_menu_up(
    make_window, settings, classified_master: Path, tmp_path: Path, qtbot
) -> None:
    window, _rows = _window_with_selection(make_window, settings, classified_master, tmp_path, 1)
    window.table.customContextMenuRequested.emit(QPoint(5, 5))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert "It's Metal" in _actions(menu)
    menu.close()


def test_no_selection_no_menu(make_window, settings, classified_master, tmp_path) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.table.selectionModel().clearSelection()
    assert window.track_menu() is None


def test_folders_are_listed_once_in_first_seen_order(tmp_path: Path) -> None:
    b, a = tmp_path / "b", tmp_path / "a"
    paths = [str(b / "1.mp3"), str(a / "2.mp3"), str(b / "3.mp3")]
    assert folders_of(paths) == [str(b), str(a)]
