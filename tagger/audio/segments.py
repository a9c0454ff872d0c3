"""The segment plan: where each of a track's windows starts and how much audio it holds.

This is the single owner of the paper's cutting rule; training and inference both call it.

A track of T samples is cut into N equal parts, part i starting at floor(i*T/N). Each part becomes
one window of W samples: a part at least W long keeps its first W samples, a shorter part is
zero-padded to W. Padding puts the audio at a random offset in training and centred at inference.

Tracks shorter than one window (3 s) would otherwise become N near-empty windows, so they get a
single window holding the whole track, padded the same way.

With `overlap`, a track too short for N whole windows (under 3 minutes) gets N full windows
instead, evenly spaced from its start to its end and overlapping, rather than N parts of under
3 s each padded with silence: a 60 s track then gives 60 windows of 3 s of music rather than 1 s
of music and 2 s of silence. The paper's plan is the default; a model records which plan it was
trained with (FrontEndConfig.overlap_short_tracks), and the library recipe uses the overlapping
one, measured better on short tracks (training/recipes.py).
"""

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 44_100
N_PARTS = 60
WINDOW_SECONDS = 3.0
WINDOW_SAMPLES = int(WINDOW_SECONDS * SAMPLE_RATE)  # 132,300
# Centred padding is rounded down to whole hops of the front end (FrontEndConfig.hop_length,
# 512 for every model). Then a window cached at offset 0 and shifted by whole spectrogram
# frames (training/window_cache.py) is exactly the centred window, so a track whose windows
# training cached is classified from them with the verdict decoding would give.
CENTRE_ALIGN = 512


@dataclass(frozen=True)
class Segment:
    """One window: `length` samples of audio read from `start` of the track."""

    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


def segment_plan(
    total_samples: int,
    n_parts: int = N_PARTS,
    window: int = WINDOW_SAMPLES,
    overlap: bool = False,
) -> list[Segment]:
    if total_samples <= 0:
        return []
    if total_samples < window:
        return [Segment(0, total_samples)]
    if overlap and n_parts > 1 and total_samples // n_parts < window:
        span = total_samples - window
        return [Segment((i * span) // (n_parts - 1), window) for i in range(n_parts)]
    starts = [(i * total_samples) // n_parts for i in range(n_parts)]
    ends = starts[1:] + [total_samples]
    return [Segment(s, min(e - s, window)) for s, e in zip(starts, ends, strict=True)]


def pad_offset(
    length: int, window: int, rng: np.random.Generator | None, align: int = CENTRE_ALIGN
) -> int:
    """Where a part of `length` samples sits inside its window: random with `rng`, else centred
    (rounded down to a multiple of `align` samples)."""
    slack = window - length
    if slack <= 0:
        return 0
    return int(rng.integers(0, slack + 1)) if rng is not None else slack // align // 2 * align


def place_in_window(
    audio: np.ndarray,
    window: int = WINDOW_SAMPLES,
    rng: np.random.Generator | None = None,
    align: int = CENTRE_ALIGN,
) -> np.ndarray:
    """Zero-pad (or cut) `audio` [channels, n] to [channels, window] per the plan's padding rule."""
    channels, n = audio.shape
    if n >= window:
        return np.ascontiguousarray(audio[:, :window], dtype=np.float32)
    out = np.zeros((channels, window), dtype=np.float32)
    offset = pad_offset(n, window, rng, align)
    out[:, offset : offset + n] = audio
    return out
