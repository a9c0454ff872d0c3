"""A track's network input: its planned windows through the log-Mel front end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tagger.audio.decode import AudioInfo, read_windows
from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.audio.segments import Segment

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
    config = config or (front.config if front else FrontEndConfig())
    track = read_windows(path, rng=rng, window=config.window_samples)
    front = front or LogMel(config)
    windows = torch.from_numpy(track.windows)
    # A few windows at a time: the same result (the front end works per window), but the STFT
    # of all 60 windows at once would hold ~250 MB; in chunks of 8 it holds ~40 MB.
    mel = np.concatenate(
        [front(windows[i : i + MEL_CHUNK]).numpy() for i in range(0, len(windows), MEL_CHUNK)]
    )
    return TrackFeatures(info=track.info, segments=track.segments, mel=mel)
