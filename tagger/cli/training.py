"""`tagger train` and `tagger evaluate`.

torch comes with the model modules, so they are imported inside the handlers: building the
parser for any other command must not load it (the --arch names come from a torch-free module)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from tagger.cli import UserError
from tagger.cli.common import db_option
from tagger.model.architecture_names import ARCHITECTURES


def _architecture(text: str) -> str:
    if text not in ARCHITECTURES:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ARCHITECTURES)}, not {text!r}")
    return text


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        parents=[db_option()],
        help="train a model on your own labeled music",
        description=(
            "Train on DATA_DIR, which holds one sub-folder of audio files per class "
            "(e.g. DATA_DIR/metal, DATA_DIR/hardcore), or with --from-library on the library's "
            "labels: your review decisions first, then genre tags that the genre map maps to one "
            "class. Tracks are split 70/15/15 by track, grouped by artist (and album); the test "
            "split is held out for `tagger evaluate` (--from-library measures it at once and "
            "registers the model). An interrupted run resumes from its last epoch when started "
            "again with the same arguments."
        ),
    )
    p.add_argument(
        "data_dir",
        metavar="DATA_DIR",
        type=Path,
        nargs="?",
        help="one sub-folder of audio files per class (or --from-library)",
    )
    p.add_argument(
        "--from-library", action="store_true", help="learn from the library's tags and decisions"
    )
    p.add_argument(
        "--recipe",
        choices=("library", "paper"),
        default=None,
        help="library: sampled windows, fewer epochs (default with --from-library); "
        "paper: the paper's recipe (default for DATA_DIR)",
    )
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
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="at most this many, the refit's included (default 100; --from-library 25)",
    )
    p.add_argument(
        "--patience",
        type=int,
        default=None,
        help="early-stopping patience (default 10; --from-library 8)",
    )
    p.add_argument("--seed", type=int, default=0, help="split and training seed (default 0)")
    p.add_argument(
        "--windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="sample K of each track's 60 windows per epoch (default: all; --from-library: "
        "4,096 windows per epoch shared out over the training tracks)",
    )
    p.add_argument(
        "--share-by",
        choices=("track", "artist"),
        default=None,
        help="share a sampled epoch's windows out the same per track (default) or per artist, "
        "so an artist with many labeled tracks does not drown one with two",
    )
    p.add_argument(
        "--short-tracks",
        choices=("pad", "overlap"),
        default=None,
        help="windows of a track under 3 minutes: the paper's 60 parts padded with silence "
        "(default), or 60 full 3 s windows that overlap (--from-library's default)",
    )
    p.add_argument(
        "--val-windows-per-track",
        type=int,
        default=None,
        metavar="K",
        help="validate on K evenly spaced windows of each validation track (default: all)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help=f"CPU cores to use (default: all, {os.cpu_count() or 1} here)",
    )
    p.add_argument(
        "--no-augment",
        action="store_true",
        help="only the paper's random-offset padding, no gain or SpecAugment masks",
    )
    p.add_argument(
        "--no-refit",
        action="store_true",
        help="deliver the split run's best epoch instead of training it again on every label "
        "(the library recipe's last step)",
    )
    p.add_argument(
        "--start-from",
        metavar="MODEL",
        default=None,
        help="begin from this model file's weights (fine-tuning), 'bundled' for the shipped "
        "model, or 'scratch' for a random start (default: bundled with --from-library, else "
        "scratch)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="with --from-library: repeat the active model's last step (its refit) on the "
        "labels as they are now, skipping the split run (about a third of the time); nothing "
        "is measured, its held-out figures are carried over. For a retrain after new decisions",
    )
    p.add_argument("--no-resume", action="store_true", help="start over, ignoring a checkpoint")
    p.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep decoded spectrograms here between runs "
        "(--from-library: default the user cache folder)",
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
    e.add_argument("model", metavar="MODEL", type=Path, help="the model file to evaluate")
    e.add_argument(
        "data_dir", metavar="DATA_DIR", type=Path, help="one sub-folder of audio files per class"
    )
    e.add_argument(
        "--report", required=True, metavar="DIR", type=Path, help="folder for the report and plots"
    )
    e.add_argument(
        "--split",
        choices=("auto", "test", "all"),
        default="auto",
        help="auto: the held-out test split if DATA_DIR is the training folder, else all tracks",
    )
    e.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help=f"CPU cores to use (default: all, {os.cpu_count() or 1} here)",
    )
    e.set_defaults(handler=run_evaluate)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    from tagger.service.learning import default_config
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.train import TrainingError, train

    if (args.epochs is not None and args.epochs < 1) or (
        args.patience is not None and args.patience < 1
    ):
        raise UserError("--epochs and --patience must be at least 1")
    if any(k is not None and k < 1 for k in (args.windows_per_track, args.val_windows_per_track)):
        raise UserError("--windows-per-track and --val-windows-per-track must be at least 1")
    if args.from_library == (args.data_dir is not None):
        raise UserError("give either DATA_DIR or --from-library")
    if args.quick and not args.from_library:
        raise UserError("--quick retrains a model of the library: use it with --from-library")
    recipe_options = (
        args.recipe, args.epochs, args.patience, args.windows_per_track, args.share_by,
        args.short_tracks, args.val_windows_per_track, args.start_from, args.no_augment or None,
        args.no_refit or None, None if args.arch == "cnn-bigru" else args.arch,
    )  # fmt: skip
    if args.quick and any(o is not None for o in recipe_options):
        raise UserError("--quick repeats the active model's recipe: leave out the recipe options")
    config = default_config(
        args.recipe or ("library" if args.from_library else "paper"),
        arch=args.arch,
        epochs=args.epochs,
        patience=args.patience,
        seed=args.seed,
        windows_per_track=args.windows_per_track,
        share_by=args.share_by,
        overlap_short_tracks=None if args.short_tracks is None else args.short_tracks == "overlap",
        val_windows_per_track=args.val_windows_per_track,
        augment=False if args.no_augment else None,
        refit=False if args.no_refit else None,
        workers=max(1, args.workers),
    )
    if args.start_from is not None:
        start = None if args.start_from == "scratch" else args.start_from
        config = dataclasses.replace(config, warm_start=start)
    if args.from_library:
        return _train_from_library(args, config)
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
    kept = f"best epoch {result.best_epoch}" if result.best_epoch else "no epoch beat the start"
    print(
        f"wrote {result.model_path} ({kept}: validation track accuracy "
        f"{best.val_track_accuracy:.3f}, clip accuracy {best.val_accuracy:.3f}); "
        f"evaluate the held-out test split with: tagger evaluate {result.model_path} "
        f"{args.data_dir} --report REPORT_DIR"
    )
    return 0


def _train_from_library(args: argparse.Namespace, config) -> int:
    from tagger.cli.common import ctrl_c_cancels
    from tagger.service.context import load_settings, open_library
    from tagger.service.learning import (
        describe_labels,
        describe_trained,
        library_labels,
        quick_plan,
        train_from_library,
    )
    from tagger.training.train import TrainingCancelled

    settings = load_settings()
    library = open_library(args.db)
    try:
        data = library_labels(library, settings)
        print(f"labels: {describe_labels(data.counts)}", flush=True)
        quick = quick_plan(library, settings, data, config.workers) if args.quick else None
        with ctrl_c_cancels() as stop:
            model = train_from_library(
                library,
                settings,
                args.out,
                config,
                data=data,
                resume=not args.no_resume,
                log=_log,
                show_progress=sys.stderr.isatty(),
                cancel=stop.is_set,
                cache_dir=args.cache,
                quick=quick,
            )
    except TrainingCancelled as exc:
        raise UserError(str(exc)) from None
    finally:
        library.close()
    print(describe_trained(model))
    print(f"make it active with: tagger models use {model.name}")
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
