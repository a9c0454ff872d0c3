"""A track's network input: its planned windows through the log-Mel front end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tagger.audio.decode import AudioInfo, read_windows
from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.audio.segments import Segment


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
    mel = front(torch.from_numpy(track.windows)).numpy()
    return TrackFeatures(info=track.info, segments=track.segments, mel=mel)
