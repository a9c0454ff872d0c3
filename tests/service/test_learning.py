"""service/learning.py: the time estimate and the retrain suggestion's count."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tagger.library.model_registry import register_model_file
from tagger.library.review import record_decision
from tagger.library.schema import Track
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.errors import ServiceError
from tagger.service.learning import (
    IDLE_SPEED,
    decisions_since_active_model,
    default_config,
    describe_labels,
    estimate_seconds,
    models,
    remove_model,
    retrain_hint_due,
    training_speed,
)
from tagger.training.dataset import LabeledTrack
from tagger.training.labeled_set import labeled_set


def _set(n: int):
    tracks = [
        LabeledTrack(Path(f"/m/{i}.mp3"), ("metal", "hardcore")[i % 2], f"a{i}", None)
        for i in range(n)
    ]
    return labeled_set(tracks, "test")


def test_estimate_grows_with_tracks_and_shrinks_with_the_cache() -> None:
    library_recipe = default_config("library")
    small, big = _set(200), _set(1000)
    assert estimate_seconds(big, library_recipe) > estimate_seconds(small, library_recipe)
    assert estimate_seconds(big, library_recipe, cached=1000) < estimate_seconds(
        big, library_recipe
    )
    assert estimate_seconds(small, default_config("paper")) > estimate_seconds(
        small, library_recipe
    )
    assert default_config("library", epochs=3).epochs == 3
    assert describe_labels(small.counts) == "hardcore 100 (100 folder); metal 100 (100 folder)"


def test_the_library_estimate_follows_the_epoch_budget_and_the_cap() -> None:
    library_recipe = default_config("library")
    small, big = _set(200), _set(1000)
    # A sampled epoch costs the same whatever the library's size: with every window cached,
    # 1,000 tracks take little longer than 200 (validation grows), not five times as long.
    warm_small = estimate_seconds(small, library_recipe, cached=200)
    assert estimate_seconds(big, library_recipe, cached=1000) < 1.3 * warm_small
    # Every epoch of the cap (25, the refit's included) against early stopping: longer, and
    # near the sum measured for 1,000 tracks on 2 cores (BENCHMARKS.md: about 28 min).
    longest = estimate_seconds(big, library_recipe, at_most=True)
    assert estimate_seconds(big, library_recipe) < longest
    assert 20 * 60 < longest < 35 * 60
    # One epoch more in the cap is one more split-run epoch when validation keeps improving.
    more = estimate_seconds(big, default_config("library", epochs=26), at_most=True)
    assert 30 < more - longest < 120


def test_decisions_are_counted_from_when_the_active_model_was_registered(
    tmp_path: Path, random_model: Path
) -> None:
    library = Library.open(tmp_path / "lib.db")
    settings = Settings(model_path=str(random_model))
    try:
        with library.session() as s, s.begin():
            for i in range(3):
                s.add(Track(path=f"/m/{i}.mp3", size=1, mtime_ns=1, genres=[]))
        with library.session() as s, s.begin():
            record_decision(s, [1], "metal")
        assert decisions_since_active_model(library, settings) == 1  # never registered: all
        with library.session() as s, s.begin():
            register_model_file(s, random_model)
        assert decisions_since_active_model(library, settings) == 0
        with library.session() as s, s.begin():
            record_decision(s, [2, 3], "hardcore")
        assert decisions_since_active_model(library, settings) == 2
        with library.session() as s, s.begin():
            record_decision(s, [2], "metal")  # a change of mind: still two tracks decided
        assert decisions_since_active_model(library, settings) == 2
        other = dataclasses.replace(settings, model_path=str(tmp_path / "gone.safetensors"))
        assert decisions_since_active_model(library, other) == 3
    finally:
        library.close()


def _trained_model(path: Path, refit: dict | None) -> Path:
    """A model file whose metadata records a refit as a library run does."""
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    torch.manual_seed(0)
    training = {"config": {"windows_per_epoch": 4096, "epochs": 25}, "refit": refit}
    return save_model(
        path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig(), training
    )


def test_the_estimate_runs_at_the_speed_of_this_computers_last_training(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "lib.db")
    try:
        assert training_speed(library) == IDLE_SPEED and not IDLE_SPEED.measured
        # No refit recorded (a folder run of the paper's recipe): still the idle figure.
        with library.session() as s, s.begin():
            register_model_file(s, _trained_model(tmp_path / "paper.safetensors", None))
        assert training_speed(library) == IDLE_SPEED
        # 8 epochs of 41 windows for each of 100 tracks (4,096 shared out) in 640 s.
        with library.session() as s, s.begin():
            register_model_file(
                s,
                _trained_model(
                    tmp_path / "mine.safetensors", {"tracks": 100, "epochs": 8, "seconds": 640.0}
                ),
            )
        speed = training_speed(library)
        assert speed.measured and speed.windows_per_second == 8 * 100 * 41 / 640
        # Slower than the idle figure: every epoch is, by the same ratio; decoding is not.
        data = _set(200)
        config = default_config("library")
        idle = estimate_seconds(data, config, cached=200)
        here = estimate_seconds(data, config, cached=200, speed=speed)
        assert here == pytest.approx(idle * IDLE_SPEED.windows_per_second / 51.25)
        # The newest model's file gone: the speed of the one before, else the idle figure.
        (tmp_path / "mine.safetensors").unlink()
        assert training_speed(library) == IDLE_SPEED
    finally:
        library.close()


def test_one_estimate_gives_the_dialog_its_times_and_the_quick_retrain_when_there_is_one(
    tmp_path: Path,
) -> None:
    """`estimate`: the full run's usual and longest time and the quick retrain's, at this
    computer's speed unless told another; no quick retrain unless the active model is a refitted
    run of this library, and then it is the refit's epochs again on the labels."""
    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig
    from tagger.service.learning import estimate

    library = Library.open(tmp_path / "lib.db")
    data, config = _set(200), default_config("library")
    mine = tmp_path / "mine.safetensors"
    training = {
        "origin": "test",  # the labeled set's (`_set`)
        "labels": {"hardcore": {"tag": 50}, "metal": {"tag": 50}},
        "config": {"windows_per_epoch": 4096, "epochs": 25},
        "learning_rate": 3e-4,
        "refit": {"tracks": 100, "epochs": 8, "seconds": 640.0},  # 51.25 windows/s
    }
    save_model(mine, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig(), training)
    try:
        with library.session() as s, s.begin():
            register_model_file(s, mine)
        elsewhere = Settings(model_path=str(tmp_path / "not-this-librarys.safetensors"))
        figures = estimate(library, elsewhere, data, config)
        assert figures.speed.measured and figures.cached == 0  # the files do not exist
        assert figures.usual_seconds == estimate_seconds(data, config, speed=figures.speed)
        assert figures.at_most_seconds > figures.usual_seconds
        assert figures.quick is None and figures.quick_seconds is None
        assert figures.quick_unavailable.startswith("no active model to retrain quickly")
        idle = estimate(library, elsewhere, data, config, IDLE_SPEED)
        assert idle.speed == IDLE_SPEED and idle.usual_seconds < figures.usual_seconds

        ours = estimate(library, Settings(model_path=str(mine)), data, config)
        assert ours.quick is not None and ours.quick.epochs == 8 and not ours.quick_unavailable
        # 200 tracks decoded (0.52 s each), then 8 epochs of ~4,096 windows at 51.25 a second.
        assert ours.quick_seconds == pytest.approx(200 * 0.52 + 640, rel=0.03)
        assert ours.quick_seconds < ours.usual_seconds
    finally:
        library.close()


