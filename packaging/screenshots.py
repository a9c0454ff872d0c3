"""Screenshots of the real application for docs/screenshots/, under Xvfb with Qt's xcb platform.

    .venv/bin/python packaging/screenshots.py [--out docs/screenshots] [--tracks 24]

Renders a small demo corpus (tagged synthetic Metal/Hardcore songs, tagger.training.demo_corpus),
drops its folder on the real main window, lets it scan and classify (models/cnn-bigru-demo.
safetensors when present, else a random model of the same shape), then saves:
first-run.png, main-window.png, review-queue.png and tag-dialog.png.
Needs Xvfb (see .ci/setup); starts its own server on display :99.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DISPLAY = ":99"
SCREEN = "1400x900x24"


def start_xvfb() -> subprocess.Popen[bytes]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is not installed (apt-get install xvfb; see .ci/setup)")
    server = subprocess.Popen(
        ["Xvfb", DISPLAY, "-screen", "0", SCREEN, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{DISPLAY[1:]}")
    for _ in range(100):
        if socket.exists():
            break
        if server.poll() is not None:
            sys.exit(f"Xvfb exited with {server.returncode} (is {DISPLAY} taken?)")
        time.sleep(0.05)
    os.environ["DISPLAY"] = DISPLAY
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return server


def model_file(work: Path) -> Path:
    bundled = REPO / "models" / "cnn-bigru-demo.safetensors"
    if bundled.exists():
        return bundled
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    torch.manual_seed(0)
    return save_model(
        work / "random-demo.safetensors", Network(NetworkConfig()), ["hardcore", "metal"],
        FrontEndConfig(),
    )  # fmt: skip


def settle(app: object, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--tracks", type=int, default=24)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    server = start_xvfb()
    work = Path(tempfile.mkdtemp(prefix="tagger-screens-"))
    os.environ["TAGGER_SETTINGS"] = str(work / "settings.json")
    try:
        from tagger.training.demo_corpus import render_demo_corpus

        music = work / "My Music"
        print(f"rendering {args.tracks} demo tracks …", flush=True)
        render_demo_corpus(music, args.tracks, seed=7, duration_range=(40.0, 90.0), workers=2)
        (music / "corrupt download.mp3").write_bytes(os.urandom(20_000))
        model = model_file(work)

        from PySide6.QtCore import QSettings

        from tagger.gui.app import create_application, prepare_runtime
        from tagger.gui.main_window import MainWindow
        from tagger.gui.settings_store import SettingsStore
        from tagger.library.queries import SmartList
        from tagger.library.settings import Settings
        from tagger.library.store import Library

        app = create_application()
        prepare_runtime()
        library = Library.open(work / "library.db")
        store = SettingsStore(QSettings(str(work / "gui.ini"), QSettings.Format.IniFormat))
        settings = Settings(model_path=str(model), threshold=0.9, workers=2)
        window = MainWindow(library, store, settings, audio=False)
        window.resize(1360, 820)
        window.show()
        settle(app, 0.5)
        window.grab().save(str(args.out / "first-run.png"))

        print("scanning and classifying …", flush=True)
        window.add_folders([str(music)])
        while window.runner.busy:
            app.processEvents()
            time.sleep(0.02)
        print(window.last_outcome.summary if window.last_outcome else "(no outcome)")

        # A few decisions, so the table shows both deciders.
        queue = window.client.review_queue(limit=2)
        for row, label in zip(queue, ["metal", "hardcore"], strict=False):
            window.client.decide([row.id], label)
        window.refresh()
        window.sidebar.select(SmartList.ALL)
        window.table.sortByColumn(1, window.table.horizontalHeader().sortIndicatorOrder())
        for r in range(window.model.rowCount()):
            row = window.model.row_at(r)
            if row is not None and row.predicted_label:
                window.table.selectRow(r)
                break
        settle(app)
        window.grab().save(str(args.out / "main-window.png"))

        window.set_review_mode(True)
        window.review.move(1)
        settle(app)
        window.grab().save(str(args.out / "review-queue.png"))
        window.set_review_mode(False)

        window.sidebar.select(SmartList.ALL)
        window.table.selectAll()
        window.act_write.trigger()
        dialog = window.tag_dialog
        assert dialog is not None
        dialog.mode.setCurrentIndex(dialog.mode.findData("add"))
        dialog.preview_button.click()
        while window.runner.busy or dialog.last_outcome is None:
            app.processEvents()
            time.sleep(0.02)
        settle(app)
        dialog.grab().save(str(args.out / "tag-dialog.png"))
        dialog.reject()
        window.close()
        library.close()
        for name in ("first-run", "main-window", "review-queue", "tag-dialog"):
            print(args.out / f"{name}.png")
        return 0
    finally:
        server.terminate()
        server.wait(5)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
