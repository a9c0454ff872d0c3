"""Validation of a network on the validation split: loss, clip accuracy and track accuracy.

A track's verdict is the mean of its windows' probabilities, as the predictor forms it
(model/predictor.py), so the track accuracy here is the one users see.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tagger.audio.mel import FrontEndConfig
from tagger.model.precision import autocast
from tagger.training.window_cache import CachedTrack, assemble_batch


@torch.inference_mode()
def validate(
    network: nn.Module,
    tracks: list[CachedTrack],
    items: np.ndarray,
    labels: np.ndarray,
    frontend: FrontEndConfig,
    loss_fn: nn.Module,
    n_classes: int,
    bf16: bool,
) -> tuple[float, float, float]:
    """(mean loss, clip accuracy, track accuracy) over `items` (track index, window index)."""
    network.eval()
    probs = np.zeros((len(items), n_classes), dtype=np.float64)
    total_loss = 0.0
    for i in range(0, len(items), 128):
        batch = items[i : i + 128]
        x = torch.from_numpy(assemble_batch(tracks, batch, frontend, None))
        with autocast(bf16):
            logits = network(x.contiguous(memory_format=torch.channels_last)).float()
        y = torch.from_numpy(labels[batch[:, 0]])
        total_loss += float(loss_fn(logits, y)) * len(batch)
        probs[i : i + len(batch)] = torch.softmax(logits, 1).numpy()
    clip_labels = labels[items[:, 0]]
    clip_acc = float((probs.argmax(1) == clip_labels).mean())
    track_correct = [
        probs[items[:, 0] == t].mean(0).argmax() == labels[t] for t in range(len(tracks))
    ]
    return total_loss / len(items), clip_acc, float(np.mean(track_correct))
