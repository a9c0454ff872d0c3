"""Screenshots of the real application for docs/screenshots/, under Xvfb with Qt's xcb platform.

    .venv/bin/python packaging/screenshots.py [--out docs/screenshots]

Opens the real main window at its default size (1280×800) on an empty library, presses "Try it
on a demo library" (tagger.service.demo: synthetic Metal/Hardcore songs, scanned and classified
with models/cnn-bigru-demo.safetensors, else a random model of the same shape), adds a file that
cannot be read and one with a Japanese name, then saves: first-run.png, main-window.png,
review-queue.png and tag-dialog.png.
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
from collections.abc import Iterator
from contextlib import contextmanager
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


def add_extras(folder: Path) -> None:
    """What a real collection has that the demo lacks: a file that cannot be read, and a file
    name in Japanese with no title tag (so the table shows the name: CJK fonts, see .ci/setup)."""
    from mutagen import File

    source = sorted(p for p in folder.rglob("*") if p.suffix in (".mp3", ".flac"))[0]
    (folder / "corrupt download.mp3").write_bytes(os.urandom(20_000))
    named = folder / "Misc" / f"夜明けの叫び{source.suffix}"
    named.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, named)
    tags = File(named, easy=True)
    if tags is not None and "title" in tags:
        del tags["title"]
        tags.save()


def wait_for_job(app: object, window: object) -> None:
    while window.runner.busy:  # type: ignore[attr-defined]
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)
    outcome = window.last_outcome  # type: ignore[attr-defined]
    print(outcome.summary if outcome else "(no outcome)", flush=True)


def home_of_its_own(work: Path) -> None:
    """HOME is WORK/home, with its own settings file and no XDG folders or TAGGER_DB from the
    caller: a library made here lands in its user data folder, and the app shows paths under
    the home as "~/…", so no temporary folder appears in the pictures."""
    os.environ["HOME"] = str(work / "home")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ.pop(name, None)
    os.environ.pop("TAGGER_DB", None)
    os.environ["TAGGER_SETTINGS"] = str(work / "settings.json")


@contextmanager
def screenshot_session(prefix: str) -> Iterator[Path]:
    """Xvfb on DISPLAY and a home of its own in a new temporary folder (yielded); the server
    stopped and the folder removed afterwards."""
    server = start_xvfb()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    home_of_its_own(work)
    try:
        yield work
    finally:
        server.terminate()
        server.wait(5)
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with screenshot_session("tagger-screens-") as work:
        model = model_file(work)

        from PySide6.QtCore import QSettings

        from tagger.gui.app import create_application, prepare_runtime
        from tagger.gui.main_window import MainWindow
        from tagger.gui.settings_store import SettingsStore
        from tagger.library.queries import SmartList
        from tagger.library.settings import Settings
        from tagger.service.context import open_library

        app = create_application()
        prepare_runtime()
        library = open_library(None)  # library.db in the (new) user data folder
        store = SettingsStore(QSettings(str(work / "gui.ini"), QSettings.Format.IniFormat))
        settings = Settings(model_path=str(model), threshold=0.9, workers=2)
        window = MainWindow(library, store, settings, audio=False)  # 1280×800, the default
        window.show()
        settle(app, 0.5)
        window.grab().save(str(args.out / "first-run.png"))

        print("making the demo library (the first-run button) …", flush=True)
        window.empty.demo_button.click()
        wait_for_job(app, window)
        demo_music = window.last_outcome.payload.folder  # the service's DemoLibrary
        add_extras(demo_music)
        window.add_folders([str(demo_music)])
        wait_for_job(app, window)

        # A few decisions, so the table shows both deciders.
        queue = window.client.review_queue(limit=2)
        for row, label in zip(queue, ["metal", "hardcore"], strict=False):
            window.client.decide([row.id], label)
        window.refresh()
        window.sidebar.select(SmartList.ALL)
        window.table.sortByColumn(1, window.table.horizontalHeader().sortIndicatorOrder())
        for r in range(window.model.rowCount()):
            row = window.model.row_at(r)
            if row is not None and row.predicted_label and row.decided_by == "model":
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
        window.library.close()
        for name in ("first-run", "main-window", "review-queue", "tag-dialog"):
            print(args.out / f"{name}.png")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
