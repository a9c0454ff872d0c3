"""One training epoch: the batch loop that the split run and the refit on every label share."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from tagger.audio.mel import FrontEndConfig
from tagger.model.precision import autocast
from tagger.training.epoch_clock import budget_spent, eta_text
from tagger.training.epoch_sampling import epoch_order, window_counts
from tagger.training.train_config import TrainConfig, TrainProgress
from tagger.training.window_cache import CachedTrack, assemble_batch


@dataclass(frozen=True)
class TrainingWindows:
    """What an epoch draws from: the tracks' cached windows, their (track, window) rows,
    each track's class index and its artist (for `TrainConfig.share_by`)."""

    tracks: list[CachedTrack]
    items: np.ndarray
    labels: np.ndarray
    artists: tuple[str | None, ...]


@dataclass(frozen=True)
class EpochOutcome:
    loss: float  # mean over the windows seen
    accuracy: float
    windows: int  # fewer than planned when the wall budget cut the epoch


class TrackMargins:
    """Each track's mean margin over the windows it trained on: the logit of its label less
    the largest other logit, before the step (Pleiss et al. 2020, "Identifying Mislabeled Data
    using the Area Under the Margin Ranking"). A network learns a wrong label late, by rote, so
    a mis-tagged track's windows stay below the rest and often below zero while its class-mates
    are learnt: a doubt about the label that costs nothing beyond the logits training computes.
    """

    def __init__(self, tracks: int) -> None:
        self._sum = np.zeros(tracks)
        self._count = np.zeros(tracks)

    def add(self, track_rows: np.ndarray, logits: torch.Tensor, labels: torch.Tensor) -> None:
        own = logits.gather(1, labels[:, None])[:, 0]
        others = logits.scatter(1, labels[:, None], float("-inf")).amax(1)
        np.add.at(self._sum, track_rows, (own - others).numpy())
        np.add.at(self._count, track_rows, 1)

    def means(self) -> np.ndarray:
        """Per track; NaN where a track trained on no window."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._sum / self._count


class EpochCancelled(Exception):
    """`cancel()` answered yes between two batches."""


def train_epoch(
    network: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: TrainingWindows,
    config: TrainConfig,
    frontend: FrontEndConfig,
    rng: np.random.Generator,
    *,
    epoch: int,
    epoch_times: list[float],
    show_progress: bool = False,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
    likely_epochs: int | None = None,
    margins: TrackMargins | None = None,
) -> EpochOutcome:
    """One pass over this epoch's sample of windows (epoch_sampling), with augmentation;
    `margins` collects each window's margin for its track."""
    t0 = time.monotonic()
    loss_fn = nn.CrossEntropyLoss()
    order = epoch_order(data.items, window_counts(config, data.artists), rng)
    batches = [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    network.train()
    total_loss = correct = seen = 0
    eta = eta_text(epoch_times, config.epochs - epoch + 1)
    desc = f"epoch {epoch}/{config.epochs}"
    bar = tqdm(batches, desc, unit="batch", disable=not show_progress, leave=False, file=sys.stderr)
    for i, batch in enumerate(bar):
        if seen and budget_spent(config.max_seconds, epoch_times, t0):
            break
        if cancel is not None and cancel():
            raise EpochCancelled
        x = torch.from_numpy(
            assemble_batch(data.tracks, batch, frontend, rng, augment=config.augment)
        )
        x = x.contiguous(memory_format=torch.channels_last)
        y = torch.from_numpy(data.labels[batch[:, 0]])
        optimizer.zero_grad(set_to_none=True)
        with autocast(config.bf16):
            logits = network(x)
            loss = loss_fn(logits.float(), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(batch)
        correct += int((logits.argmax(1) == y).sum())
        if margins is not None:
            margins.add(batch[:, 0], logits.detach().float(), y)
        seen += len(batch)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}", eta=eta)
        if progress is not None:
            per_epoch = float(np.mean(epoch_times[-5:])) if epoch_times else None
            eta_s = per_epoch * (config.epochs - epoch + 1) if per_epoch else None
            likely = per_epoch * likely_epochs if per_epoch and likely_epochs else None
            progress(
                TrainProgress(
                    epoch, config.epochs, i + 1, len(batches), total_loss / seen, eta_s,
                    likely_eta_s=likely,
                )
            )  # fmt: skip
    bar.close()
    return EpochOutcome(total_loss / seen, correct / seen, seen)
