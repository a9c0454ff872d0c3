"""Each architecture trains, evaluates, classifies and survives a save/load, on three classes."""

import numpy as np
import pytest
from audio_factory import pulses, write_audio
from mutagen.flac import FLAC

from tagger.model.architectures import frontend_for
from tagger.model.checkpoint import load_model, save_model
from tagger.model.network import RELATED_ARCHITECTURES
from tagger.model.predictor import Predictor
from tagger.training.evaluate import evaluate
from tagger.training.train import TrainConfig, train

CLASSES = ("hardcore", "metal", "other")


def _noise_bursts(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """The third class: band-limited noise swells, unlike the other two classes' tones."""
    rate = 22_050
    t = np.arange(int(seconds * rate)) / rate
    noise = np.convolve(rng.standard_normal(len(t)), np.ones(8) / 8, mode="same")
    sig = noise * (0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(1, 2) * t)) * rng.uniform(0.3, 0.9)
    return np.stack([sig, sig]).astype(np.float32)


@pytest.fixture(scope="module")
def three_classes(tmp_path_factory):
    """metal: low pulses, hardcore: bright bursts (both tagged, two tracks per artist); other:
    noise swells, untagged (each track its own group in the split)."""
    root = tmp_path_factory.mktemp("three")
    rng = np.random.default_rng(3)
    for label in CLASSES:
        (root / label).mkdir()
        for i in range(10):
            if label == "other":
                write_audio(root / label / f"{label}_{i:02d}.wav", _noise_bursts(1.5, rng), 22_050)
                continue
            audio = pulses(label == "metal", 1.5, rng)
            path = write_audio(root / label / f"{label}_{i:02d}.flac", audio, 22_050)
            tags = FLAC(path)
            tags["artist"] = f"{label} band {i // 2}"
            tags.save()
    return root


@pytest.fixture(scope="module")
def learned(three_classes, tmp_path_factory):
    """The paper's network on three classes, trained long enough to learn them."""
    out = tmp_path_factory.mktemp("learned") / "three.safetensors"
    config = TrainConfig(epochs=15, patience=15, seed=0, workers=1, batch_size=4)
    train(three_classes, out, config, show_progress=False, log=lambda s: None)
    return out


def test_three_classes_are_learned_and_evaluated(learned, three_classes, tmp_path):
    model = load_model(learned)
    assert model.classes == CLASSES and model.network.config.n_classes == 3
    report = evaluate(learned, three_classes, tmp_path, show_progress=False, log=lambda s: None)
    track = report["track_level"]
    assert set(track["per_class"]) == set(CLASSES)
    assert np.array(track["confusion_matrix"]).shape == (3, 3)
    assert track["accuracy"] >= 0.6 and track["roc_auc"] is not None  # chance is 1/3
    assert (tmp_path / "roc.png").stat().st_size > 0


def test_predictor_gives_all_three_probabilities(learned, three_classes):
    predictor = Predictor.load(learned)
    result = predictor.classify(next((three_classes / "other").glob("*.wav")))
    assert result.classes == CLASSES and set(result.probabilities) == set(CLASSES)
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert result.label == max(result.probabilities, key=result.probabilities.get)
    assert all(len(w.probabilities) == 3 for w in result.windows)


@pytest.mark.parametrize("arch", RELATED_ARCHITECTURES)
def test_each_architecture_trains_evaluates_classifies_and_reloads(arch, three_classes, tmp_path):
    out = tmp_path / f"{arch}.safetensors"
    config = TrainConfig(arch=arch, epochs=1, patience=1, seed=0, workers=1, batch_size=8)
    result = train(three_classes, out, config, show_progress=False, log=lambda s: None)
    assert result.history and np.isfinite(result.history[0].train_loss)
    model = load_model(out)
    assert model.network.config.arch == arch and model.frontend == frontend_for(arch)
    front = getattr(model.network, "front", None)
    if front is not None and hasattr(front[-1], "std"):  # fitted from the training windows
        assert not np.allclose(front[-1].std.numpy(), 1.0)
    report = evaluate(out, three_classes, tmp_path / "r", show_progress=False, log=lambda s: None)
    assert report["tracks"] == len(model.training["split"]["test"])
    track = next((three_classes / "metal").glob("*.flac"))
    first = Predictor(model).classify(track)
    assert first.classes == CLASSES and len(first.windows) == 1  # a 1.5 s track: one window
    again = save_model(tmp_path / "again.safetensors", model.network, model.classes, model.frontend)
    # The round trip through the file, on the same runtime (torch vs ONNX: test_onnx_parity.py).
    second = Predictor(load_model(again)).classify(track)
    assert second.probabilities == pytest.approx(first.probabilities, abs=1e-5)
