"""A generated music library, a classified copy of it, and the real main window over it.

Audio: a few 2 s FLAC tones with real tags (title, artist, album, year, genre), written once per
session with PyAV + mutagen, plus one file of random bytes that cannot be read. Classification
uses the session's tiny random model, so verdicts are noise but the plumbing is real.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_library import write_library
from PySide6.QtCore import QSettings

from tagger.gui.main_window import MainWindow
from tagger.gui.settings_store import SettingsStore
from tagger.library.settings import Settings
from tagger.library.store import Library


@pytest.fixture(scope="session")
def music_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path_factory.mktemp("music-master") / "music")


@pytest.fixture
def music(music_master: Path, tmp_path: Path) -> Path:
    """A fresh copy of the generated library for one test (tag writes change files)."""
    return Path(shutil.copytree(music_master, tmp_path / "music"))


@pytest.fixture(scope="session")
def classified_master(
    tmp_path_factory: pytest.TempPathFactory, music_master: Path, random_model: Path
) -> Path:
    """A library database of music_master, scanned and classified through the services."""
    from tagger.library.pipeline import run_classification, select_for_classification
    from tagger.library.records import register_model
    from tagger.library.scanner import scan
    from tagger.model.predictor import Predictor

    db = tmp_path_factory.mktemp("classified") / "library.db"
    library = Library.open(db)
    try:
        scan(library, [music_master])
        predictor = Predictor.load(random_model)
        with library.session() as session, session.begin():
            model_id = register_model(session, predictor).id
        ids = select_for_classification(library, model_id)
        run_classification(library, predictor, ids, workers=1)
    finally:
        library.close()
    return db


@pytest.fixture
def settings(tmp_path: Path, random_model: Path) -> Settings:
    return Settings(model_path=str(random_model), workers=1)


@pytest.fixture
def no_model_settings(tmp_path: Path) -> Settings:
    """Settings whose model file does not exist: a scan reads files and skips classifying."""
    return Settings(model_path=str(tmp_path / "no-such-model.safetensors"), workers=1)


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot, tmp_path: Path, qsettings: QSettings) -> Iterator[WindowFactory]:
    """make_window(settings, db=None) → the real MainWindow, shown, audio preview off."""
    made: list[tuple[MainWindow, Library]] = []

    def make(settings: Settings, db: Path | None = None) -> MainWindow:
        library = Library.open(db or tmp_path / "library.db")
        store = SettingsStore(qsettings, tmp_path / "settings.json")
        window = MainWindow(library, store, settings, audio=False)
        qtbot.addWidget(window)
        window.show()
        made.append((window, library))
        return window

    yield make
    for window, library in made:
        window.runner.shutdown()
        library.close()


@pytest.fixture
def wait_idle(qtbot) -> Callable[..., None]:
    def wait(window: MainWindow, timeout: int = 60_000) -> None:
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=timeout)

    return wait
