import json

import pytest
import torch
from safetensors.torch import save_file

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import (
    FORMAT,
    METADATA_KEY,
    ModelFileError,
    load_model,
    read_metadata,
    save_model,
)
from tagger.model.network import Network, NetworkConfig


def make(tmp_path, arch="cnn-bigru"):
    torch.manual_seed(1)
    net = Network(NetworkConfig(arch=arch)).eval()
    path = save_model(
        tmp_path / "m.safetensors",
        net,
        ["hardcore", "metal"],
        FrontEndConfig(),
        training={"seed": 3, "data_dir": "/data"},
        metrics={"validation": {"track_accuracy": 0.9}},
    )
    return net, path


@pytest.mark.parametrize("arch", ["cnn-bigru", "cnn-lstm", "lstm"])
def test_round_trip_gives_the_same_outputs(tmp_path, arch):
    net, path = make(tmp_path, arch)
    loaded = load_model(path)
    x = torch.randn(3, 2, 64, 259)
    with torch.no_grad():
        assert torch.allclose(net(x), loaded.network(x))
    assert loaded.classes == ("hardcore", "metal")
    assert loaded.frontend == FrontEndConfig()
    assert loaded.training["seed"] == 3 and loaded.metrics["validation"]["track_accuracy"] == 0.9
    assert len(loaded.sha256) == 64 and not loaded.network.training


def test_metadata_holds_everything(tmp_path):
    _, path = make(tmp_path)
    meta = read_metadata(path)
    assert meta["format"] == FORMAT and meta["format_version"] == 1
    assert meta["architecture"]["arch"] == "cnn-bigru" and meta["architecture"]["hidden"] == 128
    assert meta["frontend"]["n_mels"] == 64


def _rewrite(path, meta):
    from safetensors.torch import load_file

    save_file(load_file(str(path)), str(path), metadata={METADATA_KEY: json.dumps(meta)})


def test_refuses_a_file_that_is_not_safetensors(tmp_path):
    bad = tmp_path / "model.safetensors"
    torch.save({"x": torch.zeros(1)}, bad)  # a pickle: must never be loaded
    with pytest.raises(ModelFileError, match="not a safetensors"):
        load_model(bad)


def test_refuses_missing_metadata(tmp_path):
    path = tmp_path / "plain.safetensors"
    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(ModelFileError, match="no tagger metadata"):
        load_model(path)


def _other_version(meta: dict) -> None:
    meta["format_version"] = 99


def _smaller_network(meta: dict) -> None:
    meta["architecture"]["hidden"] = 64


def _three_classes(meta: dict) -> None:
    meta["classes"] = ["a", "b", "c"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_other_version, "version 99"),
        (_smaller_network, "do not fit"),
        (_three_classes, "class names"),
    ],
)
def test_refuses_metadata_that_does_not_match(tmp_path, edit, message):
    _, path = make(tmp_path)
    meta = read_metadata(path)
    edit(meta)
    _rewrite(path, meta)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_refuses_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model"):
        load_model(tmp_path / "nope.safetensors")


def test_a_model_file_from_before_calibration_loads_at_temperature_one(tmp_path):
    """Files written before calibration existed have no temperature: their network divides by 1."""
    _, path = make(tmp_path)
    meta = read_metadata(path)
    meta["architecture"].pop("temperature", None)
    _rewrite(path, meta)
    network = load_model(path).network
    assert network.config.temperature == 1.0
    assert float(network.head.temperature) == 1.0


def test_the_temperature_is_saved_in_the_config_and_restored(tmp_path):
    from tagger.model.network import set_temperature

    net = Network(NetworkConfig()).eval()
    set_temperature(net, 0.4)
    path = save_model(tmp_path / "t.safetensors", net, ["hardcore", "metal"], FrontEndConfig())
    loaded = load_model(path).network
    assert loaded.config.temperature == pytest.approx(0.4)
    assert float(loaded.head.temperature) == pytest.approx(0.4)
    x = torch.randn(3, 2, 64, 259)
    with torch.no_grad():
        assert torch.allclose(loaded(x), net(x), atol=1e-5)
