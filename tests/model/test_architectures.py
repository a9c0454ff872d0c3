"""The related systems as networks: shapes, sizes, their in-network front steps, save/load, ONNX."""

import numpy as np
import pytest
import scipy.fft
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.architectures import (
    SPECS,
    frontend_for,
    network_config,
)
from tagger.model.architectures.layers import (
    BandStandardize,
    MfccDct,
    SpectrogramImage,
    fit_input_statistics,
)
from tagger.model.architectures.resnet_bigru import ResNet18Features
from tagger.model.checkpoint import ModelFileError, load_model, save_model
from tagger.model.network import ARCHITECTURES, RELATED_ARCHITECTURES, build_network
from tagger.model.network import count_parameters as params

EMBEDDING = {"chen-cnn": 128, "chen-cnn-bigru": 256, "mfcc-crnn": 128, "resnet18-bigru": 512}


def make(arch: str, n_classes: int = 3, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_network(network_config(arch, n_classes)).eval()


def windows(arch: str, n: int, seed: int = 0) -> torch.Tensor:
    """Log-Mel-like input in dB (around -40, spread 15) of the architecture's front end."""
    f = frontend_for(arch)
    g = torch.Generator().manual_seed(seed)
    return -40 + 15 * torch.randn(n, 2, f.n_mels, f.n_frames, generator=g)


def test_every_architecture_has_a_spec_and_a_network():
    assert tuple(SPECS) == ARCHITECTURES
    for arch in ARCHITECTURES:
        net = make(arch)
        assert net.config.arch == arch and net.config.n_mels == frontend_for(arch).n_mels


@pytest.mark.parametrize("arch", RELATED_ARCHITECTURES)
def test_shapes_for_any_number_of_classes(arch):
    x = windows(arch, 2)
    net = make(arch, 4)
    with torch.no_grad():
        embedding = net.embed(x)
        assert embedding.shape == (2, EMBEDDING[arch])
        assert net(x).shape == (2, 4)
        assert torch.allclose(net.head(embedding), net(x), atol=1e-6)  # evaluation relies on it
        assert make(arch, 2).head(embedding).shape == (2, 2)


def test_the_gtzan_systems_use_their_papers_front_end():
    for arch in RELATED_ARCHITECTURES:
        f = frontend_for(arch)
        assert (f.n_fft, f.hop_length, f.n_mels) == (2048, 512, 128)
        assert f.n_frames == 259  # 3 s at 44.1 kHz, hop 512
    assert frontend_for("cnn-bigru") == FrontEndConfig()


def test_resnet18_is_resnet18():
    # torchvision's resnet18 has 11,689,512 parameters, 513,000 of them in its 1000-class fc.
    assert params(ResNet18Features(in_channels=3)) == 11_689_512 - 513_000


def test_parameter_counts_follow_the_papers():
    conv = lambda a, b, k=3: a * b * k * k + b + 2 * b  # noqa: E731  conv + BatchNorm
    chen_cnn = make("chen-cnn", 2)
    convs = conv(2, 32) + conv(32, 64) + conv(64, 128) + conv(128, 256) + conv(256, 512)
    assert params(chen_cnn) == convs + (512 * 4 * 8 * 128 + 128) + (128 * 2 + 2)
    gru = lambda d, h: 3 * (d * h + h * h + 2 * h)  # noqa: E731
    crnn = make("chen-cnn-bigru", 2)
    convs = conv(2, 32) + conv(32, 64) + conv(64, 128)
    assert params(crnn) == convs + 2 * gru(2048, 128) + 2 * gru(256, 128) + 256 * 2 + 2


def test_chen_bigru_steps_over_time():
    net = make("chen-cnn-bigru")
    x = windows("chen-cnn-bigru", 1)
    y = x.clone()
    y[..., 240:] += 5.0  # only the last frames change
    with torch.no_grad():
        seq = lambda t: net.cnn(net.front(t)).permute(0, 3, 1, 2)  # noqa: E731  (B, T, C, F)
        diff = (seq(x) - seq(y)).abs().flatten(2).sum(2)[0]
    assert diff[:28].max() == 0 and diff[-2:].min() > 0


def test_mfcc_is_the_orthonormal_dct_of_the_log_mel():
    x = windows("mfcc-crnn", 2).double()
    ours = MfccDct(128, 20).double()(x)
    reference = scipy.fft.dct(x.numpy(), type=2, norm="ortho", axis=2)[:, :, :20]
    np.testing.assert_allclose(ours.numpy(), reference, rtol=1e-5, atol=1e-4)


def test_band_standardization_is_fitted_on_what_the_layer_sees():
    net = make("mfcc-crnn")
    batches = [
        windows("mfcc-crnn", 4, seed=s) + torch.linspace(-20, 20, 128)[:, None] for s in (1, 2)
    ]
    assert fit_input_statistics(net, batches)
    standardized = torch.cat([net.front(x) for x in batches])  # DCT, then standardization
    per_band = standardized.transpose(0, 2).reshape(20, -1)
    assert per_band.mean(1).abs().max() < 1e-4 and (per_band.std(1) - 1).abs().max() < 1e-3
    assert not fit_input_statistics(make("cnn-bigru"), batches)  # nothing to fit: no-op


def test_band_standardization_refuses_no_data():
    with pytest.raises(ValueError, match="no training windows"):
        BandStandardize(4).fit([])


def test_spectrogram_image_is_224_square_in_unit_range():
    image = SpectrogramImage(224)(windows("resnet18-bigru", 2))
    assert image.shape == (2, 2, 224, 224)
    assert image.min() >= 0 and image.max() <= 1  # resizing may smooth the extremes a little
    assert image.amax(dim=(1, 2, 3)).min() > 0.8 and image.amin(dim=(1, 2, 3)).max() < 0.2


@pytest.mark.parametrize("arch", RELATED_ARCHITECTURES)
def test_save_load_round_trip(tmp_path, arch):
    net = make(arch, 3, seed=1)
    fit_input_statistics(net, [windows(arch, 4, seed=5) * 1.5])  # non-trivial buffers
    path = save_model(tmp_path / "m.safetensors", net, ["a", "b", "c"], frontend_for(arch))
    loaded = load_model(path)
    x = windows(arch, 2, seed=7)
    with torch.no_grad():
        assert torch.allclose(net(x), loaded.network(x), atol=1e-6)
    assert loaded.frontend == frontend_for(arch) and loaded.classes == ("a", "b", "c")
    assert type(loaded.network) is type(net)


def test_a_front_end_that_does_not_fit_the_network_is_refused(tmp_path):
    """checkpoint.validate_metadata_values owns the check; a related system's file meets it."""
    path = save_model(
        tmp_path / "m.safetensors", make("chen-cnn"), ["a", "b", "c"], FrontEndConfig()
    )
    with pytest.raises(ModelFileError, match="n_mels differs"):
        load_model(path)


@pytest.mark.parametrize("arch", RELATED_ARCHITECTURES)
def test_exports_to_onnx_with_the_same_probabilities(tmp_path, arch):
    ort = pytest.importorskip("onnxruntime")
    net = make(arch, 3, seed=2)
    fit_input_statistics(net, [windows(arch, 4, seed=3)])
    x = windows(arch, 2, seed=4)
    path = tmp_path / f"{arch}.onnx"
    torch.onnx.export(
        net,
        (x,),
        str(path),
        dynamo=False,
        input_names=["mel"],
        output_names=["logits"],
        dynamic_axes={"mel": {0: "windows"}, "logits": {0: "windows"}},
    )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for n in (1, 2):
        batch = windows(arch, n, seed=10 + n)
        (got,) = session.run(None, {"mel": batch.numpy()})
        with torch.no_grad():
            want = torch.softmax(net(batch), 1).numpy()
        np.testing.assert_allclose(torch.softmax(torch.from_numpy(got), 1).numpy(), want, atol=1e-4)
