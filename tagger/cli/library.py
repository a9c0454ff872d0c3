"""`tagger scan | review | label | list | stats`: the library from the command line.

Parsing and printing only; the work is in tagger.service, imported inside each command so that
building the parser (and `tagger --help`) loads none of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tagger.cli.common import (
    NO_TIMEOUT,
    ProgressBar,
    ctrl_c_cancels,
    db_option,
    positive_int,
    positive_seconds,
    probability,
)
from tagger.cli.output import FORMATS, print_rows
from tagger.library.settings import Settings

if TYPE_CHECKING:
    from tagger.library.stats import ModelUsage
    from tagger.library.store import Library
    from tagger.service.library_client import LibraryClient

# --list flags → the smart list they show (SmartList values)
LIST_FLAGS = {
    "review": "review",
    "missing": "missing",
    "errors": "errors",
    "out_of_scope": "out-of-scope",
    "unclassified": "unclassified",
    "conflicts": "conflicts",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parent = db_option()
    format_parent = argparse.ArgumentParser(add_help=False)
    format_parent.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people (default); csv and json carry every field, the same ones for any "
        "rows",
    )

    p = subparsers.add_parser(
        "scan",
        parents=[db_parent],
        help="add folders to the library and classify new tracks",
        description="Find audio files under PATHs, read new and changed ones, mark vanished ones "
        "missing, then classify tracks that have no prediction from the current model. "
        "Ctrl-C stops cleanly; the next scan resumes.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="music files or folders to add")
    p.add_argument("--no-classify", action="store_true", help="only update the library")
    p.add_argument(
        "--model", metavar="M", help="model file (default: the settings', else the bundled one)"
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="decoding processes (default: the settings', else one per CPU core)",
    )
    p.add_argument(
        "--all", action="store_true", help="also classify tracks whose genre tag is out of scope"
    )
    limit = p.add_mutually_exclusive_group()
    limit.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="S",
        help="give up on a file whose decoding takes longer than S seconds, S > 0 "
        "(default: the settings', 120)",
    )
    limit.add_argument(
        "--no-timeout",
        action="store_const",
        const=NO_TIMEOUT,
        dest="timeout",
        help="wait for every file however long it takes",
    )
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="classify in local processes, or on Ray (needs the [cluster] extra)",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="Ray cluster to join (default: a local Ray on loopback, started for the run)",
    )
    p.set_defaults(handler=cmd_scan)

    p = subparsers.add_parser(
        "review",
        parents=[db_parent, format_parent],
        help="list tracks the model is unsure about, most uncertain first",
        description="The review queue: model decisions with a confidence below the threshold, "
        "whose windows disagree, or that go against a confident verdict of their album, that "
        "no person has decided yet; REVIEW_REASONS (review_reasons in CSV and JSON) says which.",
    )
    p.add_argument(
        "--threshold",
        type=probability,
        metavar="X",
        help=f"confidence below X needs review (default: the settings', {Settings().threshold})",
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N tracks")
    p.set_defaults(handler=cmd_review)

    p = subparsers.add_parser(
        "label",
        parents=[db_parent],
        help="record your decision for tracks (overrides the model)",
        description="Record CLASS as your decision for the tracks: it beats the model's label, "
        "takes them out of the review queue, and is what `tagger tag` writes.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="tracks, or folders of tracks")
    p.add_argument(
        "--as",
        dest="label",
        required=True,
        metavar="CLASS",
        help="the class, as the model names it (e.g. metal, hardcore; any case)",
    )
    p.add_argument("--model", metavar="M", help="model whose classes are allowed")
    p.set_defaults(handler=cmd_label)

    p = subparsers.add_parser(
        "list",
        parents=[db_parent, format_parent],
        help="list library tracks",
        description="List the library's tracks (all, or one smart list), with each track's "
        "label: your decision, else the model's with its confidence.",
    )
    p.add_argument("--label", metavar="L", help="tracks whose effective label is L")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--review", action="store_true", help="tracks needing review")
    which.add_argument("--missing", action="store_true", help="files no longer found")
    which.add_argument("--errors", action="store_true", help="files that cannot be read")
    which.add_argument("--out-of-scope", action="store_true", help="tracks outside the scope")
    which.add_argument(
        "--unclassified", action="store_true", help="tracks waiting to be classified"
    )
    which.add_argument(
        "--conflicts",
        action="store_true",
        help="tracks whose genre tags map to one class while the model (or you) says another",
    )
    p.add_argument("--search", default="", metavar="TEXT", help="in path, title, artist, album")
    p.add_argument(
        "--threshold",
        type=probability,
        metavar="X",
        help=f"review threshold for --review (default: the settings', {Settings().threshold})",
    )
    p.set_defaults(handler=cmd_list)

    p = subparsers.add_parser(
        "stats", parents=[db_parent], help="counts per label and status, and the models used"
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="default: table")
    p.set_defaults(handler=cmd_stats)


def cmd_scan(args: argparse.Namespace) -> int:
    from tagger.service.classification import (
        classify_tracks,
        describe_classification,
        describe_scan,
        existing_roots,
        scan_folders,
    )
    from tagger.service.context import load_settings, open_library
    from tagger.service.errors import ServiceError
    from tagger.service.models import ModelUnavailable, load_predictor

    settings = load_settings()
    roots = existing_roots(args.paths)
    predictor = None
    if not args.no_classify:
        print("loading the model…", file=sys.stderr, flush=True)
        try:
            predictor = load_predictor(settings, args.model)  # before scanning: fail fast
        except ModelUnavailable as exc:
            raise ServiceError(f"{exc}. Use --model, or --no-classify") from None
    library = open_library(args.db)
    try:
        with ctrl_c_cancels() as cancel:
            with ProgressBar("finding") as walk_bar, ProgressBar("reading") as read_bar:
                result = scan_folders(
                    library,
                    settings,
                    roots,
                    progress=lambda p: (walk_bar if p.phase == "walk" else read_bar)(p),
                    cancel=cancel,
                )
            for path, why in result.walk_errors:
                print(f"tagger: skipped {path}: {why}", file=sys.stderr)
            print(describe_scan(result))
            if result.cancelled:
                print("interrupted; run the same scan again to resume", file=sys.stderr)
                return 130
            failed = bool(result.errors or result.walk_errors)
            if predictor is None:
                return 1 if failed else 0
            with ProgressBar("classifying") as bar:
                run = classify_tracks(
                    library,
                    settings,
                    predictor,
                    roots=roots,
                    classify_all=args.all,
                    workers=args.workers,
                    timeout=args.timeout,
                    progress=bar,
                    cancel=cancel,
                    engine=args.engine,
                    ray_address=args.ray_address,
                )
            print(describe_classification(run))
            if args.model is None:
                _offer_first_model(library, settings)
            if run.batch.cancelled:
                print("interrupted; run the same scan again to resume", file=sys.stderr)
                return 130
            return 1 if failed or run.batch.failed else 0
    finally:
        library.close()


def _offer_first_model(library: Library, settings: Settings) -> None:
    """After the bundled model classified a library that could teach one of its own: say so
    (the app shows the same offer above its track list)."""
    from tagger.service.learning import describe_label_totals, first_model_offer

    counts = first_model_offer(library, settings)
    if counts:
        print(
            "the bundled model has only heard synthetic music; this library's genre tags and "
            f"decisions label {describe_label_totals(counts)} tracks: "
            "`tagger train --from-library --out mine.safetensors` learns a model from them",
            file=sys.stderr,
        )


def _client(args: argparse.Namespace) -> LibraryClient:
    from tagger.service.context import load_settings, open_library
    from tagger.service.library_client import LibraryClient

    settings = load_settings()
    return LibraryClient(
        open_library(args.db, create=False), settings, getattr(args, "threshold", None)
    )


def cmd_review(args: argparse.Namespace) -> int:
    from tagger.service.list_cache import ListRequest, list_tracks

    request = ListRequest("review", threshold=args.threshold, limit=args.limit)
    rows = list_tracks(args.db, request).rows
    columns = ["model_confidence", "disagreement", "model_label", "review_reasons", "path"]
    print_rows(rows, columns, args.format)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from tagger.library.track_rows import SmartList
    from tagger.service.list_cache import ListRequest, list_tracks

    smart = SmartList.ALL
    for flag, key in LIST_FLAGS.items():
        if getattr(args, flag):
            smart = SmartList(key)
    request = ListRequest(
        "list", smart, search=args.search, threshold=args.threshold, label=args.label
    )
    listing = list_tracks(args.db, request)
    if listing.warning:
        print(f"tagger: warning: {listing.warning}", file=sys.stderr)
    columns = ["status", "verdict", "path"]
    if args.errors:
        columns = ["status", "error", "path"]
    elif args.conflicts:  # the tags the verdict goes against, beside it
        columns = ["status", "verdict", "genres", "why", "path"]
    print_rows(listing.rows, columns, args.format)
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        label, n = client.decide_paths(args.paths, args.label, args.model)
    finally:
        client.library.close()
    print(f"labeled {n} track{'s' if n != 1 else ''} as {label}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        stats = client.stats()
    finally:
        client.library.close()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "total": stats.total,
                    "labels": stats.per_label,
                    "statuses": stats.per_status,
                    "decided_by": stats.decided_by,
                    "needs_review": stats.needs_review,
                    "models": [m.__dict__ for m in stats.models],
                },
                indent=2,
            )
        )
        return 0
    print(f"tracks: {stats.total}")
    for title, counts in (
        ("by label", stats.per_label),
        ("by status", stats.per_status),
        ("decided by", stats.decided_by),
    ):
        print(f"{title}:")
        for key, n in sorted(counts.items()):
            print(f"  {key:<14} {n:>7}")
    print(f"needs review: {stats.needs_review}")
    print("models:")
    if not stats.models:
        print("  (none yet)")
    for line in model_usage_lines(stats.models):
        print(line)
    return 0


def model_usage_lines(models: Sequence[ModelUsage]) -> list[str]:
    """`tagger stats`'s model lines, in columns: name, hash, tracks predicted, file."""
    name_w = max((len(m.name) for m in models), default=0)
    tracks_w = max((len(str(m.tracks)) for m in models), default=0)
    return [
        f"  {m.name:<{name_w}}  {m.sha256[:12]}  {m.tracks:>{tracks_w}} tracks  {m.path}"
        for m in models
    ]
