"""Torch and ONNX Runtime give the same probabilities for every architecture.

Guards the export: the dynamo exporter with onnxscript 0.6.2–0.7.0 wrote GRUs with
linear_before_reset=0, wrong by up to ~14 % and with no error. Random networks (with non-trivial
BatchNorm statistics, so the folding is exercised) and the bundled model, on 1 window, one track's
60 windows and a batch of several tracks' windows.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import BUNDLED_MODEL, save_model
from tagger.model.network import ARCHITECTURES, NetworkConfig, build_network, set_temperature
from tagger.model.predictor import Predictor

TOLERANCE = 1e-4


def random_network(arch: str, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    network = build_network(NetworkConfig(arch=arch))
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-1.0, 1.0)
                module.running_var.uniform_(0.5, 2.0)
    return network.eval()


def log_mel_images(n: int, seed: int) -> np.ndarray:
    """Window-like inputs: dB values between the 80 dB floor and 0, smoothed along time."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-80.0, 0.0, (n, 2, 64, 259)).astype(np.float32)
    return (x + np.roll(x, 1, axis=-1)) / 2


def assert_runtimes_agree(model_path) -> None:
    on_torch = Predictor.load(model_path, runtime="torch", bf16=False)
    on_onnx = Predictor.load(model_path, runtime="onnx")
    assert (on_torch.runtime, on_onnx.runtime) == ("torch", "onnx")
    one_track = log_mel_images(60, seed=1)
    several_tracks = np.concatenate([log_mel_images(60, seed=s) for s in (2, 3, 4)])
    for mel in (one_track[:1], one_track, several_tracks):
        expected = on_torch.window_probabilities(mel)
        got = on_onnx.window_probabilities(mel)
        assert got.shape == expected.shape == (len(mel), 2)
        assert np.abs(got - expected).max() < TOLERANCE


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_onnx_runtime_matches_torch(tmp_path, arch):
    path = save_model(
        tmp_path / f"{arch}.safetensors",
        random_network(arch, seed=ARCHITECTURES.index(arch)),
        ["hardcore", "metal"],
        FrontEndConfig(),
    )
    assert_runtimes_agree(path)


def test_onnx_runtime_matches_torch_for_the_bundled_model():
    assert_runtimes_agree(Path(__file__).resolve().parents[2] / "models" / BUNDLED_MODEL)


@pytest.mark.parametrize("arch", ["cnn-bigru", "chen-cnn"])
def test_a_calibrated_model_agrees_on_both_runtimes_and_its_temperature_counts(tmp_path, arch):
    """The temperature lives in the network (a buffer dividing the logits), so the ONNX export
    carries it: both runtimes agree, and differ from the same weights at temperature 1."""
    network = random_network(arch, seed=7)
    plain = save_model(
        tmp_path / "plain.safetensors", network, ["hardcore", "metal"], FrontEndConfig()
    )
    set_temperature(network, 0.25)
    path = save_model(
        tmp_path / "hot.safetensors", network, ["hardcore", "metal"], FrontEndConfig()
    )
    assert_runtimes_agree(path)
    mel = log_mel_images(60, seed=5)
    at_one = Predictor.load(plain, runtime="onnx").window_probabilities(mel)
    at_t = Predictor.load(path, runtime="onnx").window_probabilities(mel)
    expected = torch.softmax(torch.log(torch.from_numpy(at_one).double()) / 0.25, dim=1).numpy()
    assert np.abs(at_t - expected).max() < TOLERANCE
    assert (at_t.argmax(1) == at_one.argmax(1)).all()
