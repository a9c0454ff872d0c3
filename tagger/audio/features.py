"""A track's network input: its planned windows through the log-Mel front end."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tagger.audio.decode import AudioInfo, read_parts
from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.audio.segments import Segment, place_in_window

MEL_CHUNK = 8


@dataclass(frozen=True)
class TrackFeatures:
    """mel is [n_windows, 2, n_mels, frames] float32 dB; segments[i] is window i's audio span."""

    info: AudioInfo
    segments: list[Segment]
    mel: np.ndarray


def track_features(
    path: str | Path,
    config: FrontEndConfig | None = None,
    rng: np.random.Generator | None = None,
    front: LogMel | None = None,
) -> TrackFeatures:
    """Decode the planned windows and take their log-Mel, 8 windows at a time.

    The log-Mel of finished windows runs on a second thread while later windows still decode
    (SciPy's FFT, the BLAS product and FFmpeg release the GIL), which hides most of its cost.
    In chunks of 8 the result is the same as all at once (the front end works per window), at
    ~40 MB instead of ~250 MB and, measured, 3× faster than one 60-window call (cache reuse).
    """
    config = config or (front.config if front else FrontEndConfig())
    front = front or LogMel(config)
    width = config.window_samples
    chunks: list[tuple[list[Segment], Future]] = []
    pending: list[np.ndarray] = []

    with ThreadPoolExecutor(max_workers=1) as pool:

        def on_part(plan: list[Segment], i: int, part: np.ndarray) -> None:
            if i == 0:
                chunks.clear()  # a new plan: what was queued belongs to the old one
                pending.clear()
            pending.append(place_in_window(part, width, rng, config.hop_length))
            if len(pending) == MEL_CHUNK or i == len(plan) - 1:
                chunks.append((plan, pool.submit(front, np.stack(pending))))
                pending.clear()

        info, plan, _ = read_parts(path, width, on_part, config.overlap_short_tracks)
        mel = np.concatenate([future.result() for p, future in chunks if p is plan])
    return TrackFeatures(info=info, segments=plan, mel=mel)
