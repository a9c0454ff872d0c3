"""What a new user trips over in the app (issue 10): title, table width, verdict texts, captions,
and Qt's audio probing on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from audio_factory import tone, write_audio
from gui_library import copy_db
from mutagen.flac import FLAC

from tagger.gui.main_window import PAGE_EMPTY, PAGE_LIBRARY
from tagger.gui.settings_store import APPLICATION
from tagger.gui.track_table_model import COLUMNS
from tagger.gui.window_layout import DEFAULT_SIZE
from tagger.gui.window_strip import strip_caption
from tagger.library.queries import SmartList, WindowRow
from tagger.library.scanner import scan

PREDICTION, CONFIDENCE, DECIDED_BY = 5, 6, 7


def test_the_title_names_the_library_not_the_app_twice(make_window, settings) -> None:
    window = make_window(settings)
    # Qt adds the application's display name to the title bar itself.
    assert window.windowTitle() == "library.db"
    assert APPLICATION not in window.windowTitle()


def test_the_table_fits_the_default_window(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    assert (window.width(), window.height()) == DEFAULT_SIZE
    qtbot.waitUntil(lambda: window.table.viewport().width() > 0)
    header = window.table.horizontalHeader()
    assert header.length() <= window.table.viewport().width()
    assert window.table.horizontalScrollBar().maximum() == 0
    metrics = window.table.fontMetrics()
    for column, text in ((PREDICTION, "Hardcore (review)"), (DECIDED_BY, "Decided by")):
        assert header.sectionSize(column) >= metrics.horizontalAdvance(text), COLUMNS[column]
    for column in (0, 1, 2):  # the free-text columns keep a useful width
        assert header.sectionSize(column) >= 80, COLUMNS[column].title


def _select(window, smart: SmartList) -> None:
    window.sidebar.select(smart)
    window.table.selectRow(0)
    assert window.details.detail is not None


def test_a_user_decision_reads_as_the_users(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    _select(window, SmartList.ALL)
    row = window.details.detail.row
    assert row.predicted_label is not None
    other = next(c for c in window.client.classes if c != row.predicted_label)
    window.details.decide_buttons[other].click()

    assert window.details.decided_by.text() == f"{other.title()} — your decision"
    table_row = next(
        r for r in range(window.model.rowCount()) if window.model.track_id(r) == row.id
    )
    assert window.model.index(table_row, PREDICTION).data() == other.title()
    assert window.model.index(table_row, CONFIDENCE).data() == ""  # not the model's number
    assert window.model.index(table_row, DECIDED_BY).data() == "You"


def test_unreadable_tracks_offer_no_decision(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    _select(window, SmartList.ERRORS)
    details = window.details
    assert details.prediction.text() == "Not classified: the file cannot be read"
    assert not any(b.isVisibleTo(details) for b in details.decide_buttons.values())
    assert not details.clear_button.isVisibleTo(details)


def test_out_of_scope_tracks_say_why(make_window, settings, music: Path) -> None:
    jazz = music / "Quiet Trio" / "Blue Hour.flac"
    jazz.parent.mkdir()
    write_audio(jazz, tone(2.0, rate=22_050, freq=220.0), rate=22_050)
    tags = FLAC(jazz)
    tags["genre"] = "Jazz"
    tags.save()
    window = make_window(settings)
    scan(window.library, [music])
    window.refresh()
    _select(window, SmartList.OUT_OF_SCOPE)
    assert window.details.prediction.text() == ("Not classified: genre 'Jazz' is outside the scope")


def test_the_strip_caption_follows_the_segment_plan(
    make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.sidebar.select(SmartList.ALL)
    for r in range(window.model.rowCount()):
        window.table.selectRow(r)
        if window.details.detail.windows:
            break
    # The generated tracks last 4 s: 60 parts of 0.07 s, not 60 windows of 3 s.
    assert window.details.strip_caption.text().startswith("Each bar is 1/60 of the track (0.1 s)")

    long_track = [WindowRow(i * 4.0, i * 4.0 + 3.0, {}) for i in range(60)]
    assert strip_caption(long_track).startswith("Each bar is one 3 s window, one from each 1/60")
    one_minute = [WindowRow(i * 57 / 59, i * 57 / 59 + 3.0, {}) for i in range(60)]
    assert strip_caption(one_minute).startswith("Each bar is one 3 s window; they overlap")
    assert strip_caption([WindowRow(0.0, 2.0, {})]).startswith("One bar: the whole track")
    assert strip_caption([]) == ""


def test_the_empty_library_offers_a_demo(
    make_window, settings, tmp_path: Path, monkeypatch, wait_idle
) -> None:
    pytest.importorskip("tagger.service.demo")  # the service comes with branch firstrun-cli
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    window = make_window(settings)
    assert window.stack.currentIndex() == PAGE_EMPTY
    assert window.empty.demo_button.isVisible()
    window.demo.options = {"home": tmp_path / "demo", "tracks": 2, "seconds": (4.0, 5.0)}
    window.empty.demo_button.click()
    wait_idle(window, timeout=240_000)
    assert window.last_outcome is not None and not window.last_outcome.cancelled
    assert window.windowTitle() == "demo.db"
    assert window.stack.currentIndex() == PAGE_LIBRARY
    assert window.model.rowCount() == 2
    rows = [window.model.row_at(r) for r in range(2)]
    assert all(r is not None and r.predicted_label for r in rows)
    assert all(str(tmp_path / "demo") in r.path for r in rows)


def test_qt_audio_probing_stays_off_the_terminal(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        from PySide6.QtCore import qWarning
        from tagger.gui.app import create_application
        from tagger.gui.playback import PreviewPlayer

        app = create_application()
        player = PreviewPlayer()
        qWarning("a message that concerns the user")
        """
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(tmp_path),  # no PulseAudio server here: Qt would complain
        "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "a message that concerns the user" in done.stderr
    for noise in ("qt.multimedia", "pipewire", "PulseAudioService", "FFmpeg"):
        assert noise not in done.stderr
