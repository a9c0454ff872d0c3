"""Writes real audio files for tests with PyAV: any codec/container, rate, channel count."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

# container format, codec, sample format for each extension
CODECS = {
    ".mp3": ("mp3", "libmp3lame", "fltp"),
    ".flac": ("flac", "flac", "s16"),
    ".ogg": ("ogg", "vorbis", "fltp"),  # FFmpeg's own (experimental) encoder
    ".opus": ("ogg", "libopus", "flt"),
    ".m4a": ("ipod", "aac", "fltp"),
    ".wav": ("wav", "pcm_s16le", "s16"),
    ".aiff": ("aiff", "pcm_s16be", "s16"),
}
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def tone(
    seconds: float,
    rate: int = 44_100,
    channels: int = 2,
    freq: float = 440.0,
    noise: float = 0.05,
    seed: int = 0,
) -> np.ndarray:
    """[channels, n] float32: a tone with some noise, a different phase per channel."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    sig = [0.4 * np.sin(2 * np.pi * freq * (1 + 0.01 * c) * t) for c in range(channels)]
    out = np.array(sig) + noise * rng.standard_normal((channels, len(t)))
    return out.astype(np.float32)


def write_audio(
    path: Path,
    samples: np.ndarray,
    rate: int = 44_100,
    codec: str | None = None,
    sample_format: str | None = None,
) -> Path:
    """Encode [channels, n] float samples (-1..1) into `path`; the extension picks the codec."""
    fmt, default_codec, default_sf = CODECS[path.suffix.lower()]
    codec, sample_format = codec or default_codec, sample_format or default_sf
    channels = samples.shape[0]
    if codec == "libopus" and rate not in (8000, 12000, 16000, 24000, 48000):
        raise ValueError("opus needs 8/12/16/24/48 kHz")
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout=LAYOUTS[channels])
        if codec == "vorbis":
            stream.codec_context.options = {"strict": "experimental"}
        if codec in ("pcm_s24le", "pcm_s32le"):
            stream.codec_context.format = "s32"
        frame_size = stream.codec_context.frame_size or 1024
        data = np.clip(samples, -1, 1)
        for i in range(0, data.shape[1], frame_size):
            block = data[:, i : i + frame_size]
            frame = _frame(block, stream.codec_context.format.name, rate, channels)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def _frame(block: np.ndarray, sample_format: str, rate: int, channels: int) -> av.AudioFrame:
    planar = sample_format.endswith("p")
    base = sample_format.rstrip("p")
    if base == "s16":
        arr = (block * 32767).astype(np.int16)
    elif base == "s32":
        arr = (block * 2147483647).astype(np.int32)
    else:
        arr = block.astype(np.float32)
    arr = arr if planar else arr.T.reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(arr), format=sample_format, layout=LAYOUTS[channels]
    )
    frame.sample_rate = rate
    return frame
