"""Settings persist (library settings file + QSettings); unexpected errors are logged and shown."""

from __future__ import annotations

import json
import threading
from pathlib import Path

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
