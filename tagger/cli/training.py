"""`tagger train` and `tagger evaluate`.

torch comes with the model modules, so they are imported inside the handlers: building the
parser for any other command must not load it (the --arch names come from a torch-free module)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tagger.cli import UserError
from tagger.model.architecture_names import ARCHITECTURES


def _architecture(text: str) -> str:
    if text not in ARCHITECTURES:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ARCHITECTURES)}, not {text!r}")
    return text


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a model on your own labeled music",
        description=(
            "Train on DATA_DIR, which holds one sub-folder of audio files per class "
            "(e.g. DATA_DIR/metal, DATA_DIR/hardcore). Tracks are split 70/15/15 by track, "
            "grouped by artist; the test split is held out for `tagger evaluate`. An interrupted "
            "run resumes from its last epoch when started again with the same arguments."
        ),
    )
    p.add_argument("data_dir", metavar="DATA_DIR", type=Path)
    p.add_argument("--out", required=True, metavar="MODEL", type=Path, help="model file to write")
    p.add_argument(
        "--arch",
        type=_architecture,
        default="cnn-bigru",
        help=(
            "cnn-bigru (the paper's, default), a baseline of its Table 1 (cnn-lstm, lstm), or a "
            "related system: chen-cnn, chen-cnn-bigru, mfcc-crnn, resnet18-bigru "
            "(docs/architectures.md)"
        ),
    )
    p.add_argument("--epochs", type=int, default=100, help="at most this many (default 100)")
    p.add_argument("--patience", type=int, default=10, help="early-stopping patience (epochs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="sample K of each track's 60 windows per epoch (default: all)",
    )
    p.add_argument(
        "--val-windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="validate on K evenly spaced windows of each validation track (default: all)",
    )
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="CPU cores to use")
    p.add_argument(
        "--no-augment",
        action="store_true",
        help="only the paper's random-offset padding, no gain or SpecAugment masks",
    )
    p.add_argument("--no-resume", action="store_true", help="start over, ignoring a checkpoint")
    p.add_argument(
        "--cache", type=Path, metavar="DIR", help="keep decoded spectrograms here between runs"
    )
    p.set_defaults(handler=run_train)

    e = subparsers.add_parser(
        "evaluate",
        help="measure a model on labeled music and write a report",
        description=(
            "Clip- and track-level accuracy, precision/recall/F1, ROC AUC and confusion "
            "matrices, with ROC, confusion and t-SNE plots, as JSON and Markdown in --report."
        ),
    )
    e.add_argument("model", metavar="MODEL", type=Path)
    e.add_argument("data_dir", metavar="DATA_DIR", type=Path)
    e.add_argument("--report", required=True, metavar="DIR", type=Path)
    e.add_argument(
        "--split",
        choices=("auto", "test", "all"),
        default="auto",
        help="auto: the held-out test split if DATA_DIR is the training folder, else all tracks",
    )
    e.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    e.set_defaults(handler=run_evaluate)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.train import TrainConfig, TrainingError, train

    if args.epochs < 1 or args.patience < 1:
        raise UserError("--epochs and --patience must be at least 1")
    if any(k is not None and k < 1 for k in (args.windows_per_track, args.val_windows_per_track)):
        raise UserError("--windows-per-track and --val-windows-per-track must be at least 1")
    config = TrainConfig(
        arch=args.arch,
        epochs=args.epochs,
        patience=args.patience,
        seed=args.seed,
        windows_per_track=args.windows_per_track,
        val_windows_per_track=args.val_windows_per_track,
        augment=not args.no_augment,
        workers=max(1, args.workers),
    )
    try:
        result = train(
            args.data_dir,
            args.out,
            config,
            resume=not args.no_resume,
            cache=FeatureCache(args.cache) if args.cache else None,
            show_progress=sys.stderr.isatty(),
            log=_log,
        )
    except (TrainingError, FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    best = next(r for r in result.history if r.epoch == result.best_epoch)
    print(
        f"wrote {result.model_path} (best epoch {result.best_epoch}: validation track accuracy "
        f"{best.val_track_accuracy:.3f}, clip accuracy {best.val_accuracy:.3f}); "
        f"evaluate the held-out test split with: tagger evaluate {result.model_path} "
        f"{args.data_dir} --report REPORT_DIR"
    )
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from tagger.model.checkpoint import ModelFileError
    from tagger.training.evaluate import evaluate

    try:
        report = evaluate(
            args.model,
            args.data_dir,
            args.report,
            split=args.split,
            workers=args.workers,
            show_progress=sys.stderr.isatty(),
            log=_log,
        )
    except ModelFileError as exc:
        raise UserError(f"cannot use model {exc}") from None
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    for level in ("clip_level", "track_level"):
        m = report[level]
        auc = f"{m['roc_auc']:.4f}" if m["roc_auc"] is not None else "n/a"
        print(
            f"{level.replace('_', ' ')}: n={m['n']} accuracy {m['accuracy']:.4f} "
            f"macro F1 {m['macro']['f1']:.4f} ROC AUC {auc}"
        )
    print(f"report: {args.report / 'report.md'}")
    return 0
