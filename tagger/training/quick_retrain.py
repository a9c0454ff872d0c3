"""A quick retrain: the refit alone, on the labels as they are now, as an earlier run chose it.

A library run is a split run (train on 70 % of the labels, validate after every epoch, measure
the held-out 15 %), then the refit: every label, from the start weights, for the split run's
best epoch count (refit.py). The refit's model is the one delivered; the split run only decides
the epoch count and the learning rate, fits the confidence temperature and measures. After a few
dozen new review decisions those choices hardly move, yet the split run is most of the time
(c200d: 823 s in all, 317 s of it the refit; BENCHMARKS.md).

So a quick retrain repeats the refit of the model it follows (its recipe, learning rate, epoch
count and temperature) on every label the library has now, and skips the split run. It measures
nothing: the validation and held-out figures are the earlier run's, carried into the new file
under `carried_from` (which model, on how many labels), and describe the procedure on those
labels. A full run measures again; the app and `tagger models` say which figures are carried.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tagger.model.architectures import frontend_for
from tagger.model.checkpoint import save_model
from tagger.model.network import set_temperature
from tagger.model.onnx_form import write_beside
from tagger.training.epoch_loop import EpochCancelled
from tagger.training.feature_cache import FeatureCache
from tagger.training.labeled_set import LabeledSet, label_counts
from tagger.training.quick_plan import QuickPlan
from tagger.training.refit import doubted_record, refit, refit_margins
from tagger.training.split import Split
from tagger.training.train import (
    TrainingCancelled,
    TrainingError,
    TrainResult,
    labeled_windows,
    model_destination,
    resolved_weight_decay,
    run_facts,
    start_network,
)
from tagger.training.train_config import TrainProgress
from tagger.training.window_cache import decode_tracks


def quick_retrain(
    data: LabeledSet,
    out: str | Path,
    plan: QuickPlan,
    *,
    cache: FeatureCache | None = None,
    log: Callable[[str], None] = print,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
) -> TrainResult:
    """Refit on every label of `data` as `plan` says, and save the model with the figures
    carried. A cancelled run raises TrainingCancelled (nothing to resume: the decoded tracks
    are in the cache, and the refit is the whole run)."""
    out = model_destination(out)
    config = dataclasses.replace(plan.config, epochs=plan.epochs)  # the ETA's "of N epochs"
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.workers)
    rng = np.random.default_rng(config.seed)
    frontend = frontend_for(config.arch, config.overlap_short_tracks)
    log(
        f"quick retrain: the refit of model {plan.model!r} ({plan.epochs} epochs at learning "
        f"rate {plan.lr:g}) on all {len(data.tracks)} labels ({plan.labels} then); no split "
        "run, so nothing is measured: its figures are carried over"
    )
    track_set, skipped = decode_tracks(data.tracks, frontend, cache, config.workers)
    for path, why in skipped.items():
        log(f"skipped {path}: {why}")
    if not track_set[0]:
        raise TrainingError("none of the labeled tracks could be read")
    label_index = {c: i for i, c in enumerate(data.classes)}
    network, _ = start_network(config, data.classes, frontend, track_set[0], log)
    started = time.monotonic()
    try:
        margins = refit(
            network, labeled_windows(track_set, label_index), config, frontend,
            epochs=plan.epochs, lr=plan.lr, weight_decay=resolved_weight_decay(config), rng=rng,
            log=log, stage=log, cancel=cancel, progress=progress,
        )  # fmt: skip
    except EpochCancelled:
        raise TrainingCancelled(
            "cancelled; run again to retrain (nothing is decoded twice)"
        ) from None
    if plan.temperature is not None:
        set_temperature(network, plan.temperature)
    label_margins = refit_margins(track_set[1], margins, log)
    seconds = round(time.monotonic() - started, 1)
    metrics: dict[str, Any] = dict(plan.metrics)
    metrics["carried_from"] = {"model": plan.model, "labels": plan.labels}
    training = {
        "data_dir": None,
        "origin": data.origin,
        "labels": label_counts(data.tracks),
        "config": asdict(config),
        "skipped": skipped,
        "learning_rate": plan.lr,
        "epochs_run": 0,
        "quick_retrain_of": plan.model,
        "refit": {"tracks": len(track_set[0]), "epochs": plan.epochs, "seconds": seconds},
        "doubted_labels": doubted_record(label_margins),
        "history": [],
        "seconds": seconds,
        **run_facts(),
    }
    save_model(
        out, network.to(memory_format=torch.contiguous_format), data.classes, frontend,
        training, metrics,
    )  # fmt: skip
    write_beside(out)
    return TrainResult(out, 0, [], Split(list(data.tracks), [], []), skipped, label_margins)
