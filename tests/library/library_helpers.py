"""Audio files for the library engine's tests: short tones made with PyAV (1–2 s, 8–22 kHz),
each distinct file encoded once per session and then copied, plus small file edits."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from mutagen.id3 import ID3, TCON, TIT2, TPE1

# kind -> (container, codec, suffix)
FORMATS: dict[str, tuple[str, str, str]] = {
    "mp3": ("mp3", "libmp3lame", ".mp3"),
    "flac": ("flac", "flac", ".flac"),
    "ogg": ("ogg", "vorbis", ".ogg"),
    "m4a": ("ipod", "aac", ".m4a"),
    "wav": ("wav", "pcm_s16le", ".wav"),
}
# Formats make_music does not mix in (so its counts stay), made on request.
OTHER_FORMATS: dict[str, tuple[str, str, str]] = {"asf": ("asf", "wmav2", ".asf")}
RATES = (8000, 16000, 22050)


def encode(path: Path, kind: str, seconds: float, rate: int, freq: float) -> Path:
    fmt, codec, _ = {**FORMATS, **OTHER_FORMATS}[kind]
    options = {"strict": "experimental"} if codec == "vorbis" else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, options=options)
        if codec == "wmav2":
            stream.codec_context.bit_rate = 128_000  # it has no default and refuses to open
        stream.layout = "stereo"
        stream.format = stream.codec_context.codec.audio_formats[0].name
        t = np.arange(int(rate * seconds)) / rate
        x = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([x, x]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=stream.format, layout="stereo", rate=rate)
        for f in resampler.resample(frame):
            for packet in stream.encode(f):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


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
            self.made[key] = encode(
                self.folder / f"{kind}-{index}{FORMATS[kind][2]}", kind, seconds, rate, freq
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
