"""`tagger tag | undo | history`: write genre tags into the files, and take them back.

Parsing and printing only; the work is in tagger.library.tag_writer and tagger.library.undo.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tagger.cli import UserError
from tagger.cli.library import (
    _Bar,
    _ctrl_c_cancels,
    _open,
    _positive_int,
    _probability,
    _settings,
)
from tagger.library.tag_writer import (
    MODES,
    Action,
    BatchSummary,
    TagPlan,
    TagRequest,
    TagResult,
    TagWriter,
)
from tagger.library.undo import UndoError, UndoResult, history, undo_batch
from tagger.library.walk import normalize_root
from tagger.tags import TagOptions

ARROW = "→"


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db",
        metavar="DB",
        help="library database: a file path or an SQLAlchemy URL "
        "(default: $TAGGER_DB, else library.db in the user data folder)",
    )

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
        type=_probability,
        metavar="X",
        help="skip model decisions below confidence X (your decisions always qualify)",
    )
    p.add_argument("--reviewed-only", action="store_true", help="only tracks you decided in review")
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
    p.set_defaults(handler=cmd_tag)

    p = subparsers.add_parser(
        "undo",
        parents=[db_parent],
        help="restore the genres a tag batch replaced (default: the last batch)",
        description="Put back the exact genres each file had before the batch. A file changed "
        "since the batch is refused and left alone. Safe to run again.",
    )
    p.add_argument("batch", nargs="?", type=_positive_int, metavar="BATCH")
    p.set_defaults(handler=cmd_undo)

    p = subparsers.add_parser("history", parents=[db_parent], help="list tag batches")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="only the newest N")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_history)


def _genre_strings(base: dict[str, str], overrides: Sequence[str]) -> dict[str, str]:
    out = dict(base)
    for item in overrides:
        cls, sep, text = item.partition("=")
        if not sep or not cls.strip() or not text.strip():
            raise UserError(f"--genre-string wants CLASS=TEXT, e.g. metal=Metal, not {item!r}")
        for key in [k for k in out if k.casefold() == cls.strip().casefold()]:
            del out[key]
        out[cls.strip()] = text.strip()
    return out


def _request(args: argparse.Namespace) -> TagRequest:
    settings = _settings()
    separator = args.separator if args.separator is not None else settings.id3_separator
    if not separator.strip():
        raise UserError("--separator must contain a visible character, e.g. '; ' or '/'")
    paths: list[str] = []
    for given in args.paths:
        root = normalize_root(given)
        if not Path(root).exists():
            print(
                f"tagger: note: {given} does not exist; matching library paths only",
                file=sys.stderr,
            )
        paths.append(root)
    return TagRequest(
        paths=tuple(paths),
        label=args.label,
        mode=args.mode,
        min_confidence=args.min_confidence,
        reviewed_only=args.reviewed_only,
        genre_strings=_genre_strings(dict(settings.genre_strings), args.genre_string),
        options=TagOptions(
            id3v23_separator=separator,
            extra_fields=args.extra_fields,
            keep_mtime=args.keep_mtime,
        ),
    )


# --- commands -----------------------------------------------------------------------------------


def cmd_tag(args: argparse.Namespace) -> int:
    request = _request(args)
    library = _open(args)
    try:
        writer = TagWriter(library)
        with _ctrl_c_cancels() as cancel:
            bar = _Bar("tagging" if args.apply else "reading")
            try:
                if not args.apply:
                    plan = writer.plan(request, progress=bar, cancel=cancel)
                else:
                    result = writer.apply(request, progress=bar, cancel=cancel)
            finally:
                bar.close()
    finally:
        library.close()
    if not args.apply:
        return _print_plan(plan)
    return _print_result(result)


def _print_plan(plan: TagPlan) -> int:
    for change in plan.changes:
        if change.action == Action.WRITE:
            print(
                f"{change.path}: {_genres(change.old_genres)} {ARROW} {_genres(change.new_genres)}"
            )
        elif change.action in (Action.STALE, Action.ERROR):
            print(f"{change.path}: {change.action}: {change.reason}")
    parts = [f"{plan.count(Action.WRITE)} files would change"]
    parts.append(f"{plan.count(Action.UNCHANGED)} already tagged")
    if plan.count(Action.STALE):
        parts.append(f"{plan.count(Action.STALE)} stale (run `tagger scan` first)")
    if plan.count(Action.ERROR):
        parts.append(f"{plan.count(Action.ERROR)} unreadable")
    if plan.skipped:
        parts.append(f"{sum(plan.skipped.values())} skipped ({_reasons(plan.skipped)})")
    print("preview: " + ", ".join(parts) + ".")
    if plan.cancelled:
        print("interrupted; the preview is incomplete", file=sys.stderr)
        return 130
    if plan.count(Action.WRITE):
        print("Nothing was written; add --apply to write these tags.")
    return 0


def _print_result(result: TagResult) -> int:
    for change in result.recovered:
        print(f"finished an interrupted batch: {change.path}: {change.action}")
    for change in result.changes:
        if change.action in ("stale", "error"):
            print(f"{change.path}: {change.action}: {change.reason}", file=sys.stderr)
    written, stale, errors = result.count("written"), result.count("stale"), result.count("error")
    parts = [f"wrote {written} files", f"{result.count(Action.UNCHANGED)} already tagged"]
    if stale:
        parts.append(f"{stale} stale (changed on disk since the last scan; run `tagger scan`)")
    if errors:
        parts.append(f"{errors} errors")
    if result.skipped:
        parts.append(f"{sum(result.skipped.values())} skipped ({_reasons(result.skipped)})")
    print(f"batch {result.batch_id}: " + ", ".join(parts) + ".")
    if written:
        print(f"Undo with: tagger undo {result.batch_id}")
    if result.cancelled:
        print("interrupted; run the same command again to finish", file=sys.stderr)
        return 130
    return 1 if stale or errors else 0


def cmd_undo(args: argparse.Namespace) -> int:
    library = _open(args)
    try:
        with _ctrl_c_cancels() as cancel:
            bar = _Bar("undoing")
            try:
                result = undo_batch(library, args.batch, progress=bar, cancel=cancel)
            except UndoError as exc:
                raise UserError(str(exc)) from None
            finally:
                bar.close()
    finally:
        library.close()
    return _print_undo(result)


def _print_undo(result: UndoResult) -> int:
    for change in result.recovered:
        print(f"settled an interrupted write: {change.path}: {change.action}")
    for o in result.outcomes:
        if o.status == "restored":
            print(f"{o.path}: restored {_genres(o.genres)}")
        else:
            print(f"{o.path}: {o.status}: {o.reason}", file=sys.stderr)
    restored, refused, errors = (
        result.count("restored"),
        result.count("refused"),
        result.count("error"),
    )
    if not result.outcomes and not result.cancelled:
        print(f"batch {result.batch_id}: nothing left to undo.")
        return 0
    parts = [f"restored {restored} files"]
    if refused:
        parts.append(f"refused {refused} (changed since the batch)")
    if errors:
        parts.append(f"{errors} errors")
    print(f"undo batch {result.batch_id}: " + ", ".join(parts) + ".")
    if result.cancelled:
        print(f"interrupted; run `tagger undo {result.batch_id}` again to finish", file=sys.stderr)
        return 130
    return 1 if refused or errors else 0


def cmd_history(args: argparse.Namespace) -> int:
    library = _open(args)
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
            _time(b.created_at),
            b.mode,
            *(str(b.counts[k]) for k in ("written", "skipped", "stale", "error", "undone")),
            _state(b),
        ]
        for b in batches
    ]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


# --- output -------------------------------------------------------------------------------------


def _genres(genres: Sequence[str]) -> str:
    return "; ".join(genres) if genres else "(no genre)"


def _reasons(skipped: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value or "")


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
