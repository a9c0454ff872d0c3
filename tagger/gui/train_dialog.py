"""Library → "Train a model from this library…": the labels on offer, a time estimate, training
in the worker thread with epoch, loss, ETA and Cancel, then the held-out accuracy and confusion
matrix and "Use this model".

The dialog holds no logic: the labels, the estimate and the training are the learning service's
(`tagger.service.learning`), run as a job of the window's JobRunner (one job at a time, so a
scan and a training never fight over the two cores). A cancelled run keeps its checkpoint:
Train again with the same output file resumes it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tagger import APP_NAME
from tagger.gui.background_read import BackgroundRead
from tagger.gui.class_colors import class_title
from tagger.gui.jobs import TRAIN_TITLE, JobOutcome, capitalized, train_job
from tagger.gui.track_table_model import display_path
from tagger.gui.worker import JobRunner
from tagger.library.progress import Progress
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.errors import ServiceError
from tagger.service.learning import (
    TrainedModel,
    TrainingEstimate,
    all_label_counts,
    default_config,
    describe_seconds,
    estimate,
    library_labels,
)
from tagger.service.processor_load import while_measuring_others

if TYPE_CHECKING:  # torch comes with training; the training job imports it in the worker
    from tagger.training.labeled_set import LabeledSet
    from tagger.training.train import TrainConfig


def time_left_text(at_most_s: float | None, likely_s: float | None) -> str:
    """ " · about 9 min left (at most 29 min)": to the end if no later epoch does better than the
    best so far (early stopping, then the refit), and to the end of the cap."""
    if at_most_s is None:
        return ""
    at_most = describe_seconds(at_most_s)
    if likely_s is None or describe_seconds(likely_s) == at_most:
        return f" · at most {at_most} left"
    return f" · {describe_seconds(likely_s)} left (at most {at_most.removeprefix('about ')})"


def fit_to_rows(table: QTableWidget) -> None:
    """As tall as its few rows, no taller: a table of 2–3 classes needs no scroll area's worth
    of empty rows beneath it (call again after the rows change). The height is set, not left
    to AdjustToContents, whose hint fell short once the dialog re-laid out after training."""
    for policy in (table.setVerticalScrollBarPolicy, table.setHorizontalScrollBarPolicy):
        policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    header = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(header + table.verticalHeader().length() + 2 * table.frameWidth())


ROUGH_BELOW_TRACKS = 20  # fewer validation tracks than this give a coarse temperature


def estimate_sentence(
    tracks: int,
    classes: int,
    cached: int,
    seconds: float,
    longest: float,
    measured: bool = False,
    elsewhere: float | None = None,
    cores: int = 1,
) -> str:
    """What the dialog says before a run: the labels, the cache, the usual time (early stopping
    after a usual best epoch) and the longest (every epoch of the cap); at whose speed
    (`measured`: this computer's last training), and whether other programs slow it now
    (`elsewhere`: the cores they keep busy; half of them or more is named)."""
    whose = (
        "at the speed of this computer's last training"
        if measured
        else "judged by an idle 2-core computer until this one has trained once"
    )
    busy = (
        f" Other programs keep {elsewhere:.1f} of the {cores} cores busy now: expect longer."
        if elsewhere is not None and elsewhere >= cores / 2
        else ""
    )
    return (
        f"{tracks:,} labeled tracks in {classes} classes; {cached:,} already decoded. Estimated "
        f"time: {describe_seconds(seconds)} (at most "
        f"{describe_seconds(longest).removeprefix('about ')} if validation keeps improving), "
        f"{whose}.{busy}"
    )


def calibration_note(calibration: dict | None) -> str:
    """One sentence on what calibration did, in the user's terms (empty without it)."""
    if not calibration:
        return ""
    tracks = calibration["tracks"]
    rough = " (roughly: few tracks to fit on)" if tracks < ROUGH_BELOW_TRACKS else ""
    return (
        f"Its confidence was calibrated on {tracks:,} validation tracks{rough}: a verdict at "
        "90 % should be right about 9 times in 10. "
    )


@dataclass(frozen=True)
class LabelsOnOffer:
    """What the dialog reads off the GUI thread: the set a training would use and its times,
    or why there is none (too few labels)."""

    data: LabeledSet | None
    figures: TrainingEstimate | None
    problem: str = ""
    elsewhere: float | None = None  # cores other programs kept busy meanwhile


def labels_on_offer(library: Library, settings: Settings, config: TrainConfig) -> LabelsOnOffer:
    def read() -> LabelsOnOffer:
        try:
            data = library_labels(library, settings)
        except ServiceError as exc:
            return LabelsOnOffer(None, None, str(exc))
        return LabelsOnOffer(data, estimate(library, settings, data, config))

    offer, elsewhere = while_measuring_others(read)
    return dataclasses.replace(offer, elsewhere=elsewhere)


READING = "…"  # "Used" while the labels are read


def default_model_file() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models" / f"library-{stamp}.safetensors"


class TrainDialog(QDialog):
    use_model_requested = Signal(str)  # the model file; the window makes it active and classifies

    def __init__(
        self, library: Library, settings: Settings, runner: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a model from this library")
        self.setMinimumWidth(720)  # room for the model file's path and the confusion table
        self.library, self.settings, self.runner = library, settings, runner
        self.trained: TrainedModel | None = None
        self.config = default_config()

        self.labels = QTableWidget(0, 4)
        self.labels.setHorizontalHeaderLabels(["Class", "Your decisions", "Genre tags", "Used"])
        self.labels.verticalHeader().hide()
        # The counts as wide as they need, "Used" the room left, after every refresh too (a
        # resizeColumnsToContents there shrank "Used" to its text until the dialog was resized).
        header = self.labels.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        fit_to_rows(self.labels)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        # training/quick_retrain.py: the active model's refit again, on the labels of today.
        self.quick = QCheckBox("Quick retrain")  # off until the labels are read (refresh)
        self.quick_note = QLabel()  # what it does, or why it is not on offer (a box won't wrap)
        self.quick_note.setWordWrap(True)
        self.quick_note.setIndent(22)  # under the box's text, not its tick
        self.quick_plan = None
        self.out = QLineEdit(str(default_model_file()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Model file:", out_row)

        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.status = QLabel("Not started.")
        self.status.setWordWrap(True)  # a long file path must not widen the dialog
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.confusion = QTableWidget(0, 0)
        fit_to_rows(self.confusion)
        # Every verdict column alike (stretching the last alone made "Metal" three times wider).
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.hide()

        self.buttons = QDialogButtonBox()
        self.train_button = self.buttons.addButton("Train", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(
            "Cancel training", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.use_button = self.buttons.addButton(
            "Use this model", QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.train_button.clicked.connect(self._train)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.use_button.clicked.connect(self._use)
        close.clicked.connect(self.reject)
        self.cancel_button.setEnabled(False)
        self.use_button.setEnabled(False)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Labels come from your review decisions first, then from genre tags "
            "that the genre map (Settings) maps to one class. Genres this app wrote "
            "into your files are not labels: the model would learn its own guesses."
        )
        intro.setWordWrap(True)  # else the dialog grows as wide as the sentence
        layout.addWidget(intro)
        layout.addWidget(self.labels)
        layout.addWidget(self.estimate)
        layout.addWidget(self.quick)
        layout.addWidget(self.quick_note)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        layout.addWidget(self.confusion)
        layout.addStretch(1)  # room the dialog gains goes here, not into the tables
        layout.addWidget(self.buttons)

        self._classes_shown: list[str] = []  # the labels table's rows
        self._offer_read: BackgroundRead[LabelsOnOffer] = BackgroundRead(
            self, self._labels_read, self._read_failed, "tagger-labels"
        )
        self._unfollow = runner.follow(
            self._on_progress, self._on_finished, self._on_failed, self._on_busy
        )
        self.refresh()
        self._show_other_job()

    def refresh(self) -> None:
        """Count the labels on offer at once (one grouped query); list them, see which classes
        a training would use and estimate its time off the GUI thread (0.7 s at 33,000
        labels); Train waits for that."""
        counts = all_label_counts(self.library, self.settings)
        self._classes_shown = list(counts)
        self.labels.setRowCount(len(counts))
        for row, (cls, per_source) in enumerate(counts.items()):
            cells = [
                class_title(cls),
                f"{per_source.get('decision', 0):,}",
                f"{per_source.get('tag', 0):,}",
                READING,
            ]
            for col, text in enumerate(cells):
                self.labels.setItem(row, col, QTableWidgetItem(text))
        fit_to_rows(self.labels)
        self.train_button.setEnabled(False)
        self.quick.setEnabled(False)
        labels = sum(sum(per_source.values()) for per_source in counts.values())
        self.estimate.setText(f"Reading the {labels:,} labels…")
        library, settings, config = self.library, self.settings, self.config
        self._offer_read.start(lambda: labels_on_offer(library, settings, config))

    @property
    def reading_labels(self) -> bool:
        return self._offer_read.running

    def _labels_read(self, offer: LabelsOnOffer) -> None:
        data = offer.data
        for row, cls in enumerate(self._classes_shown):
            used = "no" if data is None else data.dropped.get(cls, "no")
            self.labels.setItem(
                row, 3, QTableWidgetItem("yes" if data and cls in data.classes else used)
            )
        if data is None or offer.figures is None:
            self.estimate.setText(offer.problem)
            self._grow_to_fit()
            return
        figures = offer.figures
        self._offer_quick(figures)
        self.estimate.setText(
            estimate_sentence(
                len(data.tracks), len(data.classes), figures.cached,
                figures.usual_seconds, figures.at_most_seconds,
                figures.speed.measured, offer.elsewhere, os.cpu_count() or 1,
            )
        )  # fmt: skip
        self.train_button.setEnabled(not self.runner.busy)
        self._grow_to_fit()

    def _read_failed(self, error: Exception) -> None:
        self.estimate.setText(f"The labels could not be read: {error}")

    def _offer_quick(self, figures: TrainingEstimate) -> None:
        """The quick retrain, where the active model is a refitted run of this library."""
        self.quick_plan = figures.quick
        if figures.quick is None or figures.quick_seconds is None:
            self.quick.setText("Quick retrain: not available")
            self.quick.setToolTip(figures.quick_unavailable)
            self.quick_note.setText(capitalized(figures.quick_unavailable) + ".")
            self.quick.setChecked(False)
            self.quick.setEnabled(False)
            return
        self.quick.setText(f"Quick retrain, {describe_seconds(figures.quick_seconds)}")
        self.quick_note.setText(
            f"The last step of model {figures.quick.model!r} again, on these labels; nothing "
            "is measured."
        )
        self.quick.setToolTip(
            f"Trains on every label for the {figures.quick.epochs} epochs that model's run "
            "chose, without the split run that chooses them and measures the result: the new "
            "model carries that model's held-out figures, marked as such."
        )
        self.quick.setEnabled(True)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Model file", self.out.text(), "Models (*.safetensors)"
        )
        if path:
            self.out.setText(path if path.endswith(".safetensors") else path + ".safetensors")

    def _train(self) -> None:
        quick = self.quick_plan if self.quick.isChecked() else None
        job = train_job(self.library, self.settings, Path(self.out.text()), self.config, quick)
        if not self.runner.start(TRAIN_TITLE, job):
            self.status.setText("Another job is running; train when it has finished.")
            return
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.use_button.setEnabled(False)
        self.status.setText("Decoding the labeled tracks (cached tracks are not decoded again)…")

    def _show_other_job(self) -> None:
        """A job of another kind (a scan, a classification) holds Train back; the dialog is
        modal, so the window's Cancel is out of reach: it can be stopped from here."""
        if not self.runner.busy or self.runner.name == TRAIN_TITLE:
            return
        self.train_button.setEnabled(False)
        self.cancel_button.setText("Stop that job")
        self.cancel_button.setEnabled(True)
        self.status.setText(
            f"Another job is running ({self.runner.name}): Train is available once it has "
            "finished, or stop it."
        )

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self._show_other_job()
            return
        if self.runner.name == TRAIN_TITLE:
            return  # _on_finished / _on_failed say how the training ended
        # Another job has ended: what it read (a scan's new tags) may change the labels.
        self.cancel_button.setText("Cancel training")
        self.cancel_button.setEnabled(False)
        self.status.setText("Not started.")
        self.refresh()

    def _on_progress(self, p: Progress) -> None:
        if self.runner.name != TRAIN_TITLE or p.phase != "train" or p.last_result is None:
            return
        t = p.last_result
        if t.stage:  # after the epochs: no count to show, only what runs
            self.bar.setRange(0, 0)
            self.status.setText(t.stage[0].upper() + t.stage[1:] + "…")
            return
        self.bar.setRange(0, t.epochs * t.batches)
        self.bar.setValue((t.epoch - 1) * t.batches + t.batch)
        eta = time_left_text(t.eta_s, t.likely_eta_s)
        self.status.setText(f"Epoch {t.epoch} of at most {t.epochs} · loss {t.loss:.3f}{eta}")

    def _on_finished(self, outcome: JobOutcome) -> None:
        if outcome.title != TRAIN_TITLE:
            return
        self.cancel_button.setEnabled(False)
        if self.bar.maximum() == 0:  # busy since the epochs ended: a count again
            self.bar.setRange(0, 1)
        self.refresh()  # the tracks this run decoded are in the cache now
        if outcome.cancelled or not isinstance(outcome.payload, TrainedModel):
            self.status.setText(outcome.summary)
            return
        self.trained = outcome.payload
        # The labels and held-out figures are shown below; the file is what is new here.
        self.status.setText(f"Saved as {display_path(str(self.trained.path))}.")
        self.bar.setValue(self.bar.maximum())
        self._show_metrics(self.trained)
        self.use_button.setEnabled(True)

    def _on_failed(self, _traceback: str) -> None:
        self.cancel_button.setEnabled(False)
        self.train_button.setEnabled(True)
        self.status.setText("Training failed; see the log file for details.")

    def _show_metrics(self, model: TrainedModel) -> None:
        test = model.metrics.get("test", {})
        track = test.get("track_level")
        if not track:
            self.result.setText("No held-out tracks to measure on.")
            return
        carried = model.metrics.get("carried_from")
        if carried:
            source = (
                f"Not measured (a quick retrain): model {carried['model']!r}'s figures, on its "
                f"{carried['labels']:,} labels. Its held-out test split ({test['tracks']:,} "
                "tracks)"
            )
        elif test.get("measured_on"):  # then trained again on every label (training/refit.py)
            source = (
                f"Held-out test split ({test['tracks']:,} tracks kept out of training, measured "
                "before the final refit on every label)"
            )
        else:
            source = f"Held-out test split ({test['tracks']:,} tracks the model never saw)"
        self.result.setText(
            f"{source}: "
            f"track accuracy {track['accuracy']:.1%}, macro F1 {track['macro']['f1']:.3f}. "
            + calibration_note(model.metrics.get("calibration"))
            + "Rows: the true class; columns: the model's verdict."
        )
        classes = [class_title(c) for c in model.data.classes]
        matrix = track["confusion_matrix"]
        self.confusion.setRowCount(len(classes))
        self.confusion.setColumnCount(len(classes))
        self.confusion.setHorizontalHeaderLabels(classes)
        self.confusion.setVerticalHeaderLabels(classes)
        for r, row in enumerate(matrix):
            for c, n in enumerate(row):
                self.confusion.setItem(r, c, QTableWidgetItem(str(n)))
        fit_to_rows(self.confusion)
        self.confusion.show()
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Grow (never shrink) to the height the texts need at this width: a dialog's minimum
        size leaves out the height of its wrapped labels, so they were squeezed over each other
        when a text arrived after the dialog was sized (the labels' read ends after the
        results are shown)."""
        layout = self.layout()
        layout.activate()
        needed = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(self.width(), needed)

    def _use(self) -> None:
        if self.trained is not None:
            self.use_model_requested.emit(str(self.trained.path))
            self.accept()

    def done(self, result: int) -> None:
        self._unfollow()
        super().done(result)
