"""`tagger gui FOLDER` start-up order: the window shows before the job services are imported,
and the folder's scan starts once they are (on the event loop's first turn)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audio_factory import write_tone

REPO = Path(__file__).resolve().parents[2]

# Runs `tagger gui FOLDER` and reports, as JSON, what was loaded when the window first showed
# and whether a job was running after the first turns of the event loop.
DRIVER = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

seen = {}

def window():
    return next(w for w in QApplication.topLevelWidgets() if hasattr(w, "runner"))

def after_first_turns():
    seen["busy_after"] = window().runner.busy
    seen["onnxruntime_after"] = "onnxruntime" in sys.modules
    seen["tag_writer_after"] = "tagger.library.tagging" in sys.modules
    window().runner.cancel()
    finish()

def finish():
    if window().runner.busy:  # the job stops at its next step
        QTimer.singleShot(50, finish)
        return
    print(json.dumps(seen), flush=True)
    QApplication.instance().exit(0)

def at_exec():
    seen["visible"] = window().isVisible()
    seen["rows"] = window().model.rowCount()
    seen["onnxruntime_at_show"] = "onnxruntime" in sys.modules
    seen["tag_writer_at_show"] = "tagger.library.tagging" in sys.modules
    seen["busy_at_show"] = window().runner.busy
    return QApplication.exec_original()

QApplication.exec_original = QApplication.exec
QApplication.exec = lambda *_: (QTimer.singleShot(200, after_first_turns), at_exec())[1]
from tagger.cli import main
sys.exit(main(["gui", sys.argv[1]]))
"""


def test_window_shows_first_then_services_load_and_the_folder_scan_starts(tmp_path):
    music = tmp_path / "music"
    write_tone(music / "band" / "song.wav", 1.0, 16_000, 220)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
        "TAGGER_DB": str(tmp_path / "library.db"),
        "TAGGER_SETTINGS": str(tmp_path / "settings.json"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(music)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["visible"] and not seen["onnxruntime_at_show"] and not seen["busy_at_show"]
    assert seen["onnxruntime_after"] and seen["busy_after"]
    # The tag writer (tagger.library.tagging) is a job's service too: the window asks whether
    # there is a write to undo through LibraryClient's light query, not through it.
    assert not seen["tag_writer_at_show"] and seen["tag_writer_after"]
