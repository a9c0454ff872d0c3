"""`tagger tag | undo | history`: write genre tags into the files, and take them back.

Parsing and printing only; the work is in tagger.library.tag_writer and tagger.library.undo.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagger.cli.common import ProgressBar, ctrl_c_cancels, db_option, positive_int, probability
from tagger.cli.output import print_table

if TYPE_CHECKING:
    from tagger.library.tag_writer import BatchSummary, TagPlan, TagRequest, TagResult
    from tagger.library.undo import UndoResult

# The write modes of library.tag_writer.MODES, spelled out here so that building the parser does
# not import the tag writer (tests/cli check the two agree).
MODES = ("add", "replace", "fill")
ARROW = "→"


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parent = db_option()

    p = subparsers.add_parser(
        "tag",
        parents=[db_parent],
        help="write Metal/Hardcore genre tags into the files (preview unless --apply)",
        description="Write each track's label into its file's genre tag. Your review decision "
        "beats the model's. Without --apply this only shows what would change and writes "
        "nothing. With --apply every file's old genres are backed up in the library first; "
        "`tagger undo` puts them back. Files changed on disk since the last scan are refused "
        "(run `tagger scan` first).",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: all)")
    p.add_argument("--label", metavar="L", help="only tracks whose label is L")
    p.add_argument(
        "--mode",
        choices=MODES,
        default="add",
        help="add: keep existing genres and add the label (default); replace: only the label; "
        "fill: only files that have no genre",
    )
    p.add_argument(
        "--min-confidence",
        type=probability,
        metavar="X",
        help="skip model decisions below confidence X (your decisions always qualify)",
    )
    p.add_argument("--reviewed-only", action="store_true", help="only tracks you decided in review")
    p.add_argument(
        "--per-album",
        action="store_true",
        help="write each album's verdict (from its tracks' probabilities) to all its tracks",
    )
    p.add_argument("--apply", action="store_true", help="write the files (default: preview)")
    p.add_argument(
        "--genre-string",
        action="append",
        default=[],
        metavar="CLASS=TEXT",
        help="genre text written for a class, e.g. metal='Heavy Metal' (default: settings)",
    )
    p.add_argument(
        "--separator",
        metavar="S",
        help="joins several genres in an ID3v2.3 tag (default: settings, '; ')",
    )
    p.add_argument(
        "--extra-fields",
        action="store_true",
        help="also write MHT_CONFIDENCE and MHT_MODEL for model decisions",
    )
    p.add_argument("--keep-mtime", action="store_true", help="keep the files' modification times")
    p.add_argument(
        "--include-unreviewed",
        action="store_true",
        help="also write model decisions that still wait in the review queue (default: skip them)",
    )
    p.add_argument(
        "--follow-links-outside",
        action="store_true",
        help="also write files whose real path (links resolved) lies outside the library folders",
    )
    p.set_defaults(handler=cmd_tag)

    p = subparsers.add_parser(
        "undo",
        parents=[db_parent],
        help="restore the genres a tag batch replaced (default: the last batch)",
        description="Put back the exact genres each file had before the batch. A file changed "
        "since the batch is refused and left alone. Safe to run again.",
    )
    p.add_argument(
        "batch",
        nargs="?",
        type=positive_int,
        metavar="BATCH",
        help="the batch number `tagger history` shows (default: the last batch)",
    )
    p.set_defaults(handler=cmd_undo)

    p = subparsers.add_parser("history", parents=[db_parent], help="list tag batches")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the newest N")
    p.add_argument("--format", choices=("table", "json"), default="table", help="default: table")
    p.set_defaults(handler=cmd_history)


REVIEW_HINT = "--include-unreviewed writes them"


def _request(args: argparse.Namespace) -> TagRequest:
    from tagger.library.walk import normalize_root
    from tagger.service.context import load_settings
    from tagger.service.tagging import tag_request

    settings = load_settings()
    paths: list[str] = []
    for given in args.paths:
        root = normalize_root(given)
        if not Path(root).exists():
            print(
                f"tagger: note: {given} does not exist; matching library paths only",
                file=sys.stderr,
            )
        paths.append(root)
    return tag_request(
        settings,
        paths,
        label=args.label,
        mode=args.mode,
        min_confidence=args.min_confidence,
        reviewed_only=args.reviewed_only,
        per_album=args.per_album,
        genre_overrides=args.genre_string,
        separator=args.separator,
        extra_fields=args.extra_fields,
        keep_mtime=args.keep_mtime,
        include_unreviewed=args.include_unreviewed,
        follow_links_outside=args.follow_links_outside,
    )


# --- commands -----------------------------------------------------------------------------------


def cmd_tag(args: argparse.Namespace) -> int:
    from tagger.service.context import load_settings, open_library
    from tagger.service.tagging import (
        check_paths_in_library,
        preview_tags,
        tagging_warnings,
        write_tags,
    )

    request = _request(args)
    library = open_library(args.db, create=False)
    try:
        check_paths_in_library(library, request)
        for warning in tagging_warnings(library, request, load_settings()):
            print(f"tagger: warning: {warning}", file=sys.stderr)
        with ctrl_c_cancels() as cancel, ProgressBar("tagging" if args.apply else "reading") as bar:
            if args.apply:
                result = write_tags(library, request, progress=bar, cancel=cancel)
            else:
                plan = preview_tags(library, request, progress=bar, cancel=cancel)
    finally:
        library.close()
    return _print_result(result) if args.apply else _print_plan(plan)


def _print_plan(plan: TagPlan) -> int:
    from tagger.library.tag_writer import Action
    from tagger.service.tagging import describe_preview

    for change in plan.changes:
        if change.action == Action.WRITE:
            print(
                f"{change.path}: {_genres(change.old_genres)} {ARROW} {_genres(change.new_genres)}"
                + (f" ({change.note})" if change.note else "")
            )
        elif change.action in (Action.STALE, Action.ERROR, Action.OUTSIDE):
            print(f"{change.path}: {change.action}: {change.reason}")
    stale_hint = "run `tagger scan` first"
    summary = describe_preview(plan, stale_hint, "--follow-links-outside", REVIEW_HINT)
    print(f"preview: {summary}.")
    if plan.cancelled:
        print("interrupted; the preview is incomplete", file=sys.stderr)
        return 130
    if plan.count(Action.WRITE):
        print("Nothing was written; add --apply to write these tags.")
    return 0


def _print_result(result: TagResult) -> int:
    from tagger.service.tagging import describe_write, write_problems

    for change in result.recovered:
        print(f"finished an interrupted batch: {change.path}: {change.action}")
    for line in write_problems(result):
        print(line, file=sys.stderr)
    stale_hint = "changed on disk since the last scan; run `tagger scan`"
    summary = describe_write(
        result, stale_hint, always_count_problems=False, review_hint=REVIEW_HINT
    )
    print(f"batch {result.batch_id}: {summary}.")
    if result.count("written"):
        print(f"Undo with: tagger undo {result.batch_id}")
    if result.cancelled:
        print("interrupted; run the same command again to finish", file=sys.stderr)
        return 130
    return 1 if result.count("stale") or result.count("error") else 0


def cmd_undo(args: argparse.Namespace) -> int:
    from tagger.service.context import open_library
    from tagger.service.tagging import undo_tags

    library = open_library(args.db, create=False)
    try:
        with ctrl_c_cancels() as cancel, ProgressBar("undoing") as bar:
            result = undo_tags(library, args.batch, progress=bar, cancel=cancel)
    finally:
        library.close()
    return _print_undo(result)


def _print_undo(result: UndoResult) -> int:
    from tagger.service.tagging import describe_undo

    for change in result.recovered:
        print(f"settled an interrupted write: {change.path}: {change.action}")
    for o in result.outcomes:
        if o.status == "restored":
            print(f"{o.path}: restored {_genres(o.genres)}")
        else:
            print(f"{o.path}: {o.status}: {o.reason}", file=sys.stderr)
    if not result.outcomes and not result.cancelled:
        print(f"batch {result.batch_id}: nothing left to undo.")
        return 0
    print(f"undo batch {result.batch_id}: {describe_undo(result)}.")
    if result.cancelled:
        print(f"interrupted; run `tagger undo {result.batch_id}` again to finish", file=sys.stderr)
        return 130
    return 1 if result.count("refused") or result.count("error") else 0


def cmd_history(args: argparse.Namespace) -> int:
    from tagger.library.undo import history
    from tagger.service.context import open_library
    from tagger.service.local_time import local_time

    library = open_library(args.db, create=False)
    try:
        batches = history(library, limit=args.limit)
    finally:
        library.close()
    if args.format == "json":
        print(json.dumps([_batch_json(b) for b in batches], indent=2, ensure_ascii=False))
        return 0
    if not batches:
        print("(no tag batches yet)")
        return 0
    columns = ["ID", "TIME", "MODE", "WRITTEN", "SKIPPED", "STALE", "ERROR", "UNDONE", "STATE"]
    rows = [
        [
            str(b.id),
            local_time(b.created_at),
            b.mode,
            *(str(b.counts[k]) for k in ("written", "skipped", "stale", "error", "undone")),
            _state(b),
        ]
        for b in batches
    ]
    print_table(columns, rows)
    return 0


# --- output -------------------------------------------------------------------------------------


def _genres(genres: Sequence[str]) -> str:
    return "; ".join(genres) if genres else "(no genre)"


def _state(b: BatchSummary) -> str:
    if b.counts["pending"] and not b.finished:
        return "interrupted"
    if b.undone:
        return "undone" + (f" ({b.counts['written']} refused)" if b.counts["written"] else "")
    return ""


def _batch_json(b: BatchSummary) -> dict[str, Any]:
    return {
        "id": b.id,
        "created_at": b.created_at.isoformat() if isinstance(b.created_at, datetime) else None,
        "mode": b.mode,
        "genre_strings": b.labels,
        "counts": b.counts,
        "undone": b.undone,
        "undone_at": b.undone_at.isoformat() if isinstance(b.undone_at, datetime) else None,
        "finished": b.finished,
    }
