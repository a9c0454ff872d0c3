"""`tagger gui [FOLDER...] [--demo]`: open the desktop application (also what plain `tagger` does).

PySide6 is imported inside the handler, so the other commands never pay for loading Qt; the
display is checked before it is, so a missing one is a line, not Qt's abort.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tagger.cli import UserError
from tagger.cli.common import ProgressBar, ctrl_c_cancels, db_option


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gui",
        parents=[db_option()],
        help="open the desktop application (the default when no command is given)",
        description="Open the Metal & Hardcore Tagger window. FOLDERs given are added to the "
        "library's folders and scanned and classified at once. Needs a display; to run "
        "headless set QT_QPA_PLATFORM=offscreen or use xvfb-run.",
    )
    p.add_argument("folders", nargs="*", metavar="FOLDER", help="music folders to add and scan")
    p.add_argument(
        "--demo",
        action="store_true",
        help="open a demo library: the first time, render a few synthetic songs into the user "
        "data folder and scan and classify them (about a minute); later, reuse them",
    )
    p.set_defaults(handler=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    from tagger.service.display import missing_display

    for folder in args.folders:
        if not Path(folder).is_dir():
            raise UserError(f"not a folder: {folder}")
    if args.demo and (args.folders or args.db):
        raise UserError("--demo opens its own library; give no FOLDER or --db with it")
    problem = missing_display(os.environ)
    if problem:
        raise UserError(problem)
    db = _prepare_demo() if args.demo else args.db
    if db is None and args.demo:
        return 130
    try:
        from tagger.gui.app import run
    except ImportError as exc:  # Qt's system libraries missing (libEGL, libxkbcommon, ...)
        raise UserError(f"the desktop application cannot start: {exc}") from None
    return run(args.folders, db)


def _prepare_demo() -> str | None:
    """The demo library's database, made first if needed; None when Ctrl-C stopped it."""
    from tagger.service.context import load_settings
    from tagger.service.demo import describe_demo, prepare_demo_library

    bars = {phase: ProgressBar(desc) for phase, desc in PHASES.items()}
    with ctrl_c_cancels() as cancel:
        try:
            demo = prepare_demo_library(
                load_settings(),
                progress=lambda p: bars[p.phase](p) if p.phase in bars else None,
                cancel=cancel,
            )
        finally:
            for bar in bars.values():
                bar.close()
    print(describe_demo(demo), file=sys.stderr)
    return None if demo.cancelled else str(demo.db)


PHASES = {"render": "rendering", "walk": "finding", "read": "reading", "classify": "classifying"}
