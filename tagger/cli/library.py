"""`tagger scan | review | label | list | stats`: the library from the command line.

Parsing and printing only; the work is in tagger.library.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tqdm import tqdm

from tagger.cli import UserError
from tagger.library.pipeline import DEFAULT_TIMEOUT_S, run_classification, select_for_classification
from tagger.library.progress import Progress
from tagger.library.queries import (
    SmartList,
    TrackFilter,
    TrackRow,
    fetch_tracks,
    library_stats,
    review_queue,
    track_ids_for_paths,
)
from tagger.library.records import register_model
from tagger.library.review import ReviewRule, UnknownClassError, record_decision, resolve_class
from tagger.library.scanner import scan
from tagger.library.schema import ModelRecord
from tagger.library.settings import Settings, SettingsError
from tagger.library.store import Library, LibraryError
from tagger.library.walk import normalize_root
from tagger.model.checkpoint import ModelFileError, default_model_path, read_metadata
from tagger.model.predictor import Predictor

FORMATS = ("table", "csv", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db",
        metavar="DB",
        help="library database: a file path or an SQLAlchemy URL "
        "(default: $TAGGER_DB, else library.db in the user data folder)",
    )
    format_parent = argparse.ArgumentParser(add_help=False)
    format_parent.add_argument("--format", choices=FORMATS, default="table")

    p = subparsers.add_parser(
        "scan",
        parents=[db_parent],
        help="add folders to the library and classify new tracks",
        description="Find audio files under PATHs, read new and changed ones, mark vanished ones "
        "missing, then classify tracks that have no prediction from the current model. "
        "Ctrl-C stops cleanly; the next scan resumes.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--no-classify", action="store_true", help="only update the library")
    p.add_argument("--model", metavar="M", help="model file (default: settings, else bundled)")
    p.add_argument("--workers", type=_positive_int, metavar="N", help="decoding processes")
    p.add_argument(
        "--all", action="store_true", help="also classify tracks whose genre tag is out of scope"
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help=f"give up on a file whose decoding takes longer (default {DEFAULT_TIMEOUT_S:g})",
    )
    p.set_defaults(handler=cmd_scan)

    p = subparsers.add_parser(
        "review",
        parents=[db_parent, format_parent],
        help="list tracks the model is unsure about, most uncertain first",
    )
    p.add_argument("--threshold", type=_probability, metavar="X", help="confidence below X")
    p.add_argument("--limit", type=_positive_int, metavar="N")
    p.set_defaults(handler=cmd_review)

    p = subparsers.add_parser(
        "label",
        parents=[db_parent],
        help="record your decision for tracks (overrides the model)",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="tracks, or folders of tracks")
    p.add_argument("--as", dest="label", required=True, metavar="CLASS")
    p.add_argument("--model", metavar="M", help="model whose classes are allowed")
    p.set_defaults(handler=cmd_label)

    p = subparsers.add_parser(
        "list", parents=[db_parent, format_parent], help="list library tracks"
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
    p.add_argument("--search", default="", metavar="TEXT", help="in path, title, artist, album")
    p.add_argument("--threshold", type=_probability, metavar="X", help="review threshold")
    p.set_defaults(handler=cmd_list)

    p = subparsers.add_parser(
        "stats", parents=[db_parent], help="counts per label and status, and the models used"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_stats)


# --- argument types ---------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


# --- shared helpers ---------------------------------------------------------------------------


def _settings() -> Settings:
    try:
        return Settings.load()
    except SettingsError as exc:
        raise UserError(str(exc)) from None


def _open(args: argparse.Namespace) -> Library:
    try:
        return Library.open(args.db)
    except LibraryError as exc:
        raise UserError(str(exc)) from None


def _rule(args: argparse.Namespace, settings: Settings) -> ReviewRule:
    threshold = args.threshold if getattr(args, "threshold", None) is not None else None
    return ReviewRule(
        threshold=settings.threshold if threshold is None else threshold,
        disagreement=settings.disagreement,
    )


def _model_path(args: argparse.Namespace, settings: Settings) -> Path:
    chosen = getattr(args, "model", None) or settings.model_path
    return Path(chosen) if chosen else default_model_path()


def _load_predictor(path: Path) -> Predictor:
    try:
        return Predictor.load(path)
    except ModelFileError as exc:
        raise UserError(f"cannot load the model: {exc}. Use --model, or --no-classify") from None


@contextlib.contextmanager
def _ctrl_c_cancels() -> Iterator[threading.Event]:
    """First Ctrl-C asks the job to stop cleanly; a second one interrupts at once."""
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return

    def handler(_signum: int, _frame: Any) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()
        print("\nstopping after the files in progress (Ctrl-C again to quit now)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield event
    finally:
        signal.signal(signal.SIGINT, previous)


class _Bar:
    """A tqdm bar fed by Progress reports (files/s and ETA come from tqdm)."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar: tqdm | None = None

    def __call__(self, p: Progress) -> None:
        if self.bar is None:
            self.bar = tqdm(
                total=p.total, desc=self.desc, unit="file", file=sys.stderr, disable=None
            )
        self.bar.update(p.done - self.bar.n)
        if p.current_path:
            self.bar.set_postfix_str(Path(p.current_path).name[-40:], refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _with_bar(desc: str) -> tuple[Callable[[Progress], None], Callable[[], None]]:
    bar = _Bar(desc)
    return bar, bar.close


# --- commands -----------------------------------------------------------------------------------


def cmd_scan(args: argparse.Namespace) -> int:
    settings = _settings()
    roots = [normalize_root(p) for p in args.paths]
    for given, root in zip(args.paths, roots, strict=True):
        if not Path(root).exists():
            raise UserError(f"no such file or folder: {given}")
    predictor = None if args.no_classify else _load_predictor(_model_path(args, settings))
    library = _open(args)
    try:
        with _ctrl_c_cancels() as cancel:
            walk_bar = _Bar("finding")
            read_bar = _Bar("reading")

            def scan_progress(p: Progress) -> None:
                (walk_bar if p.phase == "walk" else read_bar)(p)

            try:
                result = scan(
                    library,
                    roots,
                    scope=settings.scope_genres,
                    progress=scan_progress,
                    cancel=cancel,
                )
            finally:
                walk_bar.close()
                read_bar.close()
            for path, why in result.walk_errors:
                print(f"tagger: skipped {path}: {why}", file=sys.stderr)
            print(
                f"{result.found} audio files: {result.added} new, {result.reread} changed, "
                f"{result.moved} moved, {result.missing} missing, {result.unchanged} unchanged, "
                f"{result.errors} unreadable"
            )
            if result.cancelled:
                print("interrupted; run the same scan again to resume", file=sys.stderr)
                return 130
            if predictor is None:
                return 0
            with library.session() as session, session.begin():
                model_id = register_model(session, predictor).id
            ids = select_for_classification(
                library,
                model_id,
                roots=roots,
                scope=settings.scope_genres,
                classify_all=args.all,
            )
            bar = _Bar("classifying")
            try:
                batch = run_classification(
                    library,
                    predictor,
                    ids,
                    progress=bar,
                    cancel=cancel,
                    workers=args.workers or settings.workers,
                    timeout=args.timeout or settings.decode_timeout,
                )
            finally:
                bar.close()
            print(
                f"classified {batch.classified} of {batch.total} with {predictor.name}"
                + (f", {batch.failed} failed" if batch.failed else "")
            )
            if batch.cancelled:
                print("interrupted; run the same scan again to resume", file=sys.stderr)
                return 130
            return 0
    finally:
        library.close()


def cmd_review(args: argparse.Namespace) -> int:
    settings = _settings()
    library = _open(args)
    try:
        with library.session() as session:
            rows = review_queue(session, _rule(args, settings), limit=args.limit)
    finally:
        library.close()
    columns = ["confidence", "disagreement", "predicted_label", "path"]
    _print_rows(rows, columns, args.format)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings = _settings()
    smart = SmartList.ALL
    for flag, key in [
        ("review", SmartList.REVIEW),
        ("missing", SmartList.MISSING),
        ("errors", SmartList.ERRORS),
        ("out_of_scope", SmartList.OUT_OF_SCOPE),
        ("unclassified", SmartList.UNCLASSIFIED),
    ]:
        if getattr(args, flag):
            smart = key
    library = _open(args)
    try:
        with library.session() as session:
            rows = fetch_tracks(
                session, TrackFilter(smart, search=args.search, rule=_rule(args, settings))
            )
    finally:
        library.close()
    if args.label:
        rows = [r for r in rows if (r.label or "").casefold() == args.label.strip().casefold()]
    _print_rows(rows, ["status", "label", "confidence", "decided_by", "path"], args.format)
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    settings = _settings()
    library = _open(args)
    try:
        with library.session() as session, session.begin():
            classes = _known_classes(args, settings, session)
            try:
                label = resolve_class(args.label, classes)
            except UnknownClassError as exc:
                raise UserError(str(exc)) from None
            paths = [normalize_root(p) for p in args.paths]
            found = track_ids_for_paths(session, paths)
            unknown = [given for given, p in zip(args.paths, paths, strict=True) if not found[p]]
            if unknown:
                raise UserError(f"not in the library: {', '.join(unknown)}")
            ids = sorted({tid for tids in found.values() for tid in tids})
            n = record_decision(session, ids, label)
    finally:
        library.close()
    print(f"labeled {n} track{'s' if n != 1 else ''} as {label}")
    return 0


def _known_classes(args: argparse.Namespace, settings: Settings, session: Any) -> list[str]:
    try:
        return [str(c) for c in read_metadata(_model_path(args, settings))["classes"]]
    except ModelFileError as exc:
        if getattr(args, "model", None):
            raise UserError(f"cannot read the model: {exc}") from None
    classes: list[str] = []
    for model_classes in session.scalars(select(ModelRecord.classes).order_by(ModelRecord.id)):
        classes.extend(c for c in model_classes if c not in classes)
    if not classes:
        raise UserError("no model found to say which classes exist; use --model")
    return classes


def cmd_stats(args: argparse.Namespace) -> int:
    settings = _settings()
    library = _open(args)
    try:
        with library.session() as session:
            stats = library_stats(session, _rule(argparse.Namespace(), settings))
    finally:
        library.close()
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
    print("by label:")
    for label, n in sorted(stats.per_label.items()):
        print(f"  {label:<14} {n:>7}")
    print("by status:")
    for status, n in sorted(stats.per_status.items()):
        print(f"  {status:<14} {n:>7}")
    print("decided by:")
    for who, n in sorted(stats.decided_by.items()):
        print(f"  {who:<14} {n:>7}")
    print(f"needs review: {stats.needs_review}")
    print("models:")
    if not stats.models:
        print("  (none yet)")
    for m in stats.models:
        print(f"  {m.name}  {m.sha256[:12]}  {m.tracks} tracks  {m.path}")
    return 0


# --- output -------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _print_rows(rows: Sequence[TrackRow], table_columns: list[str], fmt: str) -> None:
    records = [r.to_json() for r in rows]
    if fmt == "json":
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        out = io.StringIO()
        fields = list(records[0]) if records else list(TrackRow.__dataclass_fields__)
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: _csv_cell(v) for k, v in rec.items()})
        sys.stdout.write(out.getvalue())
        return
    if not records:
        print("(no tracks)")
        return
    cells = [[_cell(rec.get(c)) for c in table_columns] for rec in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(table_columns)]
    print(
        "  ".join(c.upper().ljust(w) for c, w in zip(table_columns, widths, strict=True)).rstrip()
    )
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
