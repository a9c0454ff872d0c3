"""Refit: once the split run has shown how many epochs help, train again on every usable label.

Why: the split sets aside the validation tracks (to pick the epoch and fit the temperature) and,
for a library, the test tracks (to measure the result), about 35 % of a library's labels and
often whole artists. On a library the start model does not know, the network learns styles
from too few artists and then starts learning the artists themselves after one or two epochs
(BENCHMARKS.md, issue 11), so the artists it never trained on are the ones it gets wrong. The
refit starts from the same weights, at the same learning rate, and runs the split run's best
number of epochs (at least `TrainConfig.refit_min_epochs`: the untagged tracks of a library,
mostly by artists it has tags for, go on improving after unseen artists peak; recipes.py) over
the training, validation and (once measured) test tracks, the usual "refit on all the data" of
model selection. The split run's held-out figures then describe the
procedure, a little pessimistically; the model card says so. The temperature fitted on the
validation tracks is kept: the refit has trained on those tracks, so fitting it again on them
would be fitting to tracks the network has seen. The refit shares the run's epoch cap (the
split run's epochs plus the refit's stay within `TrainConfig.epochs`, which bounds a run's
time; train.py skips the refit, and says so, where it would not fit).

With `TrainConfig.refit_average` (the library recipe) the delivered weights are the average of
the weights after each epoch of the refit's second half (epochs ceil(E/2)..E: 4-8 of 8), with
the BatchNorm statistics then recomputed on the training windows: stochastic weight averaging
(`torch.optim.swa_utils`). Why: from epoch 4 on, the untagged tracks a single epoch's weights
get right swing by 2-3 of 65 from one epoch, or one dropout draw, to the next; the average of
epochs 4..E labeled 62 of 65 at every E from 6 to 10 where the epochs alone gave 59-62
(BENCHMARKS.md, "Averaging the refit's weights"). One network still comes out, at the cost of
one forward pass over at most `BN_WINDOWS` training windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.network import Network
from tagger.training.epoch_loop import TrainingWindows, train_epoch
from tagger.training.epoch_sampling import items
from tagger.training.train_config import TrainConfig
from tagger.training.window_cache import assemble_batch

# The BatchNorm statistics of the averaged weights come from this many training windows at
# most, evenly spaced over the tracks (a forward pass, no augmentation): enough for the means
# and variances of 32-128 channels, and a bounded cost on a 1,000-track library.
BN_WINDOWS = 4096


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
) -> list[int] | None:
    """Train `network` (already at its start weights) for `epochs` epochs on `data`, in place;
    with `config.refit_average`, leave in it the average of its second half's weights.
    Returns the first and last epoch averaged, or None where the last epoch's weights stay."""
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    # From the second half's first epoch; a one-epoch refit has nothing to average.
    first_averaged = (epochs + 1) // 2 if config.refit_average and epochs >= 2 else None
    averaged = torch.optim.swa_utils.AveragedModel(network) if first_averaged else None
    times: list[float] = []
    for epoch in range(1, epochs + 1):
        stage(f"refitting on all {len(data.tracks)} labeled tracks: epoch {epoch} of {epochs}")
        outcome = train_epoch(
            network, optimizer, data, config, frontend, rng, epoch=epoch, epoch_times=times,
            cancel=cancel,
        )  # fmt: skip
        scheduler.step()
        log(f"refit epoch {epoch:3d}  loss {outcome.loss:.4f}  acc {outcome.accuracy:.3f}")
        if averaged is not None and epoch >= first_averaged:
            averaged.update_parameters(network)
    if averaged is None:
        return None
    stage(f"averaging the weights of refit epochs {first_averaged}-{epochs}")
    torch.optim.swa_utils.update_bn(_bn_batches(data, frontend, config.batch_size), averaged)
    network.load_state_dict(averaged.module.state_dict())
    log(f"refit: weights averaged over epochs {first_averaged}-{epochs}")
    return [first_averaged, epochs]


def _bn_batches(data: TrainingWindows, frontend: FrontEndConfig, batch_size: int):
    """At most BN_WINDOWS training windows, evenly spaced over each track, as the network
    sees them."""
    rows = items(data.tracks, max(1, BN_WINDOWS // len(data.tracks)))
    for i in range(0, len(rows), batch_size):
        x = assemble_batch(data.tracks, rows[i : i + batch_size], frontend, None)
        yield torch.from_numpy(x).contiguous(memory_format=torch.channels_last)
