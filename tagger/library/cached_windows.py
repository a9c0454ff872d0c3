"""Classifying a track from the windows training cached, without decoding it again.

Training from the library (`service/learning.py`) keeps every labeled track's log-Mel windows
in the feature cache, keyed by the file's content fingerprint and the front end. After a switch
of model, the next scan must bring every in-scope track to the new model's prediction; for the
tracks training saw, the network is all that needs to run. So before the pipeline hands a track
to a decoder it asks `CachedWindows.future`: a hit comes back as an already finished future
holding the same `TrackFeatures` a decoder would return, and the pipeline treats it like any
other. A model with another front end has other keys and simply misses.

The cached windows are stored at offset 0 and centred here by whole hops, which is exactly what
decoding gives since centred padding is hop-aligned (`audio/segments.py`); the float16 storage
moves a track's probabilities by about 1e-5 (tests/library/test_cached_windows.py).
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import numpy as np

from tagger.audio.decode import AudioInfo
from tagger.audio.features import TrackFeatures
from tagger.audio.mel import FrontEndConfig
from tagger.audio.segments import SAMPLE_RATE, Segment, segment_plan
from tagger.library.schema import Track
from tagger.library.store import Library
from tagger.training.feature_cache import FeatureCache
from tagger.training.window_cache import CachedTrack, assemble_batch, cache_key


class CachedWindows:
    """Looks tracks up in `cache` for the front end `config`; `hits` counts what it served."""

    def __init__(self, library: Library, config: FrontEndConfig, cache: FeatureCache) -> None:
        self.library = library
        self.config = config
        self.cache = cache
        self.hits = 0

    def future(self, track_id: int, local_path: str) -> Future | None:
        """A finished future holding the track's features, or None: decode it."""
        features = self.features(track_id, local_path)
        if features is None:
            return None
        done: Future = Future()
        done.set_result(features)
        self.hits += 1
        return done

    def features(self, track_id: int, local_path: str) -> TrackFeatures | None:
        with self.library.session() as session:
            track = session.get(Track, track_id)
            if track is None or not track.duration:
                return None
            info = AudioInfo(
                path=local_path,
                container=track.format or "",
                codec=track.codec or "",
                sample_rate=track.sample_rate or SAMPLE_RATE,
                channels=track.channels or 2,
                duration=track.duration,
                total_samples=round(track.duration * SAMPLE_RATE),
            )
            fingerprint = track.fingerprint
        try:
            key = cache_key(Path(local_path), fingerprint, self.config)
        except OSError:
            return None  # no fingerprint and no file to stat: the decoder reports it
        arrays = self.cache.get(key)
        cached = CachedTrack.from_arrays(arrays) if arrays is not None else None
        if cached is None:
            return None
        segments = _segments(cached, info.total_samples, self.config)
        if segments is None:
            return None
        items = np.array([(0, w) for w in range(len(cached.mel))])
        mel = assemble_batch([cached], items, self.config, rng=None)
        return TrackFeatures(info=info, segments=segments, mel=mel)


def _segments(
    cached: CachedTrack, total_samples: int, config: FrontEndConfig
) -> list[Segment] | None:
    """Where the cached windows lie in the track. Entries written before their starts were kept
    get the plan of the library's duration, if its window lengths are the cached ones."""
    if cached.starts is not None:
        starts = [int(s) for s in cached.starts]
    else:
        plan = segment_plan(
            total_samples, window=config.window_samples, overlap=config.overlap_short_tracks
        )
        if [s.length for s in plan] != [int(n) for n in cached.lengths]:
            return None  # the file is not what the library says: decode it
        starts = [s.start for s in plan]
    if len(starts) != len(cached.mel) or len(cached.lengths) != len(cached.mel):
        return None
    return [Segment(s, int(n)) for s, n in zip(starts, cached.lengths, strict=True)]
