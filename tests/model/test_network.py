import pytest
import torch

from tagger.model.network import Network, NetworkConfig, count_parameters


def gru_params(d_in: int, hidden: int) -> int:
    return 3 * (d_in * hidden + hidden * hidden + 2 * hidden)


def lstm_params(d_in: int, hidden: int) -> int:
    return 4 * (d_in * hidden + hidden * hidden + 2 * hidden)


CNN = (2 * 32 * 9 + 32 + 2 * 32) + (32 * 64 * 9 + 64 + 2 * 64) + (64 * 128 * 9 + 128 + 2 * 128)


@pytest.mark.parametrize(
    ("arch", "expected"),
    [
        # CNN + 2-layer BiGRU (1024 → 128 per direction, then 256 → 128) + head 256→512→2
        (
            "cnn-bigru",
            CNN + 2 * gru_params(1024, 128) + 2 * gru_params(256, 128) + 256 * 512 + 512 + 1026,
        ),
        (
            "cnn-lstm",
            CNN + 2 * lstm_params(1024, 128) + 2 * lstm_params(256, 128) + 256 * 512 + 512 + 1026,
        ),
        # 2-layer LSTM over 2·64 Mel values per frame + head 128→512→2
        ("lstm", lstm_params(128, 128) + lstm_params(128, 128) + 128 * 512 + 512 + 1026),
    ],
)
def test_parameter_counts(arch, expected):
    assert count_parameters(Network(NetworkConfig(arch=arch))) == expected


def test_cnn_bigru_has_1_408_738_parameters():
    assert count_parameters(Network(NetworkConfig())) == 1_408_738


@pytest.mark.parametrize("arch", ["cnn-bigru", "cnn-lstm", "lstm"])
def test_shapes(arch):
    net = Network(NetworkConfig(arch=arch, n_classes=3)).eval()
    x = torch.randn(4, 2, 64, 259)
    seq = net.sequence(x)
    if arch == "lstm":
        assert seq.shape == (4, 259, 128)
    else:
        assert seq.shape == (4, 32, 1024)  # time-major: 259 frames pooled to 32 steps
    assert net.embed(x).shape == (4, 256 if arch != "lstm" else 128)
    assert net(x).shape == (4, 3)


def test_gru_is_bidirectional_and_steps_over_time():
    net = Network(NetworkConfig()).eval()
    assert isinstance(net.rnn, torch.nn.GRU) and net.rnn.bidirectional
    assert net.rnn.num_layers == 2 and net.rnn.hidden_size == 128
    # The sequence is time-major: a change confined to the last frames of the input changes
    # only the last time steps of the sequence (the seed code stepped over channel groups).
    x = torch.randn(1, 2, 64, 259)
    y = x.clone()
    y[..., 240:] += 5.0
    diff = (net.sequence(x) - net.sequence(y)).abs().sum(dim=2)[0]
    assert diff[:28].max() == 0 and diff[-2:].min() > 0


def test_head_outputs_logits_not_probabilities():
    net = Network(NetworkConfig()).eval()
    with torch.no_grad():
        out = net(torch.randn(8, 2, 64, 259))
    assert not torch.allclose(out.sum(1), torch.ones(8))


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="unknown architecture"):
        NetworkConfig(arch="transformer")
