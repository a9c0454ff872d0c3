"""Everyday commands start without the heavy modules: each runs in its own `python -X importtime`
process against a small library, and none may load torch, onnxruntime or Qt.

Only `scan`/`classify` (ONNX Runtime), `train`/`evaluate` (torch) and `gui` (Qt) need them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from audio_factory import write_tone

from tagger.library.scanner import scan
from tagger.library.store import Library

HEAVY = ("torch", "onnxruntime", "PySide6", "shiboken6")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("import-weight")
    music = root / "music"
    for i in range(2):
        write_tone(music / "band" / f"song {i}.wav", 1.0, 16_000, 220 + 110 * i)
    db = root / "library.db"
    library = Library.open(db)
    try:
        scan(library, [music])
    finally:
        library.close()
    return db, music


def imported_modules(args: list[str], db: Path, cache: Path | None = None) -> set[str]:
    """The modules `tagger ARGS` imports; `cache`: its own user cache folder."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TAGGER_DB": str(db),
        "TAGGER_SETTINGS": str(db.with_name("settings.json")),
    }
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tagger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # `undo` with nothing to undo exits with a one-line user error; anything else must succeed.
    # Not necessarily the last line: a module imported while exiting prints its time after it.
    said_why = any(line.startswith("tagger: error:") for line in done.stderr.splitlines())
    assert done.returncode == 0 or said_why, done.stderr[-2000:]
    # "import time:       self [us] |  cumulative | imported package" per module, indented
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }


COMMANDS = {
    "help": ["--help"],
    "list": ["list"],
    "stats": ["stats"],
    "review": ["review"],
    "label": ["label", "{music}/band/song 0.wav", "--as", "metal"],
    "tag preview": ["tag", "{music}"],
    "undo": ["undo"],
    "history": ["history"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_everyday_commands_do_not_import_heavy_modules(library, name):
    db, music = library
    args = [a.format(music=music) for a in COMMANDS[name]]
    modules = imported_modules(args, db)
    assert "tagger.cli" in modules  # the probe sees the command's own imports
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == [], f"`tagger {' '.join(COMMANDS[name])}` imported {loaded[:5]}"


@pytest.mark.parametrize("name", ["list", "stats", "review", "history"])
def test_reading_an_up_to_date_library_does_not_import_alembic(library, name, tmp_path):
    """Alembic is imported only to upgrade a library: its schema revision is compared without.
    (An empty cache folder: a warm `list` or `review` does not open the library this way.)"""
    db, music = library
    modules = imported_modules(COMMANDS[name], db, tmp_path / "cache")
    assert "tagger.library.store" in modules  # the library was opened
    assert not [m for m in modules if m.split(".")[0] == "alembic"]


@pytest.mark.parametrize("args", [["list"], ["list", "--review", "--format", "json"], ["review"]])
def test_a_warm_listing_does_not_import_sqlalchemy(library, tmp_path, args):
    """The first run fills the compiled-query cache through SQLAlchemy; the second reads it
    through sqlite3 alone (service/list_cache.py)."""
    db, _music = library
    cold = imported_modules(args, db, tmp_path / "cache")
    assert "sqlalchemy" in cold  # the first run answers through the library, and works
    warm = imported_modules(args, db, tmp_path / "cache")
    assert "tagger.service.list_cache" in warm
    loaded = sorted(m for m in warm if m.split(".")[0] in (*HEAVY, "sqlalchemy", "alembic"))
    assert loaded == [], f"a warm `tagger {' '.join(args)}` imported {loaded[:5]}"
