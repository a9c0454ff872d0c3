"""A real training run on a tiny generated corpus: it learns, splits by artist, resumes."""

from pathlib import Path

import pytest

import tagger.training.train as train_module
from tagger.model.checkpoint import load_model, read_model_info, save_model
from tagger.model.onnx_form import beside, find_onnx_form
from tagger.training.feature_cache import FeatureCache
from tagger.training.train import TrainConfig, TrainingError, train


def test_training_learns(trained):
    result, out, _ = trained
    losses = [r.train_loss for r in result.history]
    assert min(losses[-3:]) < 0.6 * losses[0]
    best = next(r for r in result.history if r.epoch == result.best_epoch)
    assert best.val_track_accuracy >= 0.75


def test_training_writes_the_onnx_form_beside_the_model(trained):
    _, out, _ = trained
    assert find_onnx_form(read_model_info(out)) == beside(out)


def test_no_track_in_two_splits(trained, tiny_corpus):
    result, out, _ = trained
    split = load_model(out).training["split"]
    sets = [set(split[k]) for k in ("train", "val", "test")]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert sum(map(len, sets)) == len(list(tiny_corpus.rglob("*.flac")))
    assert result.split.test and not {t.path for t in result.split.test} & {
        t.path for t in result.split.train + result.split.val
    }


def test_interrupted_training_resumes(tiny_corpus, tmp_path, monkeypatch):
    out = tmp_path / "m.safetensors"
    real_validate = train_module.validate
    calls = {"n": 0}

    def interrupt_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_validate(*args, **kwargs)

    config = TrainConfig(epochs=4, patience=10, seed=1, workers=1, batch_size=8)
    monkeypatch.setattr(train_module, "validate", interrupt_on_third)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_corpus, out, config, show_progress=False, log=lambda s: None)
    assert not out.exists() and out.with_name(out.name + ".resume").exists()
    monkeypatch.setattr(train_module, "validate", real_validate)
    logs: list[str] = []
    result = train(tiny_corpus, out, config, show_progress=False, log=logs.append)
    assert any("resuming after epoch 2" in line for line in logs)
    assert [r.epoch for r in result.history] == [1, 2, 3, 4]
    assert out.exists() and not out.with_name(out.name + ".resume").exists()


def test_a_spent_wall_budget_cuts_the_epoch_and_ends_training(tiny_corpus, tmp_path):
    # A budget of 1 ns is spent after the first batch, whatever the machine's speed.
    config = TrainConfig(epochs=20, batch_size=8, seed=0, workers=1, max_seconds=1e-9)
    logs: list[str] = []
    result = train(tiny_corpus, tmp_path / "b.safetensors", config, log=logs.append)
    assert [r.epoch for r in result.history] == [1] and result.history[0].windows == 8
    assert any("budget of 1e-09 s is spent" in line for line in logs)
    assert load_model(tmp_path / "b.safetensors").training["history"][0]["windows"] == 8


def _warm_run(tiny_corpus, tmp_path, source, name):
    config = TrainConfig(epochs=2, patience=5, seed=3, workers=1, batch_size=8, warm_start=source)
    logs: list[str] = []
    result = train(tiny_corpus, tmp_path / name, config, show_progress=False, log=logs.append)
    return result, load_model(tmp_path / name).training, logs


def test_a_start_model_that_gets_the_library_wrong_trains_at_the_full_rate(
    trained, tiny_corpus, tmp_path
):
    """The tiny model with its class names swapped labels (nearly) every validation track
    wrong: training measures that as epoch 0 and does not merely fine-tune it."""
    _, out, _ = trained
    model = load_model(out)
    swapped = save_model(
        tmp_path / "swapped.safetensors", model.network, model.classes[::-1], model.frontend
    )
    result, training, logs = _warm_run(tiny_corpus, tmp_path, str(swapped), "from-wrong.st")
    start = result.history[0]
    assert (start.epoch, start.windows) == (0, 0) and start.val_track_accuracy <= 0.25
    assert training["learning_rate"] == TrainConfig().lr
    assert any("training at the full learning rate" in line for line in logs)
    # Epoch 0 is the baseline early stopping has to beat: the kept epoch has the least loss.
    best = next(r for r in result.history if r.epoch == result.best_epoch)
    assert best.val_loss == min(r.val_loss for r in result.history)


def test_a_start_model_that_knows_the_library_is_fine_tuned_gently(
    trained, tiny_corpus, tmp_path, monkeypatch
):
    _, out, _ = trained
    monkeypatch.setattr(train_module, "START_KNOWS_ABOVE", 0.5)  # the tiny model gets ≥ 0.75
    result, training, logs = _warm_run(tiny_corpus, tmp_path, str(out), "from-right.st")
    assert result.history[0].val_track_accuracy >= 0.5
    assert training["learning_rate"] == TrainConfig().lr / 10
    assert any("fine-tuning at a tenth of the learning rate" in line for line in logs)
    best = next(r for r in result.history if r.epoch == result.best_epoch)
    assert best.val_loss == min(r.val_loss for r in result.history)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("library.db", "exists and is not a model file; it is left as it is"),
        ("song.safetensors", "exists and is not a model file; it is left as it is"),
        ("folder.safetensors", "is a folder"),
        ("library.db/mine.safetensors", "cannot be written there"),  # under a file
    ],
)
def test_a_bad_destination_is_refused_before_any_work(
    tiny_corpus: Path, tmp_path: Path, name: str, why: str
) -> None:
    """`--out library.db` replaced the user's library with a model, after the whole run."""
    (tmp_path / "library.db").write_bytes(b"SQLite format 3\x00 the user's library")
    (tmp_path / "song.safetensors").write_bytes(b"not a model at all")
    (tmp_path / "folder.safetensors").mkdir()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    config = TrainConfig(epochs=1, workers=1)
    with pytest.raises(TrainingError, match=why):
        train(tiny_corpus, tmp_path / name, config, cache=FeatureCache(tmp_path / "cache"))
    assert not (tmp_path / "cache").exists()  # nothing was decoded
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
