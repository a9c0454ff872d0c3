"""The options of a training run, and the records it reports (train.py runs it)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from tagger.model.precision import use_bf16


@dataclass(frozen=True)
class TrainConfig:
    arch: str = "cnn-bigru"
    epochs: int = 100
    batch_size: int = 32
    lr: float = 1e-3
    step_size: int = 30
    gamma: float = 0.5
    patience: int = 10
    seed: int = 0
    split_seed: int | None = None  # None: `seed`; `tagger compare` fixes it for every run
    weight_decay: float | None = None  # None: the architecture's (0 for the paper's)
    windows_per_track: int | None = None  # None: all windows of every track, every epoch
    # A fixed number of training windows per epoch, shared out over the training tracks (and
    # so the same number of optimizer steps whatever the library's size); overrides
    # windows_per_track. A small library repeats windows (each with fresh augmentation).
    windows_per_epoch: int | None = None
    # How a sampled epoch shares its windows out: "track" (the same number per track) or
    # "artist" (the same number per artist, split over its tracks; epoch_sampling.py).
    share_by: str = "track"
    # Start from this model file's weights ("bundled": the shipped model) where architecture
    # and front end match (training/warm_start.py); None: a random initialisation.
    warm_start: str | None = None
    val_windows_per_track: int | None = None  # None: all; else this many, evenly spaced
    augment: bool = True  # gain and SpecAugment masks on top of random padding
    bf16: bool = field(default_factory=use_bf16)  # autocast where the CPU has native bf16
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    # A wall budget (train + validation seconds): the batch loop stops when it is spent, the
    # cut epoch is validated, and training ends. `tagger compare` gives every arch the same.
    max_seconds: float | None = None
    # Fit a temperature on the validation split after training (training/calibration.py), so
    # that a verdict's confidence means what it says; False keeps the network as trained.
    calibrate: bool = True
    # After the split run, train again from the start for its best number of epochs on every
    # label the measurements are done with (training/refit.py); the library recipe does.
    refit: bool = False
    # The refit trains at least this many epochs (never more than the cap leaves): the split
    # run's best epoch is where whole unseen artists peak, while the library's own untagged
    # tracks, mostly by artists it has tags for, go on improving (recipes.py).
    refit_min_epochs: int = 0
    # Tracks under 3 minutes get 60 full overlapping windows instead of the paper's padded
    # parts (audio/segments.py); the model records it in its front end (recipes.py).
    overlap_short_tracks: bool = False


def recorded_config(training: dict[str, Any]) -> TrainConfig:
    """The recipe a model file's `training` metadata records, less what belongs to the machine
    it ran on (bf16); options this version does not know are left out."""
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    recipe = {k: v for k, v in (training.get("config") or {}).items() if k in known}
    recipe.pop("bf16", None)
    return TrainConfig(**recipe)


@dataclass
class EpochRecord:
    """One epoch's figures. Epoch 0 (warm starts only) is the start model validated before any
    training step: its train_loss and train_accuracy are 0 and it saw no windows."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    val_track_accuracy: float
    seconds: float
    windows: int = 0  # training windows seen (fewer in an epoch the wall budget cut)


@dataclass(frozen=True)
class TrainProgress:
    """Reported after every batch, for a GUI's progress bar (the CLI has tqdm)."""

    epoch: int
    epochs: int
    batch: int  # done in this epoch
    batches: int
    loss: float  # running mean over this epoch
    eta_s: float | None  # to the last epoch, from the mean of recent epochs
    # After the last epoch: what runs now, in words (calibrating, measuring, saving); the
    # batch fields then describe the last epoch.
    stage: str = ""
    # To the end of the run, the refit included, if no later epoch improves on the best so far
    # (`epoch_budget.likely_epochs_left`); None where the run does not know (a quick retrain).
    likely_eta_s: float | None = None
