"""The `tagger` command line: argument parsing and printing only; the work is in the layers below.

Each sub-module registers its sub-commands with `register(subparsers)`; a command's handler takes
the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from tagger import __version__
from tagger.cli.common import DB_HELP
from tagger.service.errors import ServiceError

# Sub-command modules, in the order their commands appear in --help.
COMMAND_MODULES = [
    "tagger.cli.gui",
    "tagger.cli.classify",
    "tagger.cli.library",
    "tagger.cli.tagging",
    "tagger.cli.training",
    "tagger.cli.compare",
    "tagger.cli.learning",
    "tagger.cli.demo",
]


# What `pip install metal-hardcore-tagger` leaves out (the `train` extra of pyproject.toml).
OPTIONAL_FOR_TRAINING = ("torch", "onnx", "matplotlib", "sklearn")


class UserError(Exception):
    """A problem with what the user asked for: printed as one line, no traceback, exit 2.

    The service's `ServiceError` is printed the same way."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tagger",
        description="Tell Metal from Hardcore in a music library, and tag the files.",
    )
    parser.add_argument("--version", action="version", version=f"tagger {__version__}")
    parser.add_argument("--db", metavar="DB", default=None, help=DB_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not built yet
        module.register(subparsers)
    return parser


def is_library_error(exc: BaseException) -> bool:
    """The library's one-line database fault. Looked up, not imported: a command that never
    loaded the library (`--help`) cannot have raised one, and stays quick to start."""
    faults = sys.modules.get("tagger.library.database_faults")
    return faults is not None and isinstance(exc, faults.LibraryError)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not UTF-8 is printed as its own bytes, as `ls` does, not a crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    try:
        args = parser.parse_args(argv or ["gui"])  # plain `tagger` opens the desktop app
        return int(args.handler(args) or 0)
    except (UserError, ServiceError) as exc:
        print(f"tagger: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if exc.name not in OPTIONAL_FOR_TRAINING:
            raise
        # The frozen classify-only download has no pip to point at (packaging/, TAGGER_BUNDLE).
        remedy = (
            "download the full bundle, which includes training"
            if getattr(sys, "frozen", False)
            else 'pip install "metal-hardcore-tagger[train]"'
        )
        print(
            f"tagger: error: this command needs {exc.name}, which is not installed: {remedy}",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # The reader went away (`tagger list | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # after BrokenPipeError, which it would otherwise re-raise
        if not is_library_error(exc):
            raise
        # A database fault met mid-command (a full disk during `tag --apply`, a damaged page
        # met by `list`): the library's one line, no traceback.
        print(f"tagger: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tagger: interrupted", file=sys.stderr)
        return 130
