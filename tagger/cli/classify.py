"""`tagger classify FILE... [--model PATH] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys

from tagger.audio.errors import AudioError
from tagger.cli import UserError
from tagger.model.checkpoint import ModelFileError
from tagger.model.predictor import Predictor, TrackPrediction


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify",
        help="classify audio files as Metal or Hardcore",
        description="Classify each FILE and print its label, confidence and window probabilities.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled demo model)")
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    p.add_argument(
        "--windows", action="store_true", help="also list every window's probabilities (text mode)"
    )
    p.set_defaults(handler=run)


def load_predictor(model: str | None) -> Predictor:
    try:
        return Predictor.load(model)
    except ModelFileError as exc:
        raise UserError(f"cannot use model {exc}") from None


def run(args: argparse.Namespace) -> int:
    predictor = load_predictor(args.model)
    failed = 0
    for path in args.files:
        try:
            result = predictor.classify(path)
        except AudioError as exc:
            failed += 1
            if args.json:
                print(json.dumps({"path": path, "error": exc.reason}), flush=True)
            else:
                print(f"{path}: error: {exc.reason}", file=sys.stderr, flush=True)
            continue
        if args.json:
            print(json.dumps(result.to_json()), flush=True)
        else:
            print(format_result(result, args.windows), flush=True)
    return 1 if failed else 0


def format_result(result: TrackPrediction, windows: bool) -> str:
    probs = "  ".join(f"{c} {p:.3f}" for c, p in result.probabilities.items())
    lines = [f"{result.path}: {result.label} ({result.confidence:.1%})  [{probs}]"]
    if windows:
        for w in result.windows:
            row = " ".join(f"{p:.2f}" for p in w.probabilities)
            lines.append(f"  {w.start:8.2f}-{w.end:8.2f} s  {row}")
    return "\n".join(lines)
