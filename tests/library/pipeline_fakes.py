"""Worker functions for the pipeline tests. They run in spawned worker processes, so they live
in an importable module rather than in the test file."""

from __future__ import annotations

import os
import time

from tagger.audio.feature_pool import extract_features
from tagger.audio.features import TrackFeatures
from tagger.audio.mel import FrontEndConfig


def hang_or_crash(path: str, config: FrontEndConfig) -> TrackFeatures:
    """Hangs on files named *hang*, kills its process on *crash*, else works normally."""
    name = os.path.basename(path)
    if "hang" in name:
        time.sleep(3600)
    if "crash" in name:
        os._exit(3)
    if "boom" in name:
        raise RuntimeError("unexpected decoder state")
    return extract_features(path, config)


def slow(path: str, config: FrontEndConfig) -> TrackFeatures:
    time.sleep(0.5)
    return extract_features(path, config)


def refuse_to_decode(path: str, config: FrontEndConfig) -> TrackFeatures:
    """A decoder that always fails, so a stored prediction can only have come from elsewhere."""
    raise RuntimeError(f"decoding refused: {os.path.basename(path)}")
