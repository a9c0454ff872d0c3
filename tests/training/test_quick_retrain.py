"""What a quick retrain takes from the model it repeats, and when it refuses (quick_plan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagger.training.dataset import LabeledTrack
from tagger.training.labeled_set import LabeledSet
from tagger.training.quick_plan import QuickRetrainError, quick_plan


def labels(classes=("hardcore", "metal"), origin="the library") -> LabeledSet:
    tracks = [
        LabeledTrack(Path(f"/m/{c}{i}.flac"), c, None, None) for c in classes for i in range(3)
    ]
    return LabeledSet(list(classes), tracks, origin, {})


def metadata(**training) -> dict:
    return {
        "classes": ["hardcore", "metal"],
        "training": {
            "origin": "the library",
            "labels": {"hardcore": {"tag": 60}, "metal": {"decision": 3, "tag": 70}},
            "config": {"epochs": 25, "seed": 4, "bf16": True, "lr": 3e-4, "gone_option": 1},
            "learning_rate": 3e-4,
            "refit": {"tracks": 133, "epochs": 8, "seconds": 317.0},
            **training,
        },
        "metrics": {
            "validation": {"track_accuracy": 0.9},
            "calibration": {"temperature": 0.46},
            "test": {"track_level": {"accuracy": 0.81}},
            "labels": {"ignored": 1},
        },
    }


def test_the_plan_repeats_the_refit_and_carries_the_measured_figures() -> None:
    plan = quick_plan(metadata(), "mine", labels(), workers=1)
    assert (plan.model, plan.epochs, plan.lr, plan.temperature) == ("mine", 8, 3e-4, 0.46)
    assert plan.labels == 133
    assert plan.config.seed == 4 and plan.config.workers == 1
    assert set(plan.metrics) == {"validation", "calibration", "test"}


@pytest.mark.parametrize(
    ("data", "training", "why"),
    [
        (labels(origin="/some/folder"), {}, "was not trained on /some/folder"),
        (labels(("hardcore", "metal", "other")), {}, "the labels now make the classes"),
        (labels(), {"refit": None}, "has no refit to repeat"),
    ],
)
def test_the_plan_refuses_what_cannot_be_repeated(data, training, why) -> None:
    with pytest.raises(QuickRetrainError, match=why):
        quick_plan(metadata(**training), "mine", data)
