"""Warm start: begin training from another model's weights instead of a random draw.

A library of a few dozen labeled tracks is too little to learn the CNN–BiGRU's filters from
scratch (BENCHMARKS.md, "Learning from the library"); starting from a trained model of the same
architecture and front end, and adjusting it to the library's labels, is the usual remedy
(fine-tuning). The output layer's rows are matched by class name, so a library that adds
`other`, or orders its classes differently, still starts from what the source knows; rows of
classes the source never had keep their random initialisation.

How hard to adjust depends on what the start model already knows of the library's music, which
training measures before its first step (epoch 0 on the validation split, train.py):
- at least START_KNOWS_ABOVE of the validation tracks right: fine-tune at a tenth of the
  learning rate. At the full rate the bundled model's features were undone within two epochs on
  a library it already labelled well (validation loss 0.53 → 0.90, BENCHMARKS.md).
- fewer: the source has not heard this kind of music (a real collection, or a corpus from
  another generator than the one it learnt from), so a tenth of the rate would mostly preserve
  what does not apply: train at the full rate, from its weights (its filters are still a better
  start than a random draw's).
Either way early stopping starts from epoch 0's validation loss, so the model that comes out is
never worse on the validation tracks than the start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import ModelFileError, load_model

START_KNOWS_ABOVE = 0.9  # share of validation tracks the start labels right to fine-tune gently


def warm_start(
    network: nn.Module,
    classes: list[str],
    frontend: FrontEndConfig,
    source: str | Path,
    log: Callable[[str], None],
) -> bool:
    """Copy `source`'s weights into `network` where they fit; False (and why, in the log) if
    the source cannot serve: unreadable, another architecture or another front end."""
    try:
        model = load_model(source)
    except ModelFileError as exc:
        log(f"training from scratch: {exc}")
        return False
    # The loaded network's config, not the file's dict: older files leave defaults out. The
    # source's calibrated temperature is its own: the new network is calibrated after training.
    own = ("n_classes", "temperature")
    ours = {k: v for k, v in network.config.to_dict().items() if k not in own}
    theirs = {k: v for k, v in model.network.config.to_dict().items() if k not in own}
    # The segment plan for short tracks is not part of the network's input format: a start
    # trained on padded windows serves a run on overlapping ones.
    plan_free = dataclasses.replace(
        frontend, overlap_short_tracks=model.frontend.overlap_short_tracks
    )
    if ours != theirs or model.frontend != plan_free:
        log(f"training from scratch: {model.path.name} has another architecture or front end")
        return False

    output = _output_layer_prefix(network)
    source_state = model.network.state_dict()
    state = network.state_dict()
    with torch.no_grad():
        for key, value in state.items():
            if key.startswith(output):
                rows = {c: i for i, c in enumerate(model.classes)}
                for i, cls in enumerate(classes):
                    if cls in rows:
                        value[i] = source_state[key][rows[cls]]
            elif key in source_state and source_state[key].shape == value.shape:
                value.copy_(source_state[key])
    known = ", ".join(c for c in classes if c in model.classes) or "none"
    log(f"starting from {model.path.name}'s weights (classes it knows: {known})")
    return True


def _output_layer_prefix(network: nn.Module) -> str:
    """State-dict prefix of the network's last Linear layer: its rows are the classes."""
    names = [name for name, m in network.named_modules() if isinstance(m, nn.Linear)]
    return f"{names[-1]}."
