"""Warm start: the source's weights where they fit, output rows matched by class name."""

from dataclasses import replace

import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.architectures import network_config
from tagger.model.checkpoint import default_model_path, save_model
from tagger.model.network import build_network, set_temperature
from tagger.training.warm_start import warm_start

FRONTEND = FrontEndConfig()


def saved_source(tmp_path, classes=("hardcore", "metal")):
    torch.manual_seed(1)
    network = build_network(network_config("cnn-bigru", len(classes)))
    return save_model(tmp_path / "source.safetensors", network, list(classes), FRONTEND), network


def test_weights_are_copied_and_output_rows_follow_the_class_names(tmp_path):
    path, source = saved_source(tmp_path)
    torch.manual_seed(2)
    target = build_network(network_config("cnn-bigru", 3))
    fresh_other_row = target.head.fc2.weight[1].detach().clone()
    log = []
    assert warm_start(target, ["metal", "other", "hardcore"], FRONTEND, path, log.append)

    src = source.state_dict()
    got = target.state_dict()
    assert torch.equal(got["cnn.0.conv.weight"], src["cnn.0.conv.weight"])
    assert torch.equal(got["rnn.weight_ih_l0"], src["rnn.weight_ih_l0"])
    assert torch.equal(got["head.fc1.weight"], src["head.fc1.weight"])
    # source rows: 0 hardcore, 1 metal; target rows: 0 metal, 1 other, 2 hardcore
    assert torch.equal(got["head.fc2.weight"][0], src["head.fc2.weight"][1])
    assert torch.equal(got["head.fc2.weight"][2], src["head.fc2.weight"][0])
    assert torch.equal(got["head.fc2.bias"][2], src["head.fc2.bias"][0])
    assert torch.equal(got["head.fc2.weight"][1], fresh_other_row)  # unknown class: untouched
    assert "classes it knows: metal, hardcore" in log[-1]


def test_another_front_end_or_architecture_trains_from_scratch(tmp_path):
    path, _ = saved_source(tmp_path)
    target = build_network(network_config("cnn-bigru", 2))
    before = target.state_dict()["cnn.0.conv.weight"].clone()
    log = []
    other_frontend = replace(FRONTEND, n_mels=32)
    assert not warm_start(target, ["hardcore", "metal"], other_frontend, path, log.append)
    assert "from scratch" in log[-1]
    lstm = build_network(network_config("cnn-lstm", 2))
    assert not warm_start(lstm, ["hardcore", "metal"], FRONTEND, path, log.append)
    assert torch.equal(target.state_dict()["cnn.0.conv.weight"], before)


def test_a_start_on_padded_windows_serves_a_run_on_overlapping_ones(tmp_path):
    """The segment plan for short tracks does not change the network's input format."""
    path, source = saved_source(tmp_path)
    target = build_network(network_config("cnn-bigru", 2))
    log = []
    overlapping = replace(FRONTEND, overlap_short_tracks=True)
    assert warm_start(target, ["hardcore", "metal"], overlapping, path, log.append)
    assert torch.equal(
        target.state_dict()["rnn.weight_ih_l0"], source.state_dict()["rnn.weight_ih_l0"]
    )


def test_an_unreadable_source_is_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    target = build_network(network_config("cnn-bigru", 2))
    log = []
    assert not warm_start(target, ["hardcore", "metal"], FRONTEND, bad, log.append)
    assert "from scratch" in log[-1]


def test_the_bundled_model_serves_as_a_source():
    """Its file predates some architecture fields (their defaults apply): still a match."""
    target = build_network(network_config("cnn-bigru", 3))
    log = []
    assert warm_start(
        target, ["hardcore", "metal", "other"], FRONTEND, default_model_path(), log.append
    )
    assert "cnn-bigru-demo.safetensors's weights" in log[-1]


def test_a_calibrated_source_serves_and_its_temperature_stays_behind(tmp_path):
    """The source's temperature fits the source's training, not this one: not copied, and no
    reason to train from scratch."""
    torch.manual_seed(1)
    source = build_network(network_config("cnn-bigru", 2))
    set_temperature(source, 0.3)
    path = save_model(tmp_path / "calibrated.safetensors", source, ["hardcore", "metal"], FRONTEND)
    target = build_network(network_config("cnn-bigru", 2))
    log = []
    assert warm_start(target, ["hardcore", "metal"], FRONTEND, path, log.append)
    assert target.config.temperature == 1.0
    assert float(target.head.temperature) == 1.0
