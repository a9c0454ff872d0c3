"""Plumbing every `tagger` command shares: option types, the --db option, Ctrl-C, progress bars.

Nothing heavy is imported here at module level: building the parser must stay instant
(`tagger --help`, `tagger list`), so tqdm comes in with the first bar.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm

    from tagger.library.progress import Progress


DB_HELP = (
    "library database: a file path or an SQLAlchemy URL "
    "(default: $TAGGER_DB, else library.db in the user data folder)"
)

# `--timeout` has no "0 means no limit": --no-timeout says it, and is this value.
NO_TIMEOUT = math.inf


def db_option() -> argparse.ArgumentParser:
    """A parent parser holding the --db option of every library command.

    Its default is SUPPRESS so that `tagger --db X COMMAND` (the top-level option, default
    None) is not overwritten by the command's own unset --db."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", metavar="DB", default=argparse.SUPPRESS, help=DB_HELP)
    return parent


def _number(text: str, kind: type[int] | type[float], what: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def positive_int(text: str) -> int:
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_seconds(text: str) -> float:
    value = _number(text, float, "a number of seconds")
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError("must be more than 0 (for no limit use --no-timeout)")
    return value


def probability(text: str) -> float:
    value = _number(text, float, "a number")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


@contextlib.contextmanager
def ctrl_c_cancels() -> Iterator[threading.Event]:
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


class ProgressBar:
    """A tqdm bar fed by Progress reports (files/s and ETA come from tqdm)."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar: tqdm | None = None

    def __call__(self, p: Progress) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=p.total,
                desc=self.desc,
                unit="file",
                file=sys.stderr,
                disable=None,
                smoothing=0,  # rate and ETA over the whole job, as RateMeter counts them
            )
        self.bar.update(p.done - self.bar.n)
        if p.current_path:
            self.bar.set_postfix_str(Path(p.current_path).name[-40:], refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
