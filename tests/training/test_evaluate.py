"""`tagger evaluate` on a model trained on the tiny corpus: only the held-out split, a full
report, and the numbers are the predictor's, window by window."""

import json

import numpy as np

from tagger.model.checkpoint import load_model
from tagger.model.predictor import Predictor
from tagger.training.dataset import discover
from tagger.training.evaluate import collect, evaluate


def test_held_out_test_split_is_clearly_above_chance(trained, tiny_corpus, tmp_path):
    _, out, _ = trained
    report = evaluate(out, tiny_corpus, tmp_path / "report", show_progress=False, log=print)
    model = load_model(out)
    assert report["tracks"] == len(model.training["split"]["test"])  # only the held-out split
    assert report["track_level"]["accuracy"] >= 0.75
    for name in ("report.json", "report.md", "roc.png", "confusion.png"):
        assert (tmp_path / "report" / name).stat().st_size > 0
    doc = json.loads((tmp_path / "report" / "report.json").read_text())
    assert {"accuracy", "per_class", "macro", "roc_auc", "confusion_matrix"} <= set(
        doc["clip_level"]
    )
    if report["tracks"] < 5:  # one 1.5 s window per track: too few points for a t-SNE map
        assert report["tsne"] == {"skipped": "too few clips"}
        assert not (tmp_path / "report" / "tsne_class.png").exists()


def test_a_report_over_every_track_draws_the_t_sne_maps(trained, tiny_corpus, tmp_path):
    _, out, _ = trained
    report = evaluate(
        out, tiny_corpus, tmp_path / "report", split="all", show_progress=False, log=print
    )
    assert report["tracks"] == 28
    assert report["tsne"]["clips"] == 28
    for name in ("tsne_class.png", "tsne_decade.png"):
        assert (tmp_path / "report" / name).stat().st_size > 0
    assert "tsne_class.png" in (tmp_path / "report" / "report.md").read_text()


def test_evaluation_measures_what_the_predictor_says(trained, tiny_corpus):
    """One inference path: the clip and track probabilities evaluation scores are the ones
    `Predictor.classify` gives users for the same files."""
    _, out, _ = trained
    model = load_model(out)
    _, tracks = discover(tiny_corpus)
    got = collect(model, tracks[:3], workers=1, show_progress=False)
    predictor = Predictor(model)
    assert len(got.tracks) == 3 and not got.errors
    for track, clips, verdict, states in zip(
        got.tracks, got.clip_probs, got.track_probs, got.clip_embeddings, strict=True
    ):
        users = predictor.classify(track.path)
        assert np.allclose(clips, [w.probabilities for w in users.windows], atol=1e-6)
        assert np.allclose(verdict, [users.probabilities[c] for c in model.classes], atol=1e-6)
        assert states.shape == (len(users.windows), model.network.head.fc1.in_features)
