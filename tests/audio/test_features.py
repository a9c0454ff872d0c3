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


def test_a_front_end_that_overlaps_short_tracks_decodes_full_windows(tmp_path):
    from dataclasses import replace

    from tagger.audio.mel import FrontEndConfig
    from tagger.audio.segments import WINDOW_SAMPLES

    path = write_audio(tmp_path / "five.flac", tone(5.0, 16_000, freq=330.0), 16_000)
    padded = track_features(path)
    overlapped = track_features(path, replace(FrontEndConfig(), overlap_short_tracks=True))
    assert {s.length for s in overlapped.segments} == {WINDOW_SAMPLES}
    assert overlapped.segments[-1].end == overlapped.info.total_samples
    assert {s.length for s in padded.segments} == {WINDOW_SAMPLES // 36}  # 5 s / 60 parts
    # a steady tone: every full window's spectrogram is louder than a mostly silent one
    assert overlapped.mel.mean() > padded.mel.mean()
