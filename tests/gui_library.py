"""The small tagged library the GUI tests open, and copying a library database.

A module of its own, not `tests/gui/conftest.py`: test modules import these names, and
`from conftest import ...` resolves to whichever of the suite's conftest modules was imported
last (tests/training has one too), so it broke when a run collected tests/training first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from audio_factory import tone, write_audio
from mutagen.flac import FLAC

N_GOOD = 6
ARTISTS = ["Iron Verdict", "Concrete Youth", "Sepulchral Gate", "Last Stand Crew"]


def write_library(folder: Path, n: int = N_GOOD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        artist = ARTISTS[i % len(ARTISTS)]
        path = folder / artist / f"{i + 1:02d} Song {i + 1}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_audio(path, tone(4.0, rate=22_050, freq=150.0 + 40 * i, seed=i), rate=22_050)
        tags = FLAC(path)
        tags["title"] = f"Song {i + 1}"
        tags["artist"] = artist
        tags["album"] = f"{artist} LP"
        tags["date"] = str(1995 + i)
        if i % 3 == 0:
            tags["genre"] = "Metalcore"
        tags.save()
    (folder / "broken.mp3").write_bytes(os.urandom(4096))
    return folder


def copy_db(source: Path, dest: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{dest}{suffix}")
    return dest
