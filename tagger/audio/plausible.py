"""What decoded input must look like to count as music, so that garbage is refused with a reason.

FFmpeg probes content, not names, and it will read almost anything as some stream: random bytes
named `.m4a` come out as Electronic Arts ADPCM at 33,610 Hz and were classified as music. So a
stream is accepted only when its codec is one that its container is used for in music files
(below, as data), its sample rate is one audio is recorded at, and its samples are finite and
not all zero.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np

from tagger.audio.errors import AudioError

MIN_SAMPLE_RATE = 4_000  # below old 5.5 kHz / 8 kHz speech formats
MAX_SAMPLE_RATE = 768_000  # above DXD (352.8 kHz) and 384/768 kHz studio PCM
# More corrupt packets than good ones, and at least this many, is not a damaged spot but a file
# that is not audio (random bytes with an mp3 frame header here and there decode to a few clicks).
MIN_CORRUPT_PACKETS = 8

# Decoder names (FFmpeg's) that music files of each container (FFmpeg's demuxer name) hold.
_PCM = ("pcm_*",)
_MP3 = ("mp3", "mp3float", "mp2", "mp2float", "mp1", "mp1float")
CODECS_BY_CONTAINER: dict[str, tuple[str, ...]] = {
    "mp3": _MP3,
    "flac": ("flac",),
    "ogg": ("vorbis", "opus", "libopus", "flac", "speex"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("aac", "aac_fixed", "alac", "ac3", "eac3", "opus", "flac", *_MP3),
    "aac": ("aac", "aac_fixed"),
    "wav": (*_PCM, *_MP3, "adpcm_ms", "adpcm_ima_wav", "gsm_ms", "aac"),
    "w64": _PCM,
    "aiff": (*_PCM, "adpcm_ima_qt", "mace3", "mace6"),
    "asf": ("wmav1", "wmav2", "wmapro", "wmalossless", *_MP3),
    "matroska,webm": ("opus", "libopus", "vorbis", "flac", "aac", "alac", "ac3", "eac3", *_PCM),
    "ape": ("ape",),
    "wv": ("wavpack",),
    "mpc": ("musepack7",),
    "mpc8": ("musepack8",),
    "tta": ("tta",),
    "caf": (*_PCM, "alac", "aac", "flac", "opus"),
    "ac3": ("ac3",),
    "eac3": ("eac3",),
    "dts": ("dca",),
}
# Any other container is accepted only with one of the codecs above.
MUSIC_CODECS: tuple[str, ...] = tuple(
    sorted({c for cs in CODECS_BY_CONTAINER.values() for c in cs})
)


def check_stream(path: str | Path, container: str, codec: str, sample_rate: int) -> None:
    """Refuse a stream whose codec or sample rate no music file of its container would have."""
    allowed = CODECS_BY_CONTAINER.get(container, MUSIC_CODECS)
    if not any(fnmatchcase(codec, pattern) for pattern in allowed):
        raise AudioError(
            path,
            f"not plausible audio: codec {codec} in container {container} "
            "(the file is probably damaged or not music)",
        )
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise AudioError(
            path,
            f"not plausible audio: sample rate {sample_rate} Hz is outside "
            f"{MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz",
        )


def check_finite(path: str | Path, samples: np.ndarray) -> None:
    """Refuse NaN or infinite samples (float WAV/AIFF can hold them) before anything uses them."""
    if not np.isfinite(samples).all():
        raise AudioError(path, "holds samples that are not numbers (NaN or infinity)")


def check_not_silent(path: str | Path, parts: list[np.ndarray]) -> None:
    """Refuse a track whose every decoded sample is zero: there is nothing to classify."""
    if all(not p.size or not np.any(p) for p in parts):
        raise AudioError(path, "is digital silence: every decoded sample is zero")


def check_corrupt_share(path: str | Path, corrupt: int, good: int) -> None:
    """Refuse a stream the decoder rejected mostly; a truncated or scratched file has a few."""
    if corrupt >= max(MIN_CORRUPT_PACKETS, good):
        raise AudioError(
            path, f"not plausible audio: {corrupt} of {corrupt + good} packets are corrupt"
        )
