import numpy as np
from audio_factory import tone, write_audio

from tagger.audio.decode import read_windows
from tagger.audio.features import track_features
from tagger.audio.mel import LogMel


def test_chunked_front_end_equals_all_windows_at_once(tmp_path):
    path = write_audio(tmp_path / "five.flac", tone(5.0, 16_000, freq=330.0), 16_000)
    features = track_features(path)
    whole = LogMel()(read_windows(path).windows)
    assert features.mel.shape == whole.shape == (60, 2, 64, 259)
    np.testing.assert_allclose(features.mel, whole, rtol=0, atol=1e-4)
    assert len(features.segments) == 60
