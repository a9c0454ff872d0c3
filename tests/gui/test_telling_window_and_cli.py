"""The preview window choice, and `tagger gui` on the command line."""

from __future__ import annotations

from tagger.cli import build_parser
from tagger.gui.telling_window import most_telling_window
from tagger.library.queries import WindowRow


def _w(metal: float) -> WindowRow:
    return WindowRow(0.0, 3.0, {"metal": metal, "hardcore": 1.0 - metal})


def test_the_window_that_disputes_the_verdict_most() -> None:
    windows = [_w(0.9), _w(0.3), _w(0.1), _w(0.7)]
    assert most_telling_window(windows, "metal") == 2  # the most Hardcore window


def test_without_dispute_the_clearest_window() -> None:
    windows = [_w(0.6), _w(0.95), _w(0.8)]
    assert most_telling_window(windows, "metal") == 1
    assert most_telling_window([], "metal") is None


def test_gui_command_is_registered_and_the_default() -> None:
    parser = build_parser()
    args = parser.parse_args(["gui", "/tmp", "--db", "x.db"])
    assert args.folders == ["/tmp"] and args.db == "x.db"
    assert args.handler.__module__ == "tagger.cli.gui"
