"""Temperature scaling: the fit, the error measure, and what it does to a real training run."""

from pathlib import Path

import numpy as np
import pytest
from scipy.special import softmax

from tagger.model.checkpoint import load_model, read_model_info, save_model
from tagger.model.network import set_temperature
from tagger.model.predictor import Predictor
from tagger.training.calibration import (
    expected_calibration_error,
    fit_temperature,
    track_verdicts,
    verdict_nll,
    window_logits,
)
from tagger.training.window_cache import build_cache


def test_the_fit_recovers_the_temperature_that_made_logits_overconfident():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0.0, 2.0, (4000, 2))
    labels = np.array([rng.choice(2, p=p) for p in softmax(true_logits, axis=1)])
    one_window_each = np.arange(len(labels))
    for made in (3.0, 0.5):
        t = fit_temperature(true_logits * made, one_window_each, labels)
        assert t == pytest.approx(made, rel=0.1)


def test_verdicts_are_the_mean_of_the_window_probabilities_at_t():
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, -1.0]])
    track_of = np.array([0, 0, 1])
    got = track_verdicts(logits, track_of, 2, 0.5)
    expected = [softmax(logits[:2] / 0.5, axis=1).mean(0), softmax(logits[2] / 0.5)]
    assert np.allclose(got, expected)
    assert verdict_nll(got, np.array([0, 0])) == pytest.approx(
        -np.mean(np.log([expected[0][0], expected[1][0]]))
    )


def test_ece_is_the_gap_between_confidence_and_accuracy():
    confident = np.tile([0.9, 0.1], (10, 1))
    nine_right = np.array([0] * 9 + [1])
    half_right = np.array([0] * 5 + [1] * 5)
    assert expected_calibration_error(confident, nine_right) == pytest.approx(0.0)
    assert expected_calibration_error(confident, half_right) == pytest.approx(0.4)


def _val_windows(out):
    """The trained model's validation tracks, as training read them."""
    model = load_model(out)
    full = [Path(model.training["data_dir"]) / p for p in model.training["split"]["val"]]
    got = {}
    build_cache([(p, None) for p in full], model.frontend, None, 1, got.__setitem__)
    labels = np.array([model.classes.index(p.parent.name) for p in full])
    return model, [got[p] for p in full], labels


def test_a_real_run_is_calibrated_and_its_validation_nll_falls(trained):
    _, out, logs = trained
    info = read_model_info(out)
    calibration = info.metrics["calibration"]
    assert calibration["nll_after"] < calibration["nll_before"]
    assert info.architecture["temperature"] == pytest.approx(calibration["temperature"], abs=1e-6)
    assert any(line.startswith("calibration on") for line in logs)

    # The stored figures are what the saved network gives on its validation tracks.
    model, tracks, labels = _val_windows(out)
    t = model.network.config.temperature
    set_temperature(model.network, 1.0)
    logits, track_of = window_logits(model.network, tracks, model.frontend, bf16=False)
    for temperature, key in ((1.0, "nll_before"), (t, "nll_after")):
        verdicts = track_verdicts(logits, track_of, len(labels), temperature)
        assert verdict_nll(verdicts, labels) == pytest.approx(calibration[key], abs=1e-3)


def test_calibration_changes_confidence_but_not_the_predicted_class(trained, tiny_corpus, tmp_path):
    """Classified as users get it (ONNX Runtime): the same weights at temperature 1 and at the
    fitted one give every track of the corpus the same label, with other confidences."""
    _, out, _ = trained
    model = load_model(out)
    assert model.network.config.temperature != 1.0
    set_temperature(model.network, 1.0)
    plain = save_model(tmp_path / "plain.safetensors", model.network, model.classes, model.frontend)
    calibrated, uncalibrated = Predictor.load(out), Predictor.load(plain)
    changed = 0
    for path in sorted(tiny_corpus.rglob("*.flac")):
        a, b = calibrated.classify(path), uncalibrated.classify(path)
        assert a.label == b.label, path
        changed += abs(a.confidence - b.confidence) > 1e-3
    assert changed > 0
