import dataclasses
from pathlib import Path

import numpy as np

from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.audio.segments import pad_offset
from tagger.training.feature_cache import FeatureCache
from tagger.training.window_cache import CachedTrack, assemble_batch, augment_window, cache_key


def test_shifting_the_cached_spectrogram_equals_padding_the_audio_later():
    """The claim that makes the window cache exact: a whole-hop offset is a frame shift."""
    config = FrontEndConfig()
    rng = np.random.default_rng(0)
    part = rng.standard_normal((2, 60_000)).astype(np.float32)
    front = LogMel(config)

    def window_at(offset: int) -> np.ndarray:
        w = np.zeros((1, 2, config.window_samples), dtype=np.float32)
        w[0, :, offset : offset + part.shape[1]] = part
        return front(w)

    cached = CachedTrack(mel=window_at(0).astype(np.float16), lengths=np.array([60_000]))
    items = np.array([[0, 0]])
    centred = assemble_batch([cached], items, config, rng=None)[0]
    shift = (config.window_samples - 60_000) // config.hop_length // 2
    # inference centres a short part at the same whole hop, so a cached window is the decoded one
    assert shift * config.hop_length == pad_offset(60_000, config.window_samples, None)
    expected = window_at(shift * config.hop_length)[0]
    assert np.abs(centred - expected).max() < 0.05  # float16 storage of the cache


def test_augmentation_keeps_shape_and_stays_within_gain_and_floor():
    rng = np.random.default_rng(0)
    mel = rng.uniform(-80, 0, size=(2, 64, 259)).astype(np.float32)
    before = mel.copy()
    augment_window(mel, rng)
    assert mel.shape == before.shape
    assert -6 <= np.median(mel - before) <= 6
    assert mel.min() >= before.min() - 6 - 1e-4


def test_cache_keys_of_the_paper_plan_are_those_written_before_the_overlap_option():
    """A user's feature cache from before `overlap_short_tracks` existed stays valid; the
    overlapping plan, which decodes other windows, gets keys of its own."""
    paper = FrontEndConfig()
    before_option = {
        f.name: getattr(paper, f.name)
        for f in dataclasses.fields(paper)
        if f.name != "overlap_short_tracks"
    }
    key = cache_key(Path("a.flac"), "fp", paper)
    assert key == FeatureCache.key("fp", before_option)
    overlapping = dataclasses.replace(paper, overlap_short_tracks=True)
    assert cache_key(Path("a.flac"), "fp", overlapping) != key
