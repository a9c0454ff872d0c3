"""`tagger compare`: train several architectures under one protocol and tabulate them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tagger.cli import UserError
from tagger.model.architecture_names import ARCHITECTURES


def _arch_list(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    unknown = [a for a in names if a not in ARCHITECTURES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown architecture(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(ARCHITECTURES)}"
        )
    return names


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare",
        help="train several architectures on the same split and budget, and tabulate them",
        description=(
            "Train each architecture of --arch once per seed on DATA_DIR (one sub-folder per "
            "class) with the same track/artist-grouped split and the same budget, measure each on "
            "the held-out test split, and write compare.md (one table: clip and track accuracy, "
            "macro F1, ROC AUC with the spread over seeds, parameters, training time, inference "
            "windows/s), compare.json (every run) and compare.png into --out. Finished runs are "
            "reused when the command is run again."
        ),
    )
    p.add_argument(
        "data_dir", metavar="DATA_DIR", type=Path, help="one sub-folder of audio files per class"
    )
    p.add_argument(
        "--arch",
        required=True,
        type=_arch_list,
        metavar="A,B,...",
        help=f"comma-separated, from: {', '.join(ARCHITECTURES)}",
    )
    p.add_argument("--out", required=True, metavar="DIR", type=Path, help="where to write")
    p.add_argument("--seeds", type=int, default=3, help="training seeds per architecture (3)")
    p.add_argument("--split-seed", type=int, default=0, help="the one split every run uses (0)")
    p.add_argument("--epochs", type=int, default=100, help="at most this many (default 100)")
    p.add_argument("--patience", type=int, default=10, help="early-stopping patience (epochs)")
    p.add_argument("--batch-size", type=int, default=32, help="training batch size (default 32)")
    p.add_argument(
        "--windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="sample K of each training track's windows per epoch (default: all)",
    )
    p.add_argument(
        "--val-windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="validate on K evenly spaced windows of each validation track (default: all)",
    )
    p.add_argument(
        "--test-windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="measure on K evenly spaced windows of each test track (default: all, as classify)",
    )
    p.add_argument(
        "--train-seconds",
        type=float,
        default=None,
        metavar="S",
        help="a wall budget per run: stop training once S seconds (training + validation) are "
        "spent, whatever the architecture (default: none, only --epochs and --patience)",
    )
    p.add_argument("--no-augment", action="store_true", help="only the paper's random padding")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="CPU cores to use")
    p.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from tagger.training.compare import CompareConfig, compare
    from tagger.training.train import TrainingError

    if min(args.seeds, args.epochs, args.patience, args.batch_size) < 1:
        raise UserError("--seeds, --epochs, --patience and --batch-size must be at least 1")
    per_track = (args.windows_per_track, args.val_windows_per_track, args.test_windows_per_track)
    if any(k is not None and k < 1 for k in per_track):
        raise UserError("the --*-windows-per-track options must be at least 1")
    if args.train_seconds is not None and not args.train_seconds > 0:
        raise UserError("--train-seconds must be more than 0")
    config = CompareConfig(
        archs=args.arch,
        seeds=args.seeds,
        split_seed=args.split_seed,
        epochs=args.epochs,
        patience=args.patience,
        batch_size=args.batch_size,
        windows_per_track=args.windows_per_track,
        val_windows_per_track=args.val_windows_per_track,
        test_windows_per_track=args.test_windows_per_track,
        augment=not args.no_augment,
        workers=max(1, args.workers),
        train_seconds=args.train_seconds,
    )
    try:
        compare(
            args.data_dir,
            args.out,
            config,
            show_progress=sys.stderr.isatty(),
            log=lambda text: print(text, file=sys.stderr, flush=True),
        )
    except (TrainingError, FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    print((args.out / "compare.md").read_text(), end="")
    print(f"wrote {args.out / 'compare.md'}, compare.json and compare.png")
    return 0