def test_the_retrain_hint_is_due_when_the_count_passes_a_mark_even_by_a_jump() -> None:
    assert not retrain_hint_due(0, 49)
    assert retrain_hint_due(49, 50)
    assert retrain_hint_due(45, 55)  # an album decided at once jumps over 50
    assert not retrain_hint_due(50, 51) and not retrain_hint_due(55, 74)
    assert retrain_hint_due(74, 75) and retrain_hint_due(60, 110)
    assert not retrain_hint_due(80, 80)


def _classified_by(library: Library, tracks: dict[str, list[Path]]) -> dict[str, int]:
    """Tracks named by `tracks`' keys, each predicted by the models of its list in turn (the
    last one's prediction current, the others history). Returns track ids by name."""
    from tagger.library.records import record_prediction
    from tagger.model.predictor import TrackPrediction

    made = TrackPrediction("x", "m", ("hardcore", "metal"), "metal", 0.9, {}, (), 60.0)
    ids = {}
    with library.session() as s, s.begin():
        rows = {p: register_model_file(s, p) for paths in tracks.values() for p in paths}
        for name, paths in tracks.items():
            track = Track(path=f"/m/{name}.mp3", size=1, mtime_ns=1, genres=[])
            s.add(track)
            s.flush()
            for p in paths:
                record_prediction(s, track.id, rows[p].id, made)
            ids[name] = track.id
    return ids


@pytest.mark.both_backends
def test_a_removed_model_takes_its_predictions_and_its_tracks_are_classified_anew(
    tmp_path: Path, library_db: str
) -> None:
    from tagger.library.queries import track_detail
    from tagger.model.checkpoint import default_model_path
    from tagger.model.onnx_form import beside

    mine = _trained_model(tmp_path / "mine.safetensors", None)
    beside(mine).write_bytes(b"its ONNX form")
    active = _trained_model(tmp_path / "active.safetensors", {"epochs": 1})
    settings = Settings(model_path=str(active))
    library = Library.open(library_db)
    try:
        ids = _classified_by(
            library,
            {
                "by-mine": [active, mine],
                "mine-before": [mine, active],
                "bundled": [default_model_path()],
            },
        )
        removed = remove_model(library, settings, "mine", delete_file=True)
        assert (removed.name, removed.predictions, removed.unclassified) == ("mine", 2, 1)
        assert removed.file_deleted and not mine.exists() and not beside(mine).exists()
        assert {m.name for m in models(library, settings)} == {"active", "cnn-bigru-demo"}
        with library.session() as s:
            unclassified = track_detail(s, ids["by-mine"]).row
            kept = track_detail(s, ids["mine-before"]).row
        assert unclassified.status == "new" and unclassified.label is None
        assert kept.status == "ok" and kept.model == "active"

        for ref, why in [
            ("active", "is the active model: make another one active first"),
            (str(default_model_path()), "the bundled model ships with the tagger"),
            ("mine", "no model 'mine' in this library"),
        ]:
            with pytest.raises(ServiceError, match=why):
                remove_model(library, settings, ref)
    finally:
        library.close()


def test_a_file_saved_since_under_the_models_name_is_not_deleted(tmp_path: Path) -> None:
    old = _trained_model(tmp_path / "mine.safetensors", None)
    library = Library.open(tmp_path / "lib.db")
    try:
        _classified_by(library, {"t": [old]})
        old.write_bytes(b"the user's own file, saved here since")
        removed = remove_model(library, Settings(), "mine", delete_file=True)
        assert not removed.file_deleted and old.read_bytes().startswith(b"the user's")
    finally:
        library.close()
