"""Settings persist (library settings file + QSettings); unexpected errors are logged and shown."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from gui_library import copy_db
from PySide6.QtCore import QSettings

from tagger.gui.app import ExceptionReporter, setup_logging
from tagger.gui.settings_store import SETTINGS_KEY, SettingsStore
from tagger.library.settings import Settings


def test_settings_dialog_saves_to_the_library_file_and_qsettings(
    qtbot, make_window, settings, tmp_path: Path, qsettings: QSettings
) -> None:
    window = make_window(settings)
    dialog = window.open_settings()
    dialog.threshold.setValue(0.65)
    dialog.add_folder(str(tmp_path))
    dialog.genre_edits["metal"].setText("Heavy Metal")
    dialog.separator.setText(" / ")
    dialog.workers.setValue(3)
    dialog.genre_map.setPlainText("grindcore = metal\n" + dialog.genre_map.toPlainText())
    dialog.accept()

    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["threshold"] == 0.65
    assert saved["library_folders"] == [str(tmp_path)]
    assert saved["genre_strings"]["metal"] == "Heavy Metal"
    assert saved["id3_separator"] == " / "
    assert saved["workers"] == 3
    assert saved["genre_map"][0] == {"genre": "grindcore", "class": "metal"}
    assert saved["model_path"] == settings.model_path
    assert json.loads(qsettings.value(SETTINGS_KEY))["threshold"] == 0.65
    assert window.client.rule.threshold == 0.65

    # Gone from the file: the QSettings mirror brings them back.
    (tmp_path / "settings.json").unlink()
    restored, problem = SettingsStore(qsettings, tmp_path / "settings.json").load()
    assert problem is None and restored.threshold == 0.65


def test_invalid_settings_are_refused_in_the_dialog(make_window, settings) -> None:
    window = make_window(settings)
    dialog = window.open_settings()
    dialog.threshold.setValue(0.5)
    dialog.original = Settings(decode_timeout=-1)  # an impossible value from an old file
    dialog.accept()
    assert dialog.isVisible() and dialog.problem.isVisible()
    dialog.reject()


def test_a_genre_map_line_without_a_class_is_refused(make_window, settings) -> None:
    window = make_window(settings)
    dialog = window.open_settings()
    dialog.genre_map.setPlainText("death metal\n")
    dialog.accept()
    assert dialog.isVisible() and "genre map" in dialog.problem.text()
    dialog.reject()


def test_window_geometry_persists(qtbot, make_window, settings, qsettings: QSettings) -> None:
    first = make_window(settings)
    first.splitter.setSizes([210, 500, 340])
    first.table.horizontalHeader().resizeSection(5, 333)  # Prediction: the user may widen it
    first.close()
    assert not qsettings.value("window/geometry").isEmpty()
    second = make_window(settings)
    assert qsettings.value("window/splitter") == first.splitter.saveState()
    assert second.table.horizontalHeader().sectionSize(5) == 333


def test_unexpected_errors_are_logged_and_shown(qtbot, tmp_path: Path) -> None:
    log_file = setup_logging(tmp_path / "logs" / "tagger.log")
    reporter = ExceptionReporter(log_file)
    shown: list[str] = []
    reporter.show_dialog = shown.append
    reporter.install()
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            import sys

            sys.excepthook(type(exc), exc, exc.__traceback__)

        def fail() -> None:
            raise ValueError("boom in a thread")

        thread = threading.Thread(target=fail)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: len(shown) == 2)
    finally:
        reporter.uninstall()
    assert "boom in a slot" in shown[0] and "boom in a thread" in shown[1]
    text = log_file.read_text()
    assert "RuntimeError: boom in a slot" in text and "ValueError: boom in a thread" in text


def settles_by_thread(monkeypatch) -> list[tuple[bool, int]]:
    """(on the GUI thread?, tracks computed) for every settle of the tag classes."""
    import tagger.library.album_consensus as album_consensus
    import tagger.library.tag_class as tag_class

    calls: list[tuple[bool, int]] = []
    real = tag_class.settle

    def recorded(session, genre_map) -> int:
        done = real(session, genre_map)
        calls.append((threading.current_thread() is threading.main_thread(), done))
        return done

    monkeypatch.setattr(tag_class, "settle", recorded)
    monkeypatch.setattr(album_consensus, "settle_tag_classes", recorded)
    return calls


def tag_classes(db: Path) -> dict[str, str | None]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT path, tag_class FROM tracks WHERE genres LIKE '%core%'")
        return {Path(path).name: tag_class for path, tag_class in rows}


def test_an_edited_genre_map_is_applied_in_the_worker(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path, wait_idle, monkeypatch
) -> None:
    """ "Metalcore" is ignored by default; mapped to metal in Settings, every track is read
    again under the new map by a job, not by the refresh on the GUI thread, and the window
    shows the new class once it has finished."""
    db = copy_db(classified_master, tmp_path / "library.db")
    window = make_window(settings, db)
    wait_idle(window)
    assert set(tag_classes(db).values()) == {None}
    calls = settles_by_thread(monkeypatch)
    dialog = window.open_settings()
    dialog.genre_map.setPlainText("metalcore = metal\n" + dialog.genre_map.toPlainText())
    with qtbot.waitSignal(window.runner.finished, timeout=30_000) as finished:
        dialog.accept()
    assert finished.args[0].title == "Genre map"
    assert finished.args[0].summary.startswith("Genre map applied to")
    assert set(tag_classes(db).values()) == {"metal"}
    assert [done for on_gui, done in calls if on_gui] == [0] * sum(1 for c in calls if c[0])
    assert any(done and not on_gui for on_gui, done in calls)
    rows = (window.model.row_at(i) for i in range(window.model.rowCount()))
    metalcore = next(r for r in rows if r is not None and r.genres)
    assert window.client.detail(metalcore.id).tag_class == "metal"


def test_an_upgraded_library_reads_its_genre_tags_in_the_worker(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path, wait_idle, monkeypatch
) -> None:
    """A library whose tag classes were never computed (a library from before them) opens at
    once; a job computes them."""
    db = copy_db(classified_master, tmp_path / "library.db")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE tracks SET tag_class = NULL, tag_class_map = NULL")
    calls = settles_by_thread(monkeypatch)
    window = make_window(settings, db)
    assert window.runner.busy and window.runner.name == "Genre map"
    wait_idle(window)
    assert [done for on_gui, done in calls if on_gui] == [0] * sum(1 for c in calls if c[0])
    assert any(done and not on_gui for on_gui, done in calls)
    with sqlite3.connect(db) as connection:
        assert connection.execute(
            "SELECT count(*) FROM tracks WHERE tag_class_map IS NULL"
        ).fetchone() == (0,)
