"""The real main window over a generated library: first run, scanning, lists, search, errors."""

from __future__ import annotations

from pathlib import Path

from gui_library import N_GOOD, copy_db
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tagger.gui.main_window import PAGE_EMPTY, PAGE_LIBRARY
from tagger.library.progress import Progress
from tagger.library.queries import SmartList


def test_first_run_shows_a_call_to_action(make_window, settings) -> None:
    window = make_window(settings)
    assert window.stack.currentIndex() == PAGE_EMPTY
    assert window.empty.button.text() == "Add folder…"
    assert window.empty.isVisible()
    assert "library.db" in window.windowTitle()


def test_every_action_has_a_shortcut_in_menu_and_toolbar(make_window, settings) -> None:
    window = make_window(settings)
    menu_actions = {a for m in window.menuBar().actions() for a in m.menu().actions()}
    toolbar_actions = set(window.toolbar.actions())
    for action in (
        window.act_add, window.act_scan, window.act_classify, window.act_write,
        window.act_undo, window.act_settings, window.act_cancel,
    ):  # fmt: skip
        assert not action.shortcut().isEmpty(), action.text()
        assert action in menu_actions and action in toolbar_actions, action.text()
    assert window.act_quit in menu_actions
    assert window.act_cancel.shortcut().toString() == "Esc"
    assert not window.act_cancel.isEnabled()  # only while busy


def test_scan_reports_progress_and_fills_the_lists(
    qtbot, make_window, settings, music: Path, wait_idle
) -> None:
    window = make_window(settings)
    reports: list[Progress] = []
    window.runner.progress.connect(reports.append)
    window.add_folders([str(music)])
    assert window.runner.busy and window.act_cancel.isEnabled()
    assert window.client.hold_derived  # refreshes during the job keep the album reasons
    assert window.progress.isVisible()
    wait_idle(window)
    assert not window.client.hold_derived  # the last refresh was exact

    phases = {p.phase for p in reports}
    assert {"walk", "read", "classify"} <= phases
    assert reports[-1].phase == "classify" and reports[-1].done == reports[-1].total == N_GOOD
    assert window.settings.library_folders == [str(music)]
    assert "classified" in window.last_outcome.summary
    assert window.stack.currentIndex() == PAGE_LIBRARY
    sidebar = window.sidebar
    assert sidebar.count_of(SmartList.ALL) == N_GOOD + 1
    labelled = sidebar.count_of(SmartList.LABEL, "metal") + sidebar.count_of(
        SmartList.LABEL, "hardcore"
    )
    assert labelled == N_GOOD
    assert sidebar.count_of(SmartList.ERRORS) == 1
    assert window.model.rowCount() == N_GOOD + 1
    titles = {window.model.index(r, 0).data() for r in range(window.model.rowCount())}
    assert "Song 1" in titles and "broken.mp3" in titles
    predictions = {window.model.index(r, 5).data() for r in range(window.model.rowCount())}
    assert any(p.startswith(("Metal", "Hardcore")) for p in predictions)


def test_cancel_stops_the_job_and_keeps_what_was_read(
    qtbot, make_window, settings, music: Path, wait_idle
) -> None:
    window = make_window(settings)

    def cancel_when_classifying(p: Progress) -> None:
        if p.phase in ("load", "classify"):
            window.act_cancel.trigger()

    window.runner.progress.connect(cancel_when_classifying)
    window.add_folders([str(music)])
    wait_idle(window)
    assert window.last_outcome.cancelled
    assert "stopped" in window.statusBar().currentMessage()
    assert window.sidebar.count_of(SmartList.ALL) == N_GOOD + 1  # the read phase was kept
    assert window.act_scan.isEnabled() and not window.act_cancel.isEnabled()


