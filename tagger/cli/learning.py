"""`tagger genres` and `tagger models [use|remove NAME|FILE]`: what the library's genres map to,
and the models the library knows. (`train --from-library` lives with `train` in cli/training.py.)"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tagger.cli.common import db_option
from tagger.cli.output import print_table

if TYPE_CHECKING:
    from tagger.library.settings import Settings
    from tagger.library.store import Library

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction) -> None:
    g = subparsers.add_parser(
        "genres",
        parents=[db_option()],
        help="every genre in the library, its track count and the class it maps to",
        description=(
            "List every distinct genre string in the library (spellings that differ only in "
            "case or separators count as one) with its number of tracks and what the genre map "
            "of the settings makes of it: a class, 'ignore' (ambiguous), or nothing."
        ),
    )
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(handler=run_genres)

    m = subparsers.add_parser(
        "models",
        parents=[db_option()],
        help="the models of this library, and which one is active",
        description=(
            "List the models the library knows (trained from it or used to classify it): name, "
            "date, classes, labels used, held-out accuracy, and which is active. "
            "`tagger models use NAME|FILE` makes one active; the next `tagger scan` (or the "
            "app's Classify) brings every in-scope track to its prediction."
        ),
    )
    m.add_argument("--json", action="store_true", help="print JSON")
    m.set_defaults(handler=run_models)
    sub = m.add_subparsers(
        dest="models_command",
        metavar="COMMAND",
        help="use: make a model the active one; remove: forget one",
    )
    which = argparse.ArgumentParser(add_help=False)
    which.add_argument(
        "model", metavar="NAME|FILE", help="a model name from `tagger models`, or a file"
    )
    use = sub.add_parser("use", parents=[db_option(), which], help="make a model the active one")
    use.set_defaults(handler=run_models_use)
    remove = sub.add_parser(
        "remove",
        parents=[db_option(), which],
        help="forget a model and its predictions",
        description=(
            "Forget a model: it leaves `tagger models`, and its predictions go with it. Tracks "
            "whose current prediction it made are classified again by the next `tagger scan` "
            "or Classify. The active model and the bundled one cannot be removed. The file "
            "stays unless --delete-file is given."
        ),
    )
    remove.add_argument(
        "--delete-file",
        action="store_true",
        help="also delete the model file and the ONNX form beside it",
    )
    remove.set_defaults(handler=run_models_remove)


def _in_library(args: argparse.Namespace, job: Callable[[Library, Settings], T]) -> T:
    """Run `job` on the settings and the library of --db, closing the library after."""
    from tagger.service.context import load_settings, open_library

    settings = load_settings()
    library = open_library(args.db)
    try:
        return job(library, settings)
    finally:
        library.close()


def run_genres(args: argparse.Namespace) -> int:
    from tagger.service.learning import genres

    rows = _in_library(args, genres)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no genre tags in the library")
        return 0
    print_table(
        ["tracks", "genre", "maps to"],
        [[str(r.tracks), r.genre, r.target or "-"] for r in rows],
    )
    written = sum(r.written for r in rows)
    if written:
        print(
            f"\n{written} of these genre values were written by `tagger tag` (mostly the "
            "model's verdicts): they are not labels to train on"
        )
    replaced = sum(r.replaced for r in rows)
    if replaced:
        print(
            f"{replaced} of these genre values are no longer in the files: a `tagger tag --mode "
            "replace` took them out, and they count as the tracks' own until the genres change "
            "otherwise (`tagger undo` puts them back)"
        )
    return 0


def run_models(args: argparse.Namespace) -> int:
    from tagger.service.learning import describe_held_out, models
    from tagger.service.local_time import local_time

    rows = _in_library(args, models)
    if args.json:
        print(json.dumps([_model_json(m) for m in rows], indent=2, default=str))
        return 0
    if not rows:
        print("no models yet: train one with `tagger train --from-library --out FILE`")
        return 0
    table = []
    for m in rows:
        table.append(
            [
                "*" if m.active else "",
                m.name,
                local_time(m.created_at),
                ",".join(m.classes),
                str(m.labels_used or "-"),
                describe_held_out(m),
                str(m.tracks),
                m.path if m.exists else f"{m.path} (missing)",
            ]
        )
    print_table(
        ["active", "name", "date", "classes", "labels", "held-out acc", "tracks", "file"], table
    )
    return 0


def _model_json(m) -> dict:
    out = dict(m.__dict__)
    out["labels_used"] = m.labels_used
    return out


def run_models_use(args: argparse.Namespace) -> int:
    from tagger.service.learning import cache_coverage, use_model

    def switch(library: Library, settings: Settings):
        path = use_model(library, settings, args.model)
        return path, cache_coverage(library, settings, path)

    path, coverage = _in_library(args, switch)
    print(f"active model: {path}")
    print(
        f"run `tagger scan FOLDER` (or Classify in the app) to bring the {coverage.in_scope} "
        f"in-scope tracks to its prediction; {coverage.cached} of them have their windows in "
        "the feature cache and are not decoded again"
    )
    return 0


def run_models_remove(args: argparse.Namespace) -> int:
    from tagger.service.learning import remove_model

    removed = _in_library(
        args,
        lambda library, settings: remove_model(library, settings, args.model, args.delete_file),
    )
    print(
        f"removed model {removed.name!r} and its {removed.predictions} predictions"
        + (f"; deleted {removed.path}" if removed.file_deleted else f"; {removed.path} is kept")
    )
    if removed.unclassified:
        print(
            f"{removed.unclassified} tracks had their current prediction from it: `tagger scan "
            "FOLDER` (or Classify in the app) classifies them with the active model"
        )
    return 0
