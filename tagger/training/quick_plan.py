"""What a quick retrain would repeat (`quick_retrain.py`): the plan read from the active model's
metadata, or why there is none.

Kept apart from the retrain itself, which needs torch: the train dialog asks for the plan when
it opens, and importing the training stack there froze the app for 4–6 s on the first opening
(torch, scikit-learn, SciPy, matplotlib; BENCHMARKS.md "Counting the labels on offer").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tagger.training.labeled_set import LabeledSet
from tagger.training.train_config import TrainConfig, recorded_config

CARRIED = ("validation", "calibration", "test")  # the figures a quick retrain does not measure


class QuickRetrainError(Exception):
    """The earlier model cannot be repeated (the message says why, and that a full run can)."""


@dataclass(frozen=True)
class QuickPlan:
    model: str  # the model whose refit is repeated (its name in the library)
    config: TrainConfig  # its recipe
    epochs: int  # its refit's epochs
    lr: float
    temperature: float | None  # its calibration's; None: it was not calibrated
    metrics: dict[str, Any]  # its measured figures, carried over
    labels: int  # how many labels it learnt from


def quick_plan(
    metadata: dict[str, Any], name: str, data: LabeledSet, workers: int | None = None
) -> QuickPlan:
    """How to repeat the model of `metadata` (a model file's) on `data`; QuickRetrainError when
    it was not a refitted run on the same kind of labels with the same classes."""
    training = metadata.get("training") or {}
    full_run = "a full run (without quick) measures and chooses anew"
    if training.get("origin") != data.origin:
        raise QuickRetrainError(f"model {name!r} was not trained on {data.origin}: {full_run}")
    if list(metadata.get("classes") or []) != list(data.classes):
        raise QuickRetrainError(
            f"the labels now make the classes {', '.join(data.classes)}, model {name!r} has "
            f"{', '.join(metadata.get('classes') or [])}: {full_run}"
        )
    epochs = (training.get("refit") or {}).get("epochs")
    if not epochs or "learning_rate" not in training:
        raise QuickRetrainError(f"model {name!r} has no refit to repeat: {full_run}")
    config = recorded_config(training)
    if workers is not None:
        config = dataclasses.replace(config, workers=workers)
    metrics = metadata.get("metrics") or {}
    temperature = (metrics.get("calibration") or {}).get("temperature")
    return QuickPlan(
        model=name,
        config=config,
        epochs=int(epochs),
        lr=float(training["learning_rate"]),
        temperature=float(temperature) if temperature else None,
        metrics={k: metrics[k] for k in CARRIED if k in metrics},
        labels=sum(sum(per.values()) for per in (training.get("labels") or {}).values()),
    )
