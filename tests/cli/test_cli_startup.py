"""Commands that do not classify start without torch or Qt (and, where no file is read, without
PyAV): the command modules and the service import them inside the functions that need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tagger.cli.tagging import MODES
from tagger.library import tag_writer

HEAVY = ("torch", "PySide6", "onnxruntime", "av")

PROBE = """
import contextlib, json, sys
from tagger.cli import main
with contextlib.suppress(SystemExit):  # --help exits
    main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print("HEAVY=" + json.dumps(heavy))
"""


def heavy_modules_after(args: list[str], tmp_path: Path) -> set[str]:
    env = dict(os.environ)
    env["TAGGER_SETTINGS"] = str(tmp_path / "settings.json")
    env["TAGGER_DB"] = str(tmp_path / "library.db")
    code = PROBE.replace("HEAVY)", f"{HEAVY!r})")
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("HEAVY="))
    return set(json.loads(line.removeprefix("HEAVY=")))


@pytest.mark.parametrize(
    "args",
    [["list"], ["stats"], ["review"], ["--help"], ["scan", "--help"], ["classify", "--help"]],
)
def test_commands_that_read_no_audio_load_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    assert heavy_modules_after(args, tmp_path) == set()


@pytest.mark.parametrize("args", [["history"], ["tag"], ["undo"]])
def test_tag_commands_load_no_torch_or_qt(args: list[str], tmp_path: Path) -> None:
    """The tag writer verifies written audio with PyAV; nothing else heavy."""
    assert heavy_modules_after(args, tmp_path) <= {"av"}


def test_the_parser_lists_the_tag_writers_modes() -> None:
    assert MODES == tag_writer.MODES
