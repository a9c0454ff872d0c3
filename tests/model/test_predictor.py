import numpy as np
import pytest
import torch
from audio_factory import tone, write_audio

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig
from tagger.model.predictor import Predictor


def biased_model(tmp_path, favour: int):
    """A network whose head always prefers class `favour`: the label must follow it."""
    net = Network(NetworkConfig())
    with torch.no_grad():
        net.head.fc2.weight.zero_()
        net.head.fc2.bias.copy_(torch.tensor([0.0, 0.0]))
        net.head.fc2.bias[favour] = 3.0
    return save_model(
        tmp_path / f"b{favour}.safetensors", net, ["hardcore", "metal"], FrontEndConfig()
    )


@pytest.mark.parametrize("favour", [0, 1])
def test_label_is_the_class_with_the_highest_mean_probability(tmp_path, favour):
    """The seed's predictor inverted the labels; ours maps index i to classes[i]."""
    path = write_audio(tmp_path / "a.flac", tone(5.0))
    result = Predictor.load(biased_model(tmp_path, favour)).classify(path)
    assert result.label == ("hardcore", "metal")[favour]
    assert result.confidence == pytest.approx(np.exp(3) / (1 + np.exp(3)), abs=1e-4)


def test_track_probabilities_are_the_mean_of_60_windows(tmp_path, random_model):
    path = write_audio(tmp_path / "a.mp3", tone(20.0))
    result = Predictor.load(random_model).classify(path)
    assert len(result.windows) == 60
    mean = np.mean([w.probabilities for w in result.windows], axis=0)
    assert np.allclose(list(result.probabilities.values()), mean, atol=1e-6)
    assert result.confidence == pytest.approx(max(mean), abs=1e-6)
    assert all(abs(sum(w.probabilities) - 1) < 1e-5 for w in result.windows)
    assert result.windows[1].start == pytest.approx(20.0 / 60, abs=1e-3)
    doc = result.to_json()
    assert set(doc) == {"path", "label", "confidence", "probabilities", "segments", "model"}
    assert set(doc["segments"][0]) == {"start", "end", "probabilities"}


def test_torch_bf16_and_float32_agree(tmp_path, random_model):
    path = write_audio(tmp_path / "a.wav", tone(8.0))
    fp32 = Predictor.load(random_model, bf16=False, runtime="torch").classify(path)
    bf16 = Predictor.load(random_model, bf16=True, runtime="torch").classify(path)
    a = np.array([w.probabilities for w in fp32.windows])
    b = np.array([w.probabilities for w in bf16.windows])
    assert np.abs(a - b).max() < 0.02
    assert fp32.label == bf16.label or abs(fp32.confidence - 0.5) < 0.01


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".aiff"])
def test_classify_every_supported_format(tmp_path, random_model, ext):
    rate = 48_000 if ext == ".opus" else 44_100
    path = write_audio(tmp_path / f"a{ext}", tone(6.0, rate), rate)
    result = Predictor.load(random_model).classify(path)
    assert result.label in ("hardcore", "metal") and len(result.windows) == 60
    assert 0.5 <= result.confidence <= 1.0


def test_window_outputs_are_the_window_probabilities_plus_the_states(tmp_path, random_model):
    predictor = Predictor.load(random_model, bf16=False, runtime="torch")  # evaluation's runtime
    features = predictor.features(write_audio(tmp_path / "a.flac", tone(4.0)))
    outputs = predictor.window_outputs(features.mel)
    assert np.allclose(outputs.probabilities, predictor.window_probabilities(features.mel))
    assert outputs.embeddings.shape == (len(features.segments), 256)
    verdict = predictor.predict_from_windows(features, outputs.probabilities)
    assert verdict == predictor.predict_features(features)


def test_the_onnx_runtime_says_it_has_no_window_states(tmp_path, random_model):
    predictor = Predictor.load(random_model, runtime="onnx")
    with pytest.raises(NotImplementedError, match="onnx"):
        predictor.window_outputs(np.zeros((1, 2, 64, 259), dtype=np.float32))
