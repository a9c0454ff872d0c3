"""The main window: smart lists, the track table, details, and the actions that drive jobs.

The window wires widgets to the library client and the job runner; the work itself is in the
application service (through jobs.py), the lists in Qt models, the actions in
main_window_actions.py and the running job's status in job_status.py. While a job runs, its
progress updates the status bar at once and the lists and counts at most every REFRESH_MS, so
results fill in as they arrive without the GUI thread spending its time in queries.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tagger.gui.class_colors import class_title
from tagger.gui.demo_offer import DemoOffer
from tagger.gui.details_pane import DetailsPane
from tagger.gui.empty_state import EmptyLibrary
from tagger.gui.job_status import JobStatus
from tagger.gui.jobs import (
    GENRE_MAP_TITLE,
    JobOutcome,
    classify_job,
    genre_map_job,
    scan_job,
    undo_job,
)
from tagger.gui.learn_offer import LearnOffer
from tagger.gui.main_window_actions import MainWindowActions
from tagger.gui.main_window_learning import MainWindowLearning
from tagger.gui.playback import PreviewPlayer
from tagger.gui.review_view import ReviewView
from tagger.gui.settings_dialog import SettingsDialog
from tagger.gui.settings_store import SettingsStore
from tagger.gui.sidebar import SmartListSidebar
from tagger.gui.tag_dialog import TagDialog, TagScope, offered_scopes
from tagger.gui.track_menu import TrackMenuActions, track_menu
from tagger.gui.track_table_model import TrackTableModel, tracks_count
from tagger.gui.track_table_view import track_table_view
from tagger.gui.window_layout import restore_layout, save_layout
from tagger.gui.worker import JobRunner
from tagger.library.progress import Progress
from tagger.library.queries import SmartList, TrackFilter
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.library.track_rows import TrackRow
from tagger.library.walk import normalize_root
from tagger.service.learning import genre_map_pending, genres
from tagger.service.library_client import LibraryClient

REFRESH_MS = 1000
SEARCH_DELAY_MS = 250
PAGE_EMPTY, PAGE_LIBRARY, PAGE_REVIEW = range(3)


class MainWindow(MainWindowActions, MainWindowLearning, QMainWindow):
    def __init__(
        self,
        library: Library,
        store: SettingsStore,
        settings: Settings | None = None,
        *,
        audio: bool = True,
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store
        problem: str | None = None
        if settings is None:
            settings, problem = store.load()
        self.client = LibraryClient(library, settings)
        self.runner = JobRunner(self)
        self.player = PreviewPlayer(self, enabled=audio)
        self.last_outcome: JobOutcome | None = None
        self.tag_dialog: TagDialog | None = None
        # Qt appends the application's display name ("… — Metal & Hardcore Tagger").
        self.setWindowTitle(self.client.name)
        self.setAcceptDrops(True)

        self._build_actions()
        self.runner.busy_changed.connect(self._on_busy)
        self._genre_map_pending = False
        self._classify_pending = False
        self.apply_genre_map()  # before anything reads the library: an upgraded one reads all
        self._build_central()
        self._build_status_bar()
        self._build_menus_and_toolbar()

        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.demo = DemoOffer(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)

        self._restore_geometry()
        self._on_busy(self.runner.busy)
        self.job_status.show_busy(self.runner.busy)
        self.refresh()
        self.update_learn_offer()
        if problem:
            self.statusBar().showMessage(problem, 15_000)

    @property
    def settings(self) -> Settings:
        return self.client.settings

    # --- building -------------------------------------------------------------------------------

    def _build_central(self) -> None:
        self.sidebar = SmartListSidebar()
        self.sidebar.list_chosen.connect(self._on_list_chosen)
        self.sidebar.setMinimumWidth(150)

        self.model = TrackTableModel(self.client, self)
        self.table = track_table_view(self.model, self.client.classes)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_track_menu)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album or path (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.learn_offer = LearnOffer()
        self.learn_offer.train_requested.connect(self.open_train_dialog)
        self.learn_offer.hide_requested.connect(self.hide_learn_offer)
        self.list_title = QLabel()
        font = self.list_title.font()
        font.setBold(True)
        self.list_title.setFont(font)
        top = QHBoxLayout()
        top.addWidget(self.list_title)
        top.addStretch(1)
        top.addWidget(self.search, 2)
        library_page = QWidget()
        page_layout = QVBoxLayout(library_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(top)
        page_layout.addWidget(self.learn_offer)
        page_layout.addWidget(self.table, 1)

        self.empty = EmptyLibrary()
        self.empty.add_folder_requested.connect(self.choose_folder)
        self.review = ReviewView(self.client, self.player)
        self.review.decided.connect(self._on_review_decision)
        self.review.back_requested.connect(lambda: self.set_review_mode(False))
        self.review.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(library_page)
        self.stack.addWidget(self.review)

        self.details = DetailsPane(self.player, self.client.classes, cover_loader=self.client.cover)
        self.details.decide_requested.connect(lambda track, label: self.decide([track], label))
        self.details.clear_requested.connect(lambda track: self.clear_decisions([track]))
        self.details.setMinimumWidth(300)

        self.splitter = QSplitter()
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([160, 820, 300])
        self.setCentralWidget(self.splitter)

    def _build_status_bar(self) -> None:
        audio_problem = None if self.player.available else self.player.reason
        self.job_status = JobStatus(self.statusBar(), self.runner, audio_problem)
        self.job_label = self.job_status.job_label
        self.progress = self.job_status.progress
        self.audio_note = self.job_status.audio_note
        self.statusBar().addPermanentWidget(self.build_model_button())

    # --- geometry -------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        restore_layout(self.store.qsettings, self, self.splitter, self.table.horizontalHeader())

    def save_geometry(self) -> None:
        save_layout(self.store.qsettings, self, self.splitter, self.table.horizontalHeader())

    # --- showing the library --------------------------------------------------------------------

    def refresh(self) -> None:
        """Counts, the current list's rows and the selected track's details, from the DB."""
        counts = self.client.list_counts()
        self.sidebar.set_counts(counts)
        total = counts[0].count if counts else 0
        if self.stack.currentIndex() != PAGE_REVIEW:
            self.stack.setCurrentIndex(PAGE_LIBRARY if total else PAGE_EMPTY)
        else:  # what a running scan or classification sent to review joins the open queue
            self.review.take_new(counts)
        self.model.refresh()
        self._update_list_title()
        self._show_current_details()
        self._show_undo()

    def _show_undo(self) -> None:
        """Undo is on offer only when a write is there to undo (one indexed query; a `tagger
        tag` run elsewhere shows at the next refresh), and says which."""
        batch = None if self.runner.busy else self.client.undoable_batch()
        self.act_undo.setEnabled(batch is not None)
        self.act_undo.setToolTip(
            "No tag write to undo"
            if batch is None
            else f"Put back the genres the last tag write replaced (batch {batch}, tagger history)"
        )

    def _update_list_title(self) -> None:
        item = self.sidebar.currentItem()
        name = item.text(0) if item else "All"
        self.list_title.setText(f"{name}: {tracks_count(self.model.rowCount())}")

    def _on_list_chosen(self, _f: TrackFilter) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        chosen = self.sidebar.current_filter()
        self.model.set_filter(TrackFilter(chosen.smart, chosen.label, self.search.text()))
        self._update_list_title()
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.details.show_detail(None)

    def _focus_search(self) -> None:
        self.set_review_mode(False)
        self.search.setFocus()
        self.search.selectAll()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current_details()

    def current_track_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.track_id(index.row()) if index.isValid() else None

    def _show_current_details(self) -> None:
        track_id = self.current_track_id()
        detail = self.client.detail(track_id) if track_id is not None else None
        if detail is None and self.details.detail is None:
            return
        if detail is not None and detail == self.details.detail:
            return  # nothing changed: keep the strip (and a playing preview's playhead)
        self.details.show_detail(detail)

    def selected_rows(self) -> list[TrackRow]:
        # The selection's ranges, not selectedRows(): that makes an index per row and column
        # (0.3 s for 5,000 selected tracks).
        ranges = self.table.selectionModel().selection()
        return self.model.rows_at(p for r in ranges for p in range(r.top(), r.bottom() + 1))

    def selected_paths(self) -> list[str]:
        return [row.path for row in self.selected_rows()]

    def track_menu(self) -> QMenu | None:
        """The right-click menu for the selected tracks (None when none is selected)."""
        rows = self.selected_rows()
        if not rows:
            return None
        actions = TrackMenuActions(self.decide, self.clear_decisions, self.open_tag_dialog)
        return track_menu(
            self, rows, self.client.classes, actions, writing_allowed=not self.runner.busy
        )

    def _show_track_menu(self, position: QPoint) -> None:
        menu = self.track_menu()
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.table.viewport().mapToGlobal(position))

    # --- review ---------------------------------------------------------------------------------

    def toggle_review(self) -> None:
        self.set_review_mode(self.stack.currentIndex() != PAGE_REVIEW)

    def set_review_mode(self, on: bool) -> None:
        self.act_review.setChecked(on)
        if on:
            self.stack.setCurrentIndex(PAGE_REVIEW)
            self.details.hide()
            self.review.reload()
        elif self.stack.currentIndex() == PAGE_REVIEW:
            self.player.stop()
            self.details.show()
            self.stack.setCurrentIndex(PAGE_LIBRARY)
            self.refresh()

    def decide(self, track_ids: list[int], label: str) -> None:
        self.client.decide(track_ids, label)
        if len(track_ids) > 1:
            self.statusBar().showMessage(
                f"{len(track_ids):,} tracks decided: {class_title(label)}", 6000
            )
        self.refresh()
        self.suggest_retraining()
        self.update_learn_offer()

    def clear_decisions(self, track_ids: list[int]) -> None:
        self.client.clear_decision(track_ids)
        self.refresh()
        self.update_learn_offer()

    # --- folders and jobs -----------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder", str(Path.home()))
        if folder:
            self.add_folders([folder])

    def add_folders(self, folders: Sequence[str]) -> None:
        """Add folders to the library's folders (saved) and scan them now."""
        roots = [normalize_root(f) for f in folders if os.path.isdir(f)]
        if not roots:
            self.statusBar().showMessage("Not a folder: " + ", ".join(folders), 8000)
            return
        known = list(self.settings.library_folders)
        for root in roots:
            if root not in known:
                known.append(root)
        self.settings.library_folders = known
        self.store.save(self.settings)
        if self.runner.busy:
            self.statusBar().showMessage(
                "Folder added. Scan (F5) when the current job has finished.", 8000
            )
            return
        self.set_review_mode(False)
        self.runner.start("Scan", scan_job(self.library, self.settings, roots))

    def scan(self) -> None:
        folders = [f for f in self.settings.library_folders if os.path.isdir(f)]
        if not folders:
            self.choose_folder()
            return
        self.runner.start("Scan", scan_job(self.library, self.settings, folders))

    def classify(self) -> None:
        self.runner.start("Classify", classify_job(self.library, self.settings))

    def undo_last_write(self) -> None:
        self.runner.start("Undo", undo_job(self.library))

    def cancel_job(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.job_status.show_stopping()

    def _on_busy(self, busy: bool) -> None:
        for action in (self.act_add, self.act_scan, self.act_classify):
            action.setEnabled(not busy)
        self._show_undo()
        self.act_cancel.setEnabled(busy)
        # The refreshes while a job runs keep the album reasons they have (LibraryClient); the
        # runner says "not busy" before "finished", whose refresh is then exact again.
        self.client.hold_derived = busy

    def _on_progress(self, p: Progress) -> None:
        if p.phase == "load":  # the tags are read: no need to wait for the classification
            self.update_learn_offer(tags_read=True)
        # Results arrive while a job runs: show them, at most every REFRESH_MS.
        if p.phase in ("read", "classify", "tag", "undo") and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_finished(self, outcome: JobOutcome) -> None:
        self.last_outcome = outcome
        self.job_status.show_outcome(outcome)
        self._refresh_timer.stop()
        if self._genre_map_pending:  # edited while the job ran
            self.apply_genre_map()
        if self._classify_pending and not self.runner.busy:  # a model chosen while it ran
            self._classify_pending = False
            self.classify()
        self.refresh()
        self.update_learn_offer()

    def apply_genre_map(self) -> None:
        """Read the tracks' genre tags under the genre map in the worker when some wait (after
        an edit of the map, or an upgrade), not in the first refresh that needs them: ~2 s at
        100,000 tracks. While it runs, refreshes keep what they have (`_on_busy`); its end
        refreshes. A job already running: once it has finished."""
        if self.runner.busy:
            self._genre_map_pending = True
            return
        self._genre_map_pending = False
        if genre_map_pending(self.library, self.settings):
            self.runner.start(GENRE_MAP_TITLE, genre_map_job(self.library, self.settings))

    def _on_failed(self, text: str) -> None:
        self.job_status.show_failure(text, self)
        self.refresh()

    # --- dialogs --------------------------------------------------------------------------------

    def tag_scopes(self) -> list[TagScope]:
        """What the tag dialog offers: the selection, the current list, the whole library."""
        selected = self.selected_paths() if self.stack.currentIndex() == PAGE_LIBRARY else []
        item = self.sidebar.currentItem()
        return offered_scopes(
            selected,
            self.model.filter,
            self.model.rowCount(),
            item.text(0) if item else "All",
            self.sidebar.count_of(SmartList.ALL),
            lambda f, n: [r.path for r in self.client.fetch(f, 0, n, "path", False)],
        )

    def open_tag_dialog(self) -> None:
        if self.runner.busy:
            self.statusBar().showMessage("Wait for the current job, or cancel it (Esc).", 5000)
            return
        dialog = TagDialog(self.library, self.settings, self.runner, self.tag_scopes(), self)
        dialog.written.connect(lambda _o: self.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "tag_dialog", None))
        self.tag_dialog = dialog
        dialog.open()

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(
            self.settings, self, genre_counts=lambda: genres(self.library, self.settings)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings))
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings | None) -> None:
        if settings is None:
            return
        model_changed = settings.model_path != self.settings.model_path
        self.client.settings = settings
        self.store.save(settings)
        self.statusBar().showMessage("Settings saved", 4000)
        self.show_active_model()
        self.apply_genre_map()
        self.refresh()
        self.update_learn_offer()
        if model_changed:
            self.classify_with_new_model()

    # --- drag and drop, closing -----------------------------------------------------------------

    @staticmethod
    def _dropped_folders(urls: Sequence[QUrl]) -> list[str]:
        return [u.toLocalFile() for u in urls if u.isLocalFile() and os.path.isdir(u.toLocalFile())]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self._dropped_folders(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = self._dropped_folders(event.mimeData().urls())
        if folders:
            event.acceptProposedAction()
            self.add_folders(folders)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop a running job cleanly (finished files are already stored), then close."""
        self.player.stop()
        if self.runner.busy:
            self.job_status.show_stopping()
            self.statusBar().showMessage("Stopping the running job…")
            self.repaint()
            self.runner.shutdown()
        self.save_geometry()
        event.accept()
