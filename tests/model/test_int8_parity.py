"""The int8 form (TAGGER_PRECISION=int8) against float32 ONNX Runtime, on real clips.

The bundled model calibrates its int8 form on the first clips it classifies (run in float32
meanwhile); on the clips after, track verdicts keep their class and move by at most TOLERANCE,
the bar BENCHMARKS.md's "Fifth pass" set for shipping it (there: at most 0.004 on 80 tracks of
two generators' libraries; on these real clips, none of them metal or hardcore, up to ~0.03 for
a solo trumpet when calibrated on two clips).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from tagger.model import int8_form
from tagger.model.checkpoint import BUNDLED_MODEL
from tagger.model.onnx_form import source_sha256
from tagger.model.predictor import Predictor

MODEL = Path(__file__).resolve().parents[2] / "models" / BUNDLED_MODEL
TOLERANCE = 0.05
CALIBRATION_CLIPS = 2


@pytest.fixture(scope="module")
def clip_windows(shared_clips) -> list[np.ndarray]:
    front = Predictor.load(MODEL, runtime="onnx")
    return [front.features(clip).mel for clip in shared_clips]


@pytest.fixture
def int8_predictor(monkeypatch, tmp_path) -> Predictor:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no form from another test
    monkeypatch.setenv("TAGGER_PRECISION", "int8")
    monkeypatch.setattr(int8_form, "CALIBRATION_WINDOWS", 60 * CALIBRATION_CLIPS)
    return Predictor.load(MODEL, runtime="onnx")


def test_int8_verdicts_stay_within_tolerance_of_float32(int8_predictor, clip_windows):
    reference = Predictor.load(MODEL, runtime="onnx")
    network = int8_predictor.network
    assert network.precision == "float32"
    for mel in clip_windows[:CALIBRATION_CLIPS]:
        int8_predictor.window_probabilities(mel)
    assert network.precision == "int8"
    for mel in clip_windows[CALIBRATION_CLIPS:]:
        expected = reference.window_probabilities(mel).mean(axis=0)
        got = int8_predictor.window_probabilities(mel).mean(axis=0)
        assert got.argmax() == expected.argmax()
        assert np.abs(got - expected).max() <= TOLERANCE
        assert not np.array_equal(got, expected)  # it is the int8 graph that answered


def test_the_int8_form_is_cached_for_this_model_file_only(int8_predictor, clip_windows):
    for mel in clip_windows[:CALIBRATION_CLIPS]:
        int8_predictor.window_probabilities(mel)
    path = int8_form.cached_int8(int8_predictor.model.sha256)
    assert source_sha256(path) == int8_predictor.model.sha256
    assert Predictor.load(MODEL, runtime="onnx").network.precision == "int8"  # a later process
    other = dataclasses.replace(int8_predictor.model, sha256="0" * 64)
    assert int8_form.find_int8_form(other) is None


def test_an_unwritable_cache_leaves_the_verdicts_in_float32(
    int8_predictor, clip_windows, monkeypatch, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(int8_form, "cached_int8", lambda sha: blocker / "onnx" / f"{sha}.onnx")
    reference = Predictor.load(MODEL, runtime="onnx")
    with pytest.warns(UserWarning, match="int8 form cannot be written"):
        for mel in clip_windows[:CALIBRATION_CLIPS]:
            int8_predictor.window_probabilities(mel)
    mel = clip_windows[CALIBRATION_CLIPS]
    assert int8_predictor.network.precision == "float32"
    np.testing.assert_array_equal(
        int8_predictor.window_probabilities(mel), reference.window_probabilities(mel)
    )
