"""Audio files for the library engine's tests: short tones made with PyAV (1–2 s, 8–22 kHz),
each distinct file encoded once per session and then copied, plus small file edits."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from audio_factory import write_tone
from mutagen.id3 import ID3, TCON, TIT2, TPE1
from sqlalchemy import func, select

from tagger.library.schema import Prediction, Track
from tagger.library.store import Library

# kind -> (container, codec, suffix)
FORMATS: dict[str, tuple[str, str, str]] = {
    "mp3": ("mp3", "libmp3lame", ".mp3"),
    "flac": ("flac", "flac", ".flac"),
    "ogg": ("ogg", "vorbis", ".ogg"),
    "m4a": ("ipod", "aac", ".m4a"),
    "wav": ("wav", "pcm_s16le", ".wav"),
}
RATES = (8000, 16000, 22050)


def tag_mp3(path: Path, genre: str | None = None, title: str = "", artist: str = "") -> None:
    tags = ID3()
    if genre is not None:
        tags.add(TCON(encoding=3, text=[genre]))
    if title:
        tags.add(TIT2(encoding=3, text=[title]))
    if artist:
        tags.add(TPE1(encoding=3, text=[artist]))
    tags.save(str(path))


class AudioPool:
    """Distinct encoded files, made on first request and then copied (copies keep their bytes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[tuple[str, int], Path] = {}

    def get(self, kind: str, index: int) -> Path:
        key = (kind, index)
        if key not in self.made:
            rate = RATES[index % len(RATES)]
            seconds = 1.0 + (index % 3) * 0.5
            freq = 110.0 + 37.0 * index
            self.made[key] = write_tone(
                self.folder / f"{kind}-{index}{FORMATS[kind][2]}", seconds, rate, freq
            )
        return self.made[key]

    def copy(self, kind: str, index: int, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.get(kind, index), dest)
        return dest


MakeLibrary = Callable[..., dict[str, Path]]


def set_mtime_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def stored_results(library: Library) -> dict[str, tuple[str, dict[str, float]]]:
    """{path: (label, probabilities)} of every stored prediction: to compare two scans."""
    with library.session() as s:
        rows = s.execute(select(Track.path, Prediction).join(Prediction.track)).all()
    return {path: (p.label, p.probabilities) for path, p in rows}


def predictions_per_track(library: Library) -> dict[str, int]:
    """{path: how many predictions it has} over every track row."""
    with library.session() as s:
        rows = s.execute(
            select(Track.path, func.count(Prediction.id))
            .outerjoin(Prediction, Prediction.track_id == Track.id)
            .group_by(Track.path)
        ).all()
    return {path: n for path, n in rows}
