"""Refit: once the split run has shown how many epochs help, train again on every usable label.

Why: the split sets aside the validation tracks (to pick the epoch and fit the temperature) and,
for a library, the test tracks (to measure the result), about 35 % of a library's labels and
often whole artists. On a library the start model does not know, the network learns styles
from too few artists and then starts learning the artists themselves after one or two epochs
(BENCHMARKS.md, issue 11), so the artists it never trained on are the ones it gets wrong. The
refit starts from the same weights, at the same learning rate, and runs the split run's best
number of epochs (at least `TrainConfig.refit_min_epochs`: the untagged tracks of a library,
mostly by artists it has tags for, go on improving after unseen artists peak; recipes.py; also
when no epoch beat the start and the split run kept it, best epoch 0) over
the training, validation and (once measured) test tracks, the usual "refit on all the data" of
model selection. The split run's held-out figures then describe the
procedure, a little pessimistically; the model card says so. The temperature fitted on the
validation tracks is kept: the refit has trained on those tracks, so fitting it again on them
would be fitting to tracks the network has seen. The refit shares the run's epoch cap (the
split run's epochs plus the refit's stay within `TrainConfig.epochs`, which bounds a run's
time): epoch_budget.py keeps the cap's last `refit_min_epochs` free of the split run (at most
half the cap), so a split run whose validation keeps improving cannot crowd the refit out, and
refits for the best epoch count where that fits, else for what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.network import Network
from tagger.training.dataset import LabeledTrack
from tagger.training.epoch_loop import TrackMargins, TrainingWindows, train_epoch
from tagger.training.train_config import TrainConfig, TrainProgress

# A label is doubted when its track's mean margin over the refit is below this: the network
# went on preferring another class for its windows while it learnt the rest (TrackMargins). On
# two libraries with mis-tagged tracks this found mis-tags the "Disagrees with its tags" list
# missed (BENCHMARKS.md, "Tags the training doubts").
DOUBT_MARGIN = 0.0


def margins_by_path(tracks: Sequence[LabeledTrack], margins: np.ndarray) -> dict[Path, float]:
    """{track path: mean margin} for the refit's tracks (in `labeled_windows` order)."""
    return {
        t.path: round(float(m), 4) for t, m in zip(tracks, margins, strict=True) if np.isfinite(m)
    }


def doubted(margins: dict[Path, float]) -> dict[Path, float]:
    """The labels the refit learnt only by rote, lowest margin first."""
    low = [(m, str(p), p) for p, m in margins.items() if m < DOUBT_MARGIN]
    return {p: m for m, _, p in sorted(low)}


def doubted_record(margins: dict[Path, float]) -> dict[str, float]:
    """The doubted labels as a model file's `training` metadata keeps them."""
    return {str(p): m for p, m in doubted(margins).items()}


def refit_margins(
    tracks: Sequence[LabeledTrack], margins: np.ndarray, log: Callable[[str], None]
) -> dict[Path, float]:
    """`margins_by_path`, with the doubted labels logged."""
    by_path = margins_by_path(tracks, margins)
    log_doubted(by_path, {t.path: t.label for t in tracks}, log)
    return by_path


def log_doubted(
    margins: dict[Path, float], labels: dict[Path, str], log: Callable[[str], None]
) -> None:
    doubts = doubted(margins)
    if doubts:
        log(f"{len(doubts)} labels learnt only by rote (a mis-tag is often among them):")
    for path, margin in doubts.items():
        log(f"  {labels[path]:<10} margin {margin:+.2f}  {path}")


def refit(
    network: Network,
    data: TrainingWindows,
    config: TrainConfig,
    frontend: FrontEndConfig,
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    rng: np.random.Generator,
    log: Callable[[str], None],
    stage: Callable[[str], None],
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
) -> np.ndarray:
    """Train `network` (already at its start weights) for `epochs` epochs on `data`, in place;
    each track's mean margin over the run (`TrackMargins`). `progress` gets each batch (a quick
    retrain, whose epochs are all refit epochs)."""
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    times: list[float] = []
    margins = TrackMargins(len(data.tracks))
    for epoch in range(1, epochs + 1):
        stage(f"refitting on all {len(data.tracks)} labeled tracks: epoch {epoch} of {epochs}")
        outcome = train_epoch(
            network, optimizer, data, config, frontend, rng, epoch=epoch, epoch_times=times,
            cancel=cancel, progress=progress, margins=margins,
        )  # fmt: skip
        scheduler.step()
        log(f"refit epoch {epoch:3d}  loss {outcome.loss:.4f}  acc {outcome.accuracy:.3f}")
    return margins.means()
