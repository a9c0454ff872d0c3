"""A generated folder of hostile audio files (issue 9), each with the outcome it must have.

`make_hostile_corpus(folder)` writes the files and returns one `HostileFile` per file:
`refusal` is None for a file that must decode, else a regular expression that the reason of its
`AudioError` must match. Decode-level tests and library-level scan tests share this corpus.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from audio_factory import tone, write_audio

RATE = 44_100


@dataclass(frozen=True)
class HostileFile:
    name: str  # what the case is, for test ids
    path: Path  # may be surrogate-escaped (not valid UTF-8) or a link
    refusal: str | None  # None: decodes; else a regex the AudioError reason matches

    @property
    def decodes(self) -> bool:
        return self.refusal is None


def float_wav(path: Path, samples: np.ndarray) -> Path:
    """An IEEE-float WAV written by hand: encoders clip, and NaN or inf must reach the file."""
    frames = np.ascontiguousarray(samples.T, dtype="<f4")  # interleaved [n, channels]
    channels = frames.shape[1]
    fmt = b"fmt " + struct.pack(
        "<IHHIIHH", 16, 3, channels, RATE, RATE * 4 * channels, 4 * channels, 32
    )
    data = frames.tobytes()
    riff = b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(riff)) + riff)
    return path


def pcm_wav_header(channels: int, data_size: int) -> bytes:
    """A 16-bit PCM WAV header whose RIFF and data sizes say `data_size` bytes follow."""
    fmt = b"fmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, RATE, RATE * 2 * channels, 2 * channels, 16
    )
    riff_size = min(0xFFFFFFFF, 4 + len(fmt) + 8 + data_size)
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


def random_bytes(seed: int, size: int) -> bytes:
    return np.random.default_rng(seed).bytes(size)


def make_hostile_corpus(folder: Path) -> list[HostileFile]:
    """Write every hostile case (and a good control file) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[HostileFile] = []

    def add(name: str, path: Path, refusal: str | None) -> None:
        cases.append(HostileFile(name, path, refusal))

    good = write_audio(folder / "good.mp3", tone(6.0))
    add("good mp3 (control)", good, None)

    nan = tone(4.0)
    nan[:, RATE : RATE + 500] = np.nan
    add("float WAV with NaN samples", float_wav(folder / "nan.wav", nan), r"not numbers \(NaN")
    inf = tone(4.0)
    inf[0, 3 * RATE] = np.inf
    add("float WAV with an infinite sample", float_wav(folder / "inf.wav", inf), "not numbers")
    add("float WAV with ordinary samples", float_wav(folder / "float.wav", tone(4.0)), None)

    # FFmpeg's EA CDATA probe wants 04 04 first; the rest is noise read as EA ADPCM audio.
    ea = folder / "random_ea_adpcm.m4a"
    ea.write_bytes(b"\x04\x04" + random_bytes(1053, 998))
    add(
        "random bytes as .m4a (read as EA ADPCM)",
        ea,
        r"not plausible audio: codec adpcm_ea\w* in container",
    )
    noise_m4a = folder / "random.m4a"
    noise_m4a.write_bytes(random_bytes(7, 50_000))
    add("random bytes as .m4a", noise_m4a, r"not a readable audio file|not plausible audio")
    # Noise with an mp3 sync word now and then: a few frames decode, most are corrupt.
    noise_mp3 = folder / "random.mp3"
    noise_mp3.write_bytes(random_bytes(1, 200_000))
    add("random bytes as .mp3", noise_mp3, r"not plausible audio: \d+ of \d+ packets are corrupt")
    noise_flac = folder / "random.flac"
    noise_flac.write_bytes(random_bytes(2, 100_000))
    add("random bytes as .flac", noise_flac, r"no usable codec or sample rate|not plausible audio")

    empty = folder / "empty.mp3"
    empty.write_bytes(b"")
    add("empty file", empty, "file is empty")

    truncated = folder / "truncated.mp3"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 5])
    add("mp3 cut off at 40 %", truncated, None)

    no_samples = folder / "no_samples.wav"
    no_samples.write_bytes(pcm_wav_header(2, 0))
    add("WAV header with no audio after it", no_samples, "no audio samples")

    latin1 = Path(os.fsdecode(folder.as_posix().encode() + b"/caf\xe9.mp3"))
    latin1.write_bytes(good.read_bytes())
    add("file name in Latin-1 (not UTF-8)", latin1, None)

    dev_zero = folder / "endless.mp3"
    dev_zero.symlink_to("/dev/zero")
    add("link to /dev/zero", dev_zero, "not a regular file")
    broken = folder / "gone.mp3"
    broken.symlink_to(folder / "no-such-target.mp3")
    add("broken symbolic link", broken, "broken symbolic link")

    huge_id3 = folder / "huge_id3.mp3"
    huge_id3.write_bytes(b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + good.read_bytes()[:4000])
    add("ID3 header claiming 256 MB", huge_id3, "not a readable audio file")
    huge_wav = folder / "huge_header.wav"
    pcm = (tone(2.0, channels=1)[0] * 20_000).astype("<i2").tobytes()
    huge_wav.write_bytes(pcm_wav_header(1, 0xFFFFFFF0) + pcm)
    add("WAV header claiming 4 GB of data", huge_wav, None)

    silence = write_audio(folder / "silence.flac", np.zeros((2, RATE * 5), np.float32))
    add("digital silence", silence, "digital silence")
    return cases
