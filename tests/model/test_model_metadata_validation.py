"""Hostile model metadata: every bad value is refused by name and range, before any allocation."""

import json
import resource

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from tagger.audio.decode import AudioInfo
from tagger.audio.features import TrackFeatures
from tagger.audio.mel import FrontEndConfig
from tagger.audio.segments import segment_plan
from tagger.model.checkpoint import (
    METADATA_KEY,
    ModelFileError,
    load_model,
    read_metadata,
    save_model,
)
from tagger.model.network import Network, NetworkConfig
from tagger.model.predictor import PredictionError, Predictor


@pytest.fixture(scope="module")
def good_model(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("m") / "good.safetensors"
    return save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig())


def _with_metadata(good, tmp_path, section: str, field: str, raw_value: str):
    """A copy of the good model whose JSON says `"field": raw_value` (raw JSON text)."""
    meta = read_metadata(good)
    meta[section][field] = "__PLACEHOLDER__"
    text = json.dumps(meta).replace('"__PLACEHOLDER__"', raw_value)
    path = tmp_path / f"{field}.safetensors"
    save_file(load_file(str(good)), str(path), metadata={METADATA_KEY: text})
    return path


HOSTILE = [
    ("architecture", "hidden", "1e7", "architecture.hidden is 10000000.0; allowed: an integer"),
    ("architecture", "hidden", "10000000", "allowed: an integer from 1 to 2,048"),
    ("architecture", "hidden", "true", "architecture.hidden is True"),
    ("frontend", "window_samples", "1e12", "frontend.window_samples is 1000000000000.0"),
    ("frontend", "n_fft", "0", "frontend.n_fft is 0; allowed: an integer from 16 to"),
    ("frontend", "hop_length", "0", "frontend.hop_length is 0; allowed: an integer from 1 to"),
    ("frontend", "n_mels", '"sixty-four"', "frontend.n_mels is 'sixty-four'"),
    ("frontend", "sample_rate", "0", "frontend.sample_rate is 0; allowed: an integer from 8,000"),
    ("frontend", "sample_rate", "-44100", "frontend.sample_rate is -44100"),
    ("frontend", "top_db", "NaN", "frontend.top_db is nan"),
    ("architecture", "temperature", "0", "architecture.temperature is 0; allowed: a number"),
    ("architecture", "temperature", "NaN", "architecture.temperature is nan"),
    ("frontend", "hop_length", "2048", "hop_length must not exceed frontend.n_fft"),
    ("frontend", "f_max", "30000.0", "f_max must lie above frontend.f_min"),
    (
        "architecture",
        "conv_channels",
        "[32, 64, 1e9]",
        "architecture.conv_channels is 1000000000.0",
    ),
    ("architecture", "conv_channels", '"wide"', "conv_channels must be a list"),
    ("frontend", "overlap_short_tracks", "1", "overlap_short_tracks must be true or false"),
]


@pytest.mark.parametrize(("section", "field", "raw", "reason"), HOSTILE)
def test_hostile_value_is_refused_by_name_and_range(
    good_model, tmp_path, section, field, raw, reason
):
    path = _with_metadata(good_model, tmp_path, section, field, raw)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert reason in info.value.reason
    assert "\n" not in str(info.value)
    # Nothing big was allocated on the way to the refusal (hidden=1e7 alone would be 122 GB).
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200_000


def test_reading_the_metadata_alone_already_refuses(good_model, tmp_path):
    path = _with_metadata(good_model, tmp_path, "frontend", "n_fft", "0")
    with pytest.raises(ModelFileError, match="n_fft"):
        read_metadata(path)


def test_a_sane_but_too_large_network_is_refused_before_allocation(good_model, tmp_path):
    meta = read_metadata(good_model)
    meta["architecture"].update(hidden=2048, layers=8, head=8192, conv_channels=[1024] * 3)
    path = tmp_path / "big.safetensors"
    save_file(load_file(str(good_model)), str(path), metadata={METADATA_KEY: json.dumps(meta)})
    with pytest.raises(ModelFileError, match="parameters; at most"):
        load_model(path)


def test_the_good_model_still_loads(good_model):
    assert load_model(good_model).classes == ("hardcore", "metal")


def test_a_non_finite_probability_is_never_returned(good_model):
    predictor = Predictor.load(good_model, bf16=False)
    plan = segment_plan(44_100 * 10)
    info = AudioInfo("nan.wav", "wav", "pcm_f32le", 44_100, 2, 10.0, 44_100 * 10)
    mel = np.full((len(plan), 2, 64, 259), np.nan, dtype=np.float32)
    with pytest.raises(PredictionError, match="nan.wav: the model's input is not a number"):
        predictor.predict_features(TrackFeatures(info=info, segments=plan, mel=mel))
    with pytest.raises(PredictionError, match="nan.wav: the model's output is not a number"):
        predictor.predict_from_windows(
            TrackFeatures(info=info, segments=plan, mel=mel), np.full((len(plan), 2), np.nan)
        )
