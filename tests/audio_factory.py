"""The one maker of audio for the tests: signals (`tone`, `pulses`) and real files encoded
with PyAV (`write_audio`, `write_tone`) in any format the tagger reads, at any rate and
channel count. Other test helpers re-export or wrap these instead of encoding themselves."""

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
    ".wv": ("wv", "wavpack", "fltp"),
    ".wma": ("asf", "wmav2", "fltp"),
    ".asf": ("asf", "wmav2", "fltp"),
}
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def tone(
    seconds: float,
    rate: int = 44_100,
    channels: int = 2,
    freq: float = 440.0,
    noise: float = 0.05,
    seed: int = 0,
    amplitude: float = 0.4,
) -> np.ndarray:
    """[channels, n] float32: a tone with some noise, slightly detuned per channel (so the
    channels differ)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    sig = [amplitude * np.sin(2 * np.pi * freq * (1 + 0.01 * c) * t) for c in range(channels)]
    out = np.array(sig) + noise * rng.standard_normal((channels, len(t)))
    return out.astype(np.float32)


def pulses(low: bool, seconds: float, rng: np.random.Generator, rate: int = 22_050) -> np.ndarray:
    """[2, n] float32, two classes a tiny network can tell apart: a pulsing low rumble (`low`)
    or bright tone bursts. Pitch and loudness are drawn from `rng`."""
    t = np.arange(int(seconds * rate)) / rate
    if low:
        sig = np.sin(2 * np.pi * rng.uniform(60, 120) * t) * (np.sin(2 * np.pi * 4 * t) > 0)
    else:
        sig = np.sin(2 * np.pi * rng.uniform(2500, 4000) * t) * (np.sin(2 * np.pi * 9 * t) > 0.3)
    sig = sig * rng.uniform(0.2, 0.8) + 0.02 * rng.standard_normal(len(t))
    return np.stack([sig, sig]).astype(np.float32)


def write_tone(
    path: Path,
    seconds: float = 1.0,
    rate: int = 44_100,
    freq: float = 440.0,
    bit_rate: int | None = None,
) -> Path:
    """A clean stereo sine (no noise) in `path`, its folder made if needed: the small files
    the library, tag and CLI tests copy and tag."""
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = tone(seconds, rate, freq=freq, noise=0.0, amplitude=0.3)
    return write_audio(path, samples, rate, bit_rate=bit_rate)


def write_audio(
    path: Path,
    samples: np.ndarray,
    rate: int = 44_100,
    codec: str | None = None,
    sample_format: str | None = None,
    bit_rate: int | None = None,
) -> Path:
    """Encode [channels, n] float samples (-1..1) into `path`; the extension picks the codec."""
    fmt, default_codec, default_sf = CODECS[path.suffix.lower()]
    if sample_format is None and codec in (None, default_codec):
        sample_format = default_sf
    elif sample_format is None and codec in ("pcm_s24le", "pcm_s32le"):
        sample_format = "s32"  # FFmpeg's only input format for them
    codec = codec or default_codec
    channels = samples.shape[0]
    if codec == "libopus" and rate not in (8000, 12000, 16000, 24000, 48000):
        raise ValueError("opus needs 8/12/16/24/48 kHz")
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout=LAYOUTS[channels])
        if bit_rate or codec == "wmav2":  # FFmpeg's wmav2 refuses to open without one
            stream.bit_rate = bit_rate or 128_000
        if codec == "vorbis":
            stream.codec_context.options = {"strict": "experimental"}
        if sample_format:  # otherwise the codec's first format
            stream.codec_context.format = sample_format
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
