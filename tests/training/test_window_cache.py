import numpy as np

from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.audio.segments import pad_offset
from tagger.training.window_cache import CachedTrack, assemble_batch, augment_window


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
