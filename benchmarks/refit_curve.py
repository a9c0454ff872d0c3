"""How the refit's untagged tracks fare after each epoch: train on every label, score each epoch.

    .venv/bin/python benchmarks/refit_curve.py WORK [--seed 0] [--epochs 10] [--lr 3e-4]
        [--average-from K] [--pseudo-from MODEL [--pseudo-threshold 0.8]]
        [--start-from MODEL] [--cosine] [--share-by artist]
        [--label-smoothing X] [--freq-shift K] [--weight-decay W]
        [--freeze-cnn | --cnn-lr-scale F] [--bag K] [--short-tracks pad|overlap] [--save FILE]

WORK is a finished `benchmarks/library_learning_quality.py` work folder (its library, genre map
applied, and its feature cache). The run is the refit of the library recipe (training/refit.py)
without a split run before it: the bundled model's weights, the recipe's options and learning
rate, every label of the library, for EPOCHS epochs. After each epoch the library's untagged
tracks are labeled from their cached windows (the mean of each track's window probabilities, as
the predictor forms it) and counted against the corpus folders (WORK/music/metal|hardcore/...).
One JSON line per epoch is printed and appended to WORK/refit_curve.jsonl. This is what chose
the recipe's `refit_min_epochs` (BENCHMARKS.md, "How long the refit trains"). With
--average-from K each row also scores the running average of the weights of epochs K..this one
(BENCHMARKS.md, "Averaging the refit's weights: tried, not kept"). With --pseudo-from MODEL
(self-training) the untagged tracks MODEL labels at a verdict confidence of at least
--pseudo-threshold (temperature 1) join the labels with MODEL's class before the first epoch
(BENCHMARKS.md, "Self-training on the untagged tracks: tried, not kept"). With --cosine the
learning rate falls from the recipe's to near zero over the EPOCHS epochs (cosine annealing, one
step per epoch) instead of the recipe's step schedule (BENCHMARKS.md, "Annealing the refit").
With --share-by artist each epoch's window budget is shared out so that every artist gets the
same part instead of every track (TrainConfig.share_by, training/epoch_sampling.py), so an artist
with one or two tagged tracks is not drowned by one with seven (BENCHMARKS.md, "Sharing the epoch
out per artist"). Two regularisers are tried here only, by replacing the product's pieces for
this process: --label-smoothing X trains on targets smoothed by X (Szegedy et al. 2016), and
--freq-shift K moves each training window's Mel image up or down by up to K bands (the edge
filled with the window's floor; a change of key or tuning) before the usual augmentation.
--weight-decay W sets Adam's L2 penalty instead of the architecture's (0 for the paper's
CNN-BiGRU; TrainConfig.weight_decay). --freeze-cnn keeps the start's convolutional layers as they
are (no gradient, BatchNorm statistics and dropout as at inference) and trains only the BiGRU and
the head; --cnn-lr-scale F trains the convolutional layers at F times the learning rate
(discriminative learning rates, Howard & Ruder 2018). --bag K trains on bags of K windows of one
track instead of single windows: the loss is the negative log of the bag's mean probability of
the track's class, the way the predictor's verdict is the mean of a track's window probabilities
(multiple-instance learning; a metal song's hardcore-sounding section then need not be called
metal window by window, only the song as a whole). Each track's windows of an epoch are cut into
bags of K (the remainder dropped) and a batch holds batch_size / K bags. --short-tracks picks the
segment plan for tracks shorter than 60 full windows (3 minutes): the library recipe's 60 full
3 s windows evenly spaced and overlapping (default), or the paper's 60 parts each zero-padded
to 3 s (`pad`: a 60 s track gives windows of 1 s of audio and 2 s of silence). The last
epoch's wrong untagged tracks are printed with their verdicts, and with --save FILE the last
epoch's weights are written there (a torch state dict of the network, for a closer look at
single tracks).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from learning_variants import open_work, untagged_right, untagged_windows  # noqa: E402


def _with_pseudo_labels(labeled, args, usable, untagged, frontend):
    """The labeled (windows, tracks) plus the untagged tracks `args.pseudo_from` labels at
    `args.pseudo_threshold` or surer (its temperature set to 1), each with that model's class;
    what was added, and how much of it is right by the corpus folders, printed."""
    from learning_variants import verdicts

    from tagger.model.checkpoint import load_model
    from tagger.model.network import set_temperature
    from tagger.training.dataset import LabeledTrack

    teacher = load_model(args.pseudo_from)
    set_temperature(teacher.network, 1.0)
    votes = verdicts(teacher.network, untagged, frontend)
    chosen = [i for i, v in enumerate(votes) if v.max() >= args.pseudo_threshold]
    classes = [teacher.classes[int(votes[i].argmax())] for i in chosen]
    right = sum(c == usable[i][1] for i, c in zip(chosen, classes, strict=True))
    teacher_right = sum(
        teacher.classes[int(v.argmax())] == c for v, (_, c) in zip(votes, usable, strict=True)
    )
    print(
        f"pseudo-labels: {len(chosen)} of {len(untagged)} untagged tracks at >= "
        f"{args.pseudo_threshold} ({right} right); the teacher labels {teacher_right} right"
    )
    added = [
        LabeledTrack(usable[i][0], c, None, None, source="pseudo")
        for i, c in zip(chosen, classes, strict=True)
    ]
    return labeled[0] + [untagged[i] for i in chosen], labeled[1] + added


def _patch_regularisers(label_smoothing: float, freq_shift: int) -> None:
    """Swap the product's loss and augmentation for this process (experiments only)."""
    import functools
    import types

    from torch import nn

    from tagger.training import epoch_loop, window_cache

    if label_smoothing:
        loss = functools.partial(nn.CrossEntropyLoss, label_smoothing=label_smoothing)
        epoch_loop.nn = types.SimpleNamespace(CrossEntropyLoss=loss)
    if freq_shift:
        plain = window_cache.augment_window

        def shifted(mel: np.ndarray, rng: np.random.Generator) -> None:
            k = int(rng.integers(-freq_shift, freq_shift + 1))
            if k:
                floor = mel.min()
                mel[:] = np.roll(mel, k, axis=-2)
                if k > 0:
                    mel[:, :k, :] = floor
                else:
                    mel[:, k:, :] = floor
            plain(mel, rng)

        window_cache.augment_window = shifted