def test_closing_during_a_scan_stops_the_worker(
    qtbot, make_window, settings, music: Path, tmp_path: Path
) -> None:
    window = make_window(settings)
    window.add_folders([str(music)])
    qtbot.waitUntil(lambda: window.sidebar.count_of(SmartList.ALL) > 0 or not window.runner.busy,
                    timeout=30_000)  # fmt: skip
    qtbot.waitUntil(lambda: window.job_label.text().startswith(("Loading", "Classifying"))
                    or not window.runner.busy, timeout=30_000)  # fmt: skip
    thread = window.runner._thread
    window.close()
    assert not window.runner.busy
    assert thread is None or thread.isFinished()
    client_counts = {c.title: c.count for c in window.client.list_counts()}
    assert client_counts["All"] == N_GOOD + 1  # finished work is in the database


def test_sidebar_lists_search_and_error_details(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    assert window.model.rowCount() == N_GOOD + 1

    window.sidebar.select(SmartList.ERRORS)
    assert window.model.rowCount() == 1
    assert window.model.index(0, 8).data() == "Error"
    window.table.selectRow(0)
    assert window.details.detail is not None
    assert window.details.error.text()  # the reason the file cannot be read
    assert window.details.error.isVisibleTo(window.details)

    metal = window.sidebar.count_of(SmartList.LABEL, "metal")
    window.sidebar.select(SmartList.LABEL, "metal")
    assert window.model.rowCount() == metal
    assert all(window.model.index(r, 5).data().startswith("Metal") for r in range(metal))

    window.sidebar.select(SmartList.ALL)
    window.search.setText("concrete")
    qtbot.waitUntil(lambda: window.model.filter.search == "concrete")
    artists = {window.model.index(r, 1).data() for r in range(window.model.rowCount())}
    assert artists == {"Concrete Youth"}
    assert "2 tracks" in window.list_title.text()

    window.search.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == N_GOOD + 1)
    window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # year
    assert window.model.sort_key == "year" and window.model.descending
    assert window.model.index(0, 3).data() == str(1995 + N_GOOD - 1)


def test_details_pane_shows_the_window_strip(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.sidebar.select(SmartList.LABEL, window.client.classes[0])
    if window.model.rowCount() == 0:
        window.sidebar.select(SmartList.LABEL, window.client.classes[1])
    window.table.selectRow(0)
    detail = window.details.detail
    assert detail is not None and len(detail.windows) == 60
    assert len(window.details.strip.windows) == 60
    assert window.details.telling is not None
    requested: list[tuple[str, float]] = []
    window.player.play_requested.connect(lambda path, start: requested.append((path, start)))
    strip = window.details.strip
    strip.resize(600, 90)
    left, width = strip._bar(10, strip._plot())
    from PySide6.QtTest import QTest

    QTest.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPointF(left + width / 2, 30).toPoint())
    assert requested == [(detail.row.path, detail.windows[10].start)]
    assert not window.details.preview_button.isEnabled()  # no audio device in tests
    assert window.audio_note.text()  # the status bar says why


def test_dropping_a_folder_adds_and_scans_it(
    qtbot, make_window, no_model_settings, music: Path, wait_idle
) -> None:
    window = make_window(no_model_settings)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(music))])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(event)
    wait_idle(window)
    assert window.settings.library_folders == [str(music)]
    assert window.sidebar.count_of(SmartList.UNCLASSIFIED) == N_GOOD
    assert "classification skipped" in window.last_outcome.summary
    assert "cannot load the model" in window.statusBar().toolTip()


def test_details_pane_shows_embedded_cover_art(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    from mutagen.flac import FLAC, Picture
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.sidebar.select(SmartList.ALL)
    window.table.selectRow(0)
    path = window.details.detail.row.path
    assert not window.details.cover.isVisibleTo(window.details)  # the generated files have none

    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("darkred"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    assert path.endswith(".flac")  # the library is generated as FLAC files
    tags = FLAC(path)
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", bytes(buffer.data())
    tags.add_picture(picture)
    tags.save()
    window.details.show_detail(None)
    window._show_current_details()
    assert window.details.cover.isVisibleTo(window.details)
    assert not window.details.cover.pixmap().isNull()
