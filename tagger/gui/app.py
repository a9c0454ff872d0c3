"""Starting the desktop application: QApplication, icon, logging, the crash net, the window.

- High-DPI: Qt 6 scales by the screen's factor; PassThrough keeps fractional factors (125 %)
  sharp instead of rounding them.
- Look: the platform's style and palette (light or dark, as the system says); nothing here sets
  colours.
- Nothing crashes the app: an uncaught exception in any thread is written to the log file in the
  user log folder and shown in a dialog, and the window stays usable.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from importlib import resources
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import platformdirs
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from tagger import APP_NAME
from tagger.gui.qt_messages import install_qt_message_filter
from tagger.gui.settings_store import APPLICATION, ORGANIZATION, SettingsStore, default_qsettings
from tagger.service.context import open_library
from tagger.service.errors import ServiceError

log = logging.getLogger("tagger.gui")

LOG_FILE = "tagger.log"


def log_path() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME)) / LOG_FILE


def setup_logging(path: Path | None = None) -> Path:
    """Log to a rotating file in the user log folder (and stderr for warnings)."""
    path = path or log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
        )
        root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path


def app_icon() -> QIcon:
    return QIcon(str(resources.files("tagger.resources") / "tagger.svg"))


class ExceptionReporter(QObject):
    """sys.excepthook and threading.excepthook: log the traceback, then show it in a dialog.

    The hooks may run in any thread; the dialog is shown in the GUI thread through a queued
    signal. `show_dialog` is replaceable (tests record instead of showing).
    """

    reported = Signal(str)

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.show_dialog: Callable[[str], None] = self._dialog
        self._previous: tuple[object, object] | None = None
        self.reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
            self._previous = None

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error:\n%s", text)
        self.reported.emit(text)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str)
    def _on_reported(self, text: str) -> None:
        self.show_dialog(text)

    def _dialog(self, text: str) -> None:
        parent = QApplication.activeWindow()
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Unexpected error")
        box.setText("Something went wrong. The application keeps running.")
        box.setInformativeText(f"The details were written to {self.log_file}.")
        box.setDetailedText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def prepare_runtime() -> None:
    """Before the first job: import the services, then exempt everything loaded so far from the
    cyclic garbage collector.

    Both keep the GUI thread's event loop under 100 ms during scans (measured with
    benchmarks/gui_stall_benchmark.py): importing torch in the worker held the GIL for ~1 s (see
    jobs.py), and with torch and SQLAlchemy loaded a full collection walks ~10^6 long-lived
    objects and took 60–150 ms, in whichever thread triggered it, holding the GIL throughout.
    """
    from tagger.gui.jobs import preload_services

    preload_services()
    gc.collect()
    gc.freeze()


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    install_qt_message_filter()
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv if argv is not None else sys.argv[:1]))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName("tagger")
    app.setApplicationDisplayName(APPLICATION)
    # The desktop entry's id (packaging/*.desktop): Wayland finds the icon and menu entry by it.
    app.setDesktopFileName("io.github.metal_hardcore_tagger")
    app.setWindowIcon(app_icon())
    return app


def run(folders: Sequence[str] = (), db: str | None = None) -> int:
    """`tagger gui`: open the window; folders given are added and scanned at once."""
    app = create_application()
    log_file = setup_logging()
    reporter = ExceptionReporter(log_file, app)
    reporter.install()
    try:
        library = open_library(db)
    except ServiceError as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "Cannot open the library", str(exc))
        return 2
    from tagger.gui.main_window import MainWindow

    store = SettingsStore(default_qsettings())
    window = MainWindow(library, store)
    window.show()

    def after_shown() -> None:
        # The library shows without the services a job needs (ONNX Runtime, PyAV, ...): they
        # are imported on the event loop's first turn, before any job can start.
        prepare_runtime()
        if folders:
            window.add_folders(list(folders))

    QTimer.singleShot(0, after_shown)
    try:
        return app.exec()
    finally:
        reporter.uninstall()
        library.close()