def _patch_bags(k: int, batch_size: int) -> None:
    """Train on bags of `k` windows of one track, the loss on each bag's mean probability
    (experiments only): the epoch's rows come grouped by track in runs of `k`, bags shuffled."""
    import math
    import types

    import torch

    from tagger.training import epoch_loop

    if batch_size % k:
        sys.exit(f"--bag {k} must divide the batch size {batch_size}")
    plain_order = epoch_loop.epoch_order

    def bagged_order(items, counts, rng):
        rows = plain_order(items, counts, rng)
        bags = []
        for t in np.unique(rows[:, 0]):
            mine = rows[rows[:, 0] == t]
            bags += [mine[i : i + k] for i in range(0, len(mine) - k + 1, k)]
        return np.concatenate([bags[i] for i in rng.permutation(len(bags))])

    def bag_loss():
        def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            logp = torch.log_softmax(logits, 1).reshape(-1, k, logits.shape[1])
            bag = torch.logsumexp(logp, 1) - math.log(k)  # log of the mean probability
            return torch.nn.functional.nll_loss(bag, y[::k])

        return loss

    epoch_loop.epoch_order = bagged_order
    epoch_loop.nn = types.SimpleNamespace(CrossEntropyLoss=bag_loss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=None, help="instead of the recipe's")
    parser.add_argument(
        "--average-from",
        type=int,
        default=0,
        help="also score the running average of the weights from this epoch on (0: off)",
    )
    parser.add_argument(
        "--pseudo-from",
        type=Path,
        default=None,
        help="a model whose confident verdicts on the untagged tracks join the labels",
    )
    parser.add_argument("--pseudo-threshold", type=float, default=0.8)
    parser.add_argument(
        "--start-from", default=None, help="a model file to start from instead of the bundled"
    )
    parser.add_argument(
        "--cosine", action="store_true", help="anneal the learning rate to ~0 over the epochs"
    )
    parser.add_argument(
        "--share-by",
        choices=("track", "artist"),
        default=None,
        help="share each epoch's windows out per track (the recipe's) or per artist",
    )
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--freq-shift", type=int, default=0, help="Mel bands, up or down")
    parser.add_argument("--weight-decay", type=float, default=None, help="Adam's L2 penalty")
    cnn = parser.add_mutually_exclusive_group()
    cnn.add_argument("--freeze-cnn", action="store_true", help="train the BiGRU and head only")
    cnn.add_argument("--cnn-lr-scale", type=float, default=1.0, help="CNN lr = lr × this")
    parser.add_argument("--bag", type=int, default=0, help="windows per bag (0: single windows)")
    parser.add_argument(
        "--short-tracks", choices=("pad", "overlap"), default=None, help="default: the recipe's"
    )
    parser.add_argument("--save", type=Path, default=None, help="the last epoch's state dict")
    args = parser.parse_args()
    _patch_regularisers(args.label_smoothing, args.freq_shift)
    work = args.work.resolve()
    data, cache = open_work(work)
    import torch

    from tagger.service.learning import default_config
    from tagger.training import train as training
    from tagger.training.epoch_loop import train_epoch
    from tagger.training.window_cache import decode_tracks

    changes = {"seed": args.seed, "calibrate": False}
    if args.lr is not None:
        changes["lr"] = args.lr
    if args.start_from is not None:
        changes["warm_start"] = args.start_from
    if args.share_by is not None:
        changes["share_by"] = args.share_by
    if args.weight_decay is not None:
        changes["weight_decay"] = args.weight_decay
    if args.short_tracks is not None:
        changes["overlap_short_tracks"] = args.short_tracks == "overlap"
    config = default_config("library", **changes)
    if args.bag:
        _patch_bags(args.bag, config.batch_size)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.workers)
    rng = np.random.default_rng(config.seed)
    frontend = training.frontend_for(config.arch, config.overlap_short_tracks)
    labeled, _ = decode_tracks(data.tracks, frontend, cache, config.workers)
    usable, untagged = untagged_windows(work, frontend, cache, config.workers)
    index = {c: i for i, c in enumerate(data.classes)}

    if args.pseudo_from is not None:
        labeled = _with_pseudo_labels(labeled, args, usable, untagged, frontend)
    network, _ = training.start_network(config, data.classes, frontend, labeled[0], print)
    weight_decay = training.resolved_weight_decay(config)
    optimizer = torch.optim.Adam(
        _parameter_groups(network, config.lr, args), lr=config.lr, weight_decay=weight_decay
    )
    if args.cosine:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    else:
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    all_labels = training.labeled_windows(labeled, index)

    def right(model=network) -> int:
        return untagged_right(model, data.classes, usable, untagged, frontend)

    averaged = torch.optim.swa_utils.AveragedModel(network) if args.average_from else None

    def averaged_right(epoch: int) -> int | None:
        """The weights averaged over epochs average_from..epoch, BatchNorm statistics
        recomputed on the training windows (torch.optim.swa_utils), scored like the network."""
        if averaged is None or epoch < args.average_from:
            return None
        averaged.update_parameters(network)
        torch.optim.swa_utils.update_bn(training._training_windows(labeled[0]), averaged)
        return right(averaged.module)

    print(f"{len(labeled[0])} labeled tracks; {len(usable)} untagged; start: {right()} right")
    times: list[float] = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.monotonic()
        outcome = train_epoch(
            network, optimizer, all_labels, config, frontend, rng, epoch=epoch, epoch_times=times
        )
        scheduler.step()
        times.append(time.monotonic() - t0)
        row = {
            "work": work.name,
            "seed": args.seed,
            "lr": config.lr,
            "schedule": "cosine" if args.cosine else "step",
            "share_by": config.share_by,
            "label_smoothing": args.label_smoothing,
            "freq_shift": args.freq_shift,
            "weight_decay": weight_decay,
            "cnn": "frozen" if args.freeze_cnn else args.cnn_lr_scale,
            "bag": args.bag,
            "overlap": config.overlap_short_tracks,
            "epoch": epoch,
            "loss": round(outcome.loss, 4),
            "untagged_right": right(),
        }
        if (average := averaged_right(epoch)) is not None:
            row["averaged_right"] = average
        row |= {
            "untagged": len(usable),
            "seconds": round(time.monotonic() - t0),
            "load": os.getloadavg(),
        }
        print(json.dumps(row), flush=True)
        with open(work / "refit_curve.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")
    _print_wrong(network, data.classes, usable, untagged, frontend)
    if args.save is not None:
        torch.save(network.state_dict(), args.save)


def _parameter_groups(network, lr: float, args) -> list[dict]:
    """The optimizer's parameter groups: the CNN's at lr × --cnn-lr-scale, or none of them with
    --freeze-cnn (its layers then stay in inference mode when the epoch calls train())."""
    cnn = network.cnn
    rest = [p for name, p in network.named_parameters() if not name.startswith("cnn.")]
    if args.freeze_cnn:
        for p in cnn.parameters():
            p.requires_grad_(False)
        inference = type(cnn).train
        cnn.train = lambda mode=True: inference(cnn, False)
        return [{"params": rest}]
    return [{"params": rest}, {"params": list(cnn.parameters()), "lr": lr * args.cnn_lr_scale}]


def _print_wrong(network, classes, usable, tracks, frontend) -> None:
    """The untagged tracks the network labels wrong: path, truth, verdict."""
    from learning_variants import verdicts

    for v, (path, truth) in zip(verdicts(network, tracks, frontend), usable, strict=True):
        label = classes[int(v.argmax())]
        if label != truth:
            print(f"wrong: {Path(path).name} ({truth}) {label} {v.max():.2f}")


if __name__ == "__main__":
    main()
