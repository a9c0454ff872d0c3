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

from collections.abc import Callable

import numpy as np
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.network import Network
from tagger.training.epoch_loop import TrainingWindows, train_epoch
from tagger.training.train_config import TrainConfig, TrainProgress


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
) -> None:
    """Train `network` (already at its start weights) for `epochs` epochs on `data`, in place.
    `progress` gets each batch (a quick retrain, whose epochs are all refit epochs)."""
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    times: list[float] = []
    for epoch in range(1, epochs + 1):
        stage(f"refitting on all {len(data.tracks)} labeled tracks: epoch {epoch} of {epochs}")
        outcome = train_epoch(
            network, optimizer, data, config, frontend, rng, epoch=epoch, epoch_times=times,
            cancel=cancel, progress=progress,
        )  # fmt: skip
        scheduler.step()
        log(f"refit epoch {epoch:3d}  loss {outcome.loss:.4f}  acc {outcome.accuracy:.3f}")
