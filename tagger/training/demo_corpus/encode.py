"""Write stereo float audio as mp3, flac, ogg (Vorbis), m4a (AAC) or wav with PyAV.

Each format gets the encoder FFmpeg ships for it. The speed settings matter because encoding
costs more than synthesis: LAME's fastest search still gives ordinary 128–320 kbit/s mp3, and
FFmpeg's fast AAC coder is good enough for training audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from tagger.training.demo_corpus.synth import SR


@dataclass(frozen=True)
class Encoding:
    container: str
    codec: str
    sample_format: str  # "fltp" (planar float) or "s16" (packed 16-bit)
    options: tuple[tuple[str, str], ...] = ()
    bit_rates: tuple[int, ...] = ()


ENCODINGS = {
    "mp3": Encoding(
        "mp3",
        "libmp3lame",
        "fltp",
        (("compression_level", "9"),),
        (128_000, 192_000, 256_000, 320_000),
    ),
    "flac": Encoding("flac", "flac", "s16"),
    # FFmpeg's own Vorbis encoder; it is flagged experimental but writes valid Ogg Vorbis.
    "ogg": Encoding("ogg", "vorbis", "fltp", (("strict", "experimental"),)),
    "m4a": Encoding("ipod", "aac", "fltp", (("aac_coder", "fast"),), (128_000, 192_000, 256_000)),
    "wav": Encoding("wav", "pcm_s16le", "s16"),
}


def encode(audio: np.ndarray, path: Path, fmt: str, bit_rate_choice: int = 0) -> None:
    """Write `audio` (float32 [2, n] in [-1, 1]) to `path` as `fmt`, whatever its extension."""
    spec = ENCODINGS[fmt]
    with av.open(str(path), "w", format=spec.container) as container:
        stream = container.add_stream(
            spec.codec, rate=SR, layout="stereo", options=dict(spec.options)
        )
        if spec.bit_rates:
            stream.bit_rate = spec.bit_rates[bit_rate_choice % len(spec.bit_rates)]
        if spec.sample_format == "s16":
            pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)
            data = np.ascontiguousarray(pcm.T).reshape(1, -1)
        else:
            data = np.ascontiguousarray(audio, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(data, format=spec.sample_format, layout="stereo")
        frame.sample_rate = SR
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
