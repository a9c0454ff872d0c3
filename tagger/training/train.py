"""The training loop: DESIGN.md's recipe, with a resumable checkpoint after every epoch.

Recipe: Adam (lr 1e-3), batch 32, StepLR (step 30, gamma 0.5), up to 100 epochs, early stopping
on validation loss (patience 10; the best epoch's weights are kept). Cross-entropy on logits.
Augmentation: random-offset padding of windows shorter than 3 s (the paper's), plus ±6 dB gain
and one frequency and one time mask per window (window_cache.augment_window; --no-augment
turns these two off).
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tagger import __version__
from tagger.audio.mel import FrontEndConfig
from tagger.model.architectures import architecture, frontend_for, network_config
from tagger.model.architectures.layers import fit_input_statistics
from tagger.model.checkpoint import (
    ModelFileError,
    check_model_destination,
    default_model_path,
    save_model,
)
from tagger.model.network import Network, build_network, set_temperature
from tagger.model.onnx_form import write_beside
from tagger.training.calibration import calibrate
from tagger.training.dataset import discover
from tagger.training.epoch_budget import likely_epochs_left, refit_epochs, split_run_last_epoch
from tagger.training.epoch_clock import budget_spent, eta_text
from tagger.training.epoch_loop import EpochCancelled, TrainingWindows, train_epoch
from tagger.training.epoch_sampling import items
from tagger.training.feature_cache import FeatureCache
from tagger.training.held_out import held_out_metrics
from tagger.training.labeled_set import LabeledSet, label_counts
from tagger.training.refit import doubted_record, refit, refit_margins
from tagger.training.resume import load_resume, resume_path, save_resume
from tagger.training.split import Split, split_tracks
from tagger.training.train_config import EpochRecord, TrainConfig, TrainProgress
from tagger.training.validation import validate
from tagger.training.warm_start import START_KNOWS_ABOVE, warm_start
from tagger.training.window_cache import CachedTrack, TrackSet, decode_split, decode_tracks


@dataclass
class TrainResult:
    model_path: Path
    best_epoch: int
    history: list[EpochRecord]
    split: Split
    skipped: dict[str, str]
    # Each refit track's mean margin (training/epoch_loop.py TrackMargins), by its path; empty
    # without a refit. A label the network learnt only by rote has a negative one.
    label_margins: dict[Path, float] = field(default_factory=dict)


class TrainingError(Exception):
    pass


def model_destination(out: str | Path) -> Path:
    """`out`, checked before any work (`checkpoint.check_model_destination`)."""
    try:
        return check_model_destination(out)
    except ModelFileError as exc:
        raise TrainingError(str(exc)) from None


class TrainingCancelled(TrainingError):
    pass


def train(
    data: str | Path | LabeledSet,
    out: str | Path,
    config: TrainConfig,
    *,
    resume: bool = True,
    cache: FeatureCache | None = None,
    held_out: bool = False,
    show_progress: bool = True,
    log: Callable[[str], None] = print,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
) -> TrainResult:
    """Train on a class-folder tree or a LabeledSet (the library's labels).

    `held_out`: also decode the test split and store its metrics in the model (a library has no
    folder for `tagger evaluate` to read the split back from). `cancel` is asked between
    batches; a cancelled run keeps its resume checkpoint and raises TrainingCancelled.
    """
    out = model_destination(out)
    data_dir = None if isinstance(data, LabeledSet) else Path(data).resolve()
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.workers)
    rng = np.random.default_rng(config.seed)

    if isinstance(data, LabeledSet):
        classes, tracks, origin = data.classes, data.tracks, data.origin
    else:
        classes, tracks = discover(data_dir)
        origin = str(data_dir)
    split_seed = config.seed if config.split_seed is None else config.split_seed
    split = split_tracks(tracks, seed=split_seed)
    if not split.train or not split.val:
        raise TrainingError(
            f"too few tracks to split ({len(tracks)}); need a few per class for train/val/test"
        )
    log(
        f"{len(tracks)} tracks in {len(classes)} classes {classes}; split by track/artist: "
        f"train {len(split.train)}, validation {len(split.val)}, test {len(split.test)} (held out)"
    )
    frontend = frontend_for(config.arch, config.overlap_short_tracks)
    train_set, val_set, skipped = decode_split(
        split, frontend, cache, config.workers, show_progress, log
    )
    if not train_set[0] or not val_set[0]:
        raise TrainingError("no readable tracks left in the training or validation split")
    label_index = {c: i for i, c in enumerate(classes)}

    network, warm = start_network(config, classes, frontend, train_set[0], log)
    loss_fn = nn.CrossEntropyLoss()
    train_windows = labeled_windows(train_set, label_index)
    val_items = items(val_set[0], config.val_windows_per_track)
    val_labels = np.array([label_index[t.label] for t in val_set[1]])
    validation = (val_set[0], val_items, val_labels, frontend, loss_fn, len(classes), config.bf16)

    state: dict[str, Any] = {"epoch": 0, "best_val_loss": math.inf, "best_epoch": 0, "bad": 0}
    history: list[EpochRecord] = []
    lr = config.lr
    if warm:
        # Epoch 0: the start model itself, validated before any step. It is the baseline early
        # stopping has to beat (training never returns a model worse on validation than its
        # start), and it decides the learning rate (warm_start.START_KNOWS_ABOVE).
        t0 = time.monotonic()
        loss0, clip0, track0 = validate(network, *validation)
        history.append(EpochRecord(0, 0.0, 0.0, loss0, clip0, track0, time.monotonic() - t0))
        state.update(best_val_loss=loss0)
        log(
            f"epoch   0  (the start model)  val loss {loss0:.4f}  val acc {clip0:.3f}  "
            f"val track acc {track0:.3f}"
        )
        if track0 >= START_KNOWS_ABOVE:
            lr = config.lr / 10
            log(
                f"the start model labels {track0:.0%} of the validation tracks right: "
                f"fine-tuning at a tenth of the learning rate ({lr:g})"
            )
        else:
            log(
                f"the start model labels only {track0:.0%} of the validation tracks right: "
                f"training at the full learning rate ({lr:g}) from its weights"
            )
    weight_decay = resolved_weight_decay(config)
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    best_weights = {k: v.clone() for k, v in network.state_dict().items()}
    resume_file = resume_path(out)
    fingerprint = _run_fingerprint(config, origin, split)
    if resume and resume_file.exists():
        loaded = load_resume(resume_file, fingerprint, network, optimizer, scheduler, EpochRecord)
        if loaded is not None:
            state, history, best_weights, rng_state = loaded
            rng.bit_generator.state = rng_state
            log(f"resuming after epoch {state['epoch']} from {resume_file}")
        else:
            log(f"ignoring {resume_file}: it belongs to a different run")

    started = time.monotonic()
    # A resumed run knows its earlier epochs; epoch 0 (validation only) is no guide.
    epoch_times = [r.seconds for r in history if r.epoch > 0]
    if state.get("finished"):  # the epochs ran before; only the steps after them are left
        log(f"resuming after the last epoch ({state['epoch']}) from {resume_file}")
    last = split_run_last_epoch(config)
    epochs_left = [] if state.get("finished") else range(state["epoch"] + 1, last + 1)
    for epoch in epochs_left:
        t0 = time.monotonic()
        try:
            outcome = train_epoch(
                network, optimizer, train_windows, config, frontend, rng, epoch=epoch,
                epoch_times=epoch_times, show_progress=show_progress, cancel=cancel,
                progress=progress,
                likely_epochs=likely_epochs_left(config, epoch, state["best_epoch"], last),
            )  # fmt: skip
        except EpochCancelled:
            raise TrainingCancelled(f"cancelled in epoch {epoch}; run again to resume") from None
        scheduler.step()
        val_loss, val_acc, val_track_acc = validate(network, *validation)
        seconds = time.monotonic() - t0
        epoch_times.append(seconds)
        record = EpochRecord(
            epoch, outcome.loss, outcome.accuracy, val_loss, val_acc, val_track_acc, seconds,
            outcome.windows,
        )  # fmt: skip
        history.append(record)
        improved = val_loss < state["best_val_loss"] - 1e-4
        if improved:
            state.update(best_val_loss=val_loss, best_epoch=epoch, bad=0)
            best_weights = {k: v.detach().clone() for k, v in network.state_dict().items()}
        else:
            state["bad"] += 1
        state["epoch"] = epoch
        at_most = eta_text(epoch_times, config.epochs - epoch)
        likely = eta_text(
            epoch_times, likely_epochs_left(config, epoch + 1, state["best_epoch"], last)
        )
        if likely != at_most:
            at_most += f", ~{likely} if no later epoch does better"
        log(
            f"epoch {epoch:3d}  loss {record.train_loss:.4f}  acc {record.train_accuracy:.3f}  "
            f"val loss {val_loss:.4f}  val acc {val_acc:.3f}  val track acc {val_track_acc:.3f}  "
            f"{seconds:.0f}s{'  *best' if improved else ''}  "
            f"ETA ≤ {at_most}"
        )
        save_resume(
            resume_file,
            fingerprint,
            network,
            optimizer,
            scheduler,
            state,
            history,
            best_weights,
            rng.bit_generator.state,
        )
        if budget_spent(config.max_seconds, epoch_times[:-1], t0):
            log(f"stop: the training budget of {config.max_seconds:g} s is spent")
            break
        if state["bad"] >= config.patience:
            log(f"early stop: validation loss has not improved for {config.patience} epochs")
            break
        if epoch == last < config.epochs:
            log(f"stop: the last {config.epochs - last} epochs of the cap are the refit's")

    network.load_state_dict(best_weights)
    best = next(r for r in history if r.epoch == state["best_epoch"])
    if not state.get("finished"):  # a cancel from here on resumes without the epochs
        state["finished"] = True
        save_resume(
            resume_file, fingerprint, network, optimizer, scheduler, state, history,
            best_weights, rng.bit_generator.state,
        )  # fmt: skip

    def stage(text: str) -> None:  # the steps after the epochs take a while too: say so
        log(text)
        if progress is not None:
            last = history[-1].epoch if history else 0
            progress(TrainProgress(last, config.epochs, 0, 0, 0.0, None, stage=text))

    calibration = None
    if config.calibrate:
        stage(f"calibrating the confidence on the {len(val_set[0])} validation tracks")
        calibration = calibrate(network, val_set[0], val_labels, frontend, config.bf16, log)
    metrics: dict[str, Any] = {
        "validation": {
            "loss": best.val_loss,
            "clip_accuracy": best.val_accuracy,
            "track_accuracy": best.val_track_accuracy,
        }
    }
    if calibration is not None:
        metrics["calibration"] = calibration.to_dict()
    test_set: TrackSet = ([], [])
    if held_out:
        stage(f"measuring the {len(split.test)} held-out test tracks (decoding what is not cached)")
        test_set, test_skipped = decode_tracks(split.test, frontend, cache, config.workers)
        metrics["test"] = held_out_metrics(
            network, test_set, len(test_skipped), classes, frontend, config.bf16, log
        )
    refitted = None
    label_margins: dict[Path, float] = {}
    refit_for = refit_epochs(config, state["best_epoch"], state["epoch"], log)
    if refit_for:
        # Every label the measurements are done with: train, validation and a measured test
        # split (a folder's test split stays out, for `tagger evaluate`). training/refit.py.
        refit_set = joined(train_set, val_set, test_set)
        torch.manual_seed(config.seed)
        network, _ = start_network(config, classes, frontend, refit_set[0], lambda _: None)
        t0 = time.monotonic()
        try:
            margins = refit(
                network, labeled_windows(refit_set, label_index), config, frontend,
                epochs=refit_for, lr=lr, weight_decay=weight_decay, rng=rng, log=log,
                stage=stage, cancel=cancel,
            )  # fmt: skip
        except EpochCancelled:
            raise TrainingCancelled("cancelled while refitting; run again to resume") from None
        if calibration is not None:
            set_temperature(network, calibration.temperature)
        label_margins = refit_margins(refit_set[1], margins, log)
        refitted = {
            "tracks": len(refit_set[0]),
            "epochs": refit_for,
            "seconds": round(time.monotonic() - t0, 1),
        }
        if "test" in metrics:  # what they describe, in the file
            metrics["test"]["measured_on"] = "the split run's model, before the refit"
    training = {
        "data_dir": str(data_dir) if data_dir is not None else None,
        "origin": origin,
        "labels": label_counts(tracks),
        "config": asdict(config),
        "split": {
            name: sorted(
                str(t.path.relative_to(data_dir) if data_dir else t.path)
                for t in getattr(split, name)
            )
            for name in ("train", "val", "test")
        },
        "skipped": skipped,
        "learning_rate": lr,  # a resumed run decides the same (epoch 0 is deterministic)
        "epochs_run": state["epoch"],
        "best_epoch": state["best_epoch"],
        "refit": refitted,  # None: the delivered weights are the split run's best epoch
        "doubted_labels": doubted_record(label_margins),
        "history": [asdict(r) for r in history],
        "seconds": round(sum(r.seconds for r in history), 1),
        "command_seconds_this_run": round(time.monotonic() - started, 1),
        **run_facts(),
    }
    stage("saving the model and its ONNX form")
    save_model(
        out, network.to(memory_format=torch.contiguous_format), classes, frontend, training, metrics
    )
    write_beside(out)  # its ONNX form, so the model classifies on a machine without torch
    resume_file.unlink(missing_ok=True)
    return TrainResult(out, state["best_epoch"], history, split, skipped, label_margins)


def run_facts() -> dict[str, str]:
    """When and with what a model was trained, for its metadata."""
    return {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "tagger_version": __version__,
        "torch_version": torch.__version__,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }


def resolved_weight_decay(config: TrainConfig) -> float:
    """Adam's L2 penalty: the config's, else its architecture's (0 for the paper's CNN-BiGRU)."""
    if config.weight_decay is not None:
        return config.weight_decay
    return architecture(config.arch).weight_decay


def start_network(
    config: TrainConfig,
    classes: Sequence[str],
    frontend: FrontEndConfig,
    tracks: list[CachedTrack],
    log: Callable[[str], None],
) -> tuple[Network, bool]:
    """A new network at its start: the warm-start source's weights where they fit (True), else
    a random draw, with its input standardization taken from `tracks`."""
    network = build_network(network_config(config.arch, len(classes)))
    warm = config.warm_start is not None and warm_start(
        network, list(classes), frontend, _start_source(config.warm_start), log
    )
    if fit_input_statistics(network, _training_windows(tracks)):
        log("input standardization: per-band mean and std taken from the training windows")
    return network.to(memory_format=torch.channels_last), warm


def labeled_windows(track_set: TrackSet, label_index: dict[str, int]) -> TrainingWindows:
    cached, labeled = track_set
    return TrainingWindows(
        cached,
        items(cached),
        np.array([label_index[t.label] for t in labeled], dtype=np.int64),
        tuple(t.artist for t in labeled),
    )


def joined(*sets: TrackSet) -> TrackSet:
    return [c for s in sets for c in s[0]], [t for s in sets for t in s[1]]


def _training_windows(tracks: list[CachedTrack]):
    """Every training window as the network sees it without augmentation, a track at a time."""
    for track in tracks:
        yield torch.from_numpy(track.mel.astype(np.float32))


def _start_source(warm_start: str) -> str | Path:
    return default_model_path() if warm_start == "bundled" else warm_start


def _run_fingerprint(config: TrainConfig, origin: str, split: Split) -> str:
    # No say in the epochs themselves:
    unrelated = ("epochs", "workers", "bf16", "calibrate", "refit", "refit_min_epochs")
    cfg = {k: v for k, v in asdict(config).items() if k not in unrelated}
    files = sorted(f"{t.path}={t.label}" for t in split.train + split.val)
    return json.dumps({"config": cfg, "data_dir": origin, "files": files}, sort_keys=True)
