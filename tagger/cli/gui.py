"""`tagger gui [FOLDER...]`: open the desktop application (also what plain `tagger` does).

PySide6 is imported inside the handler, so the other commands never pay for loading Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tagger.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the desktop application (the default when no command is given)",
        description="Open the Metal & Hardcore Tagger window. FOLDERs given are added to the "
        "library's folders and scanned and classified at once.",
    )
    p.add_argument("folders", nargs="*", metavar="FOLDER", help="music folders to add and scan")
    p.add_argument(
        "--db",
        metavar="DB",
        help="library database: a file path or an SQLAlchemy URL "
        "(default: $TAGGER_DB, else library.db in the user data folder)",
    )
    p.set_defaults(handler=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    for folder in args.folders:
        if not Path(folder).is_dir():
            raise UserError(f"not a folder: {folder}")
    try:
        from tagger.gui.app import run
    except ImportError as exc:  # Qt's system libraries missing (libEGL, libxkbcommon, ...)
        raise UserError(f"the desktop application cannot start: {exc}") from None
    return run(args.folders, args.db)
