"""The main window's actions: menus, toolbar and shortcuts, each wired to a window slot.

A mixin so the window keeps its `act_*` attributes (tests and the tag dialog use them) while the
long list of texts, icons and shortcuts lives apart from the window's behaviour.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QStyle, QToolBar


class MainWindowActions:
    """Builds the actions of a QMainWindow that has the slots they name (see `MainWindow`).

    A plain mixin, listed before QMainWindow in the window's bases."""

    choose_folder: Callable[[], None]
    scan: Callable[[], None]
    classify: Callable[[], None]
    toggle_review: Callable[[], None]
    open_tag_dialog: Callable[[], None]
    undo_last_write: Callable[[], None]
    open_settings: Callable[[], object]
    cancel_job: Callable[[], None]
    open_train_dialog: Callable[[], object]
    open_models_dialog: Callable[[], object]
    _focus_search: Callable[[], None]

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | str,
        slot: object,
        icon: QStyle.StandardPixmap | None = None,
        theme: str = "",
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(QIcon.fromTheme(theme, self.style().standardIcon(icon)))
        sequence = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text.rstrip('…')} ({sequence})" if sequence else tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_add = self._action(
            "&Add folder…", QKeySequence.StandardKey.Open, self.choose_folder,
            sp.SP_DirOpenIcon, "folder-open", "Add a music folder to the library and scan it",
        )  # fmt: skip
        self.act_scan = self._action(
            "&Scan", "F5", self.scan, sp.SP_BrowserReload, "view-refresh",
            "Scan the library folders for new and changed files, then classify them",
        )  # fmt: skip
        self.act_classify = self._action(
            "&Classify", "Ctrl+K", self.classify, sp.SP_MediaPlay, "system-run",
            "Classify every track that has no prediction from the current model",
        )  # fmt: skip
        self.act_review = self._action(
            "&Review queue", "Ctrl+R", self.toggle_review, sp.SP_MessageBoxQuestion,
            "dialog-question", "Decide the tracks the model is unsure about, by ear",
        )  # fmt: skip
        self.act_review.setCheckable(True)
        self.act_write = self._action(
            "&Write tags…", "Ctrl+T", self.open_tag_dialog, sp.SP_DialogSaveButton,
            "document-save", "Write Metal/Hardcore genre tags into the files",
        )  # fmt: skip
        self.act_undo = self._action(
            "&Undo last write", QKeySequence.StandardKey.Undo, self.undo_last_write,
            sp.SP_ArrowBack, "edit-undo", "Put back the genres the last tag write replaced",
        )  # fmt: skip
        self.act_settings = self._action(
            "Se&ttings…", "Ctrl+,", self.open_settings, sp.SP_FileDialogDetailedView,
            "preferences-system", "Library folders, review threshold, genres, model",
        )  # fmt: skip
        self.act_cancel = self._action(
            "Ca&ncel", "Esc", self.cancel_job, sp.SP_BrowserStop, "process-stop",
            "Stop the running job; finished files are kept",
        )  # fmt: skip
        self.act_train = self._action(
            "&Train a model from this library…", "", self.open_train_dialog, None, "",
            "Learn from your review decisions and the genre tags the genre map understands",
        )  # fmt: skip
        self.act_models = self._action(
            "&Models…", "", self.open_models_dialog, None, "",
            "The models this library knows, how well each did, and which one classifies",
        )  # fmt: skip
        self.act_find = self._action("&Find", QKeySequence.StandardKey.Find, self._focus_search)
        self.act_quit = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_settings.setMenuRole(QAction.MenuRole.PreferencesRole)

    def _build_menus_and_toolbar(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addActions([self.act_add, self.act_settings])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        library_menu = menus.addMenu("&Library")
        library_menu.addActions([self.act_scan, self.act_classify, self.act_cancel])
        library_menu.addSeparator()
        library_menu.addActions([self.act_review, self.act_find])
        library_menu.addSeparator()
        library_menu.addActions([self.act_train, self.act_models])
        tags_menu = menus.addMenu("&Tags")
        tags_menu.addActions([self.act_write, self.act_undo])

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (
            self.act_add, self.act_scan, self.act_classify, self.act_cancel, None,
            self.act_review, self.act_write, self.act_undo, None, self.act_settings,
        ):  # fmt: skip
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
