"""`tagger classify FILE... [--model PATH] [--json]`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tagger.cli.output import json_text

if TYPE_CHECKING:
    from tagger.model.predictor import TrackPrediction


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify",
        help="classify audio files as Metal or Hardcore",
        description="Classify each FILE and print its label, confidence and window probabilities.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files to classify")
    p.add_argument(
        "--model", metavar="PATH", help="model file (default: settings, else the bundled model)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    p.add_argument(
        "--windows", action="store_true", help="also list every window's probabilities (text mode)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tagger.service.classification import classify_files
    from tagger.service.context import load_settings
    from tagger.service.models import load_predictor

    predictor = load_predictor(load_settings(), args.model)
    failed = 0
    for verdict in classify_files(predictor, args.files):
        if verdict.prediction is None:
            failed += 1
            if args.json:
                print(json_text({"path": verdict.path, "error": verdict.error}), flush=True)
            else:
                print(f"{verdict.path}: error: {verdict.error}", file=sys.stderr, flush=True)
        elif args.json:
            print(json_text(verdict.prediction.to_json()), flush=True)
        else:
            print(format_result(verdict.prediction, args.windows), flush=True)
    return 1 if failed else 0


def format_result(result: TrackPrediction, windows: bool) -> str:
    probs = "  ".join(f"{c} {p:.3f}" for c, p in result.probabilities.items())
    lines = [f"{result.path}: {result.label} ({result.confidence:.1%})  [{probs}]"]
    if windows and result.windows:
        widths = [max(4, len(c)) for c in result.probabilities]
        header = "  ".join(c.rjust(n) for c, n in zip(result.probabilities, widths, strict=True))
        lines.append(f"  {'window start-end, s':>19}  {header}")
        for w in result.windows:
            row = "  ".join(f"{p:{n}.2f}" for p, n in zip(w.probabilities, widths, strict=True))
            lines.append(f"  {w.start:8.2f}-{w.end:8.2f} s  {row}")
    return "\n".join(lines)
