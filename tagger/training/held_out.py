"""Held-out metrics at the end of a training run, for label sets that have no folder to evaluate.

A model trained on a folder is measured later by `tagger evaluate DATA_DIR`, which finds the
test split again by its relative paths. A model trained on the library's labels has no such
folder, so `train(..., held_out=True)` measures its test split right away and stores the numbers
in the model: clip and track level, the same metrics and confusion matrix as `tagger evaluate`.
Windows are centred to the hop, the same placement validation uses during training.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.model.network import Network
from tagger.model.precision import autocast
from tagger.training.calibration import expected_calibration_error
from tagger.training.evaluate import metrics
from tagger.training.window_cache import TrackSet, assemble_batch

BATCH = 128


@torch.inference_mode()
def held_out_metrics(
    network: Network,
    test_set: TrackSet,
    skipped: int,
    classes: Sequence[str],
    frontend: FrontEndConfig,
    bf16: bool,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Metrics of `network` on the decoded test tracks; `skipped`: test tracks not readable."""
    cached, usable = test_set
    if not usable:
        return {"tracks": 0, "skipped": skipped}
    index = {c: i for i, c in enumerate(classes)}
    items = np.array([(t, w) for t, track in enumerate(cached) for w in range(len(track.mel))])
    network.eval()
    clip_probs = np.zeros((len(items), len(classes)), dtype=np.float64)
    for i in range(0, len(items), BATCH):
        batch = items[i : i + BATCH]
        x = torch.from_numpy(assemble_batch(cached, batch, frontend, None))  # type: ignore[arg-type]
        with autocast(bf16):
            logits = network(x.contiguous(memory_format=torch.channels_last)).float()
        clip_probs[i : i + len(batch)] = torch.softmax(logits, 1).numpy()
    track_true = np.array([index[t.label] for t in usable])
    track_probs = np.stack([clip_probs[items[:, 0] == t].mean(0) for t in range(len(usable))])
    report = {
        "tracks": len(usable),
        "skipped": skipped,
        "clip_level": metrics(track_true[items[:, 0]], clip_probs, tuple(classes)),
        "track_level": metrics(track_true, track_probs, tuple(classes)),
        "track_ece": expected_calibration_error(track_probs, track_true),
    }
    log(
        f"held-out test split: {len(usable)} tracks, track accuracy "
        f"{report['track_level']['accuracy']:.3f}, clip accuracy "
        f"{report['clip_level']['accuracy']:.3f}, track ECE {report['track_ece']:.3f}"
    )
    return report
