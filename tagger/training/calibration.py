"""Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks").

A model fine-tuned from the bundled one (a tenth of the learning rate, dropout, augmentation)
came out right on 95 % of a library's untagged tracks but with most confidences between 60 and
80 %, so half the library went to the review queue (BENCHMARKS.md, issue 11). After training,
one temperature T is fitted on the validation split: the network divides its logits by T
before the softmax (network.attach_temperature), so T < 1 sharpens and T > 1 softens.

T is fitted to what users see, the *track verdict*: the mean of the probabilities of all of a
track's windows (model/predictor.py), by minimising its negative log-likelihood over the
validation tracks with a bounded 1-D search. No window's top class changes with T; a track's
verdict can, in principle, when a few confident windows outvote many unsure ones, so the fit
reports how many validation verdicts changed class.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from torch import nn

from tagger.audio.mel import FrontEndConfig
from tagger.model.checkpoint import ARCHITECTURE_RANGES
from tagger.model.network import set_temperature
from tagger.model.precision import autocast
from tagger.training.epoch_sampling import items
from tagger.training.window_cache import CachedTrack, assemble_batch

BATCH = 128
ECE_BINS = 10  # equal-width confidence bins, Guo et al.'s choice


@dataclass(frozen=True)
class Calibration:
    """What the fit found, stored in the model's metrics under "calibration"."""

    temperature: float
    tracks: int
    nll_before: float
    nll_after: float
    ece_before: float
    ece_after: float
    verdicts_changed: int  # validation tracks whose verdict's class differs at T
    seconds: float  # the extra pass over every validation window, and the fit

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in asdict(self).items()}


def track_verdicts(logits: np.ndarray, track_of: np.ndarray, n_tracks: int, t: float) -> np.ndarray:
    """[windows, classes] logits at T = 1 → [tracks, classes]: the mean of each track's window
    probabilities at temperature `t`, as the predictor computes a verdict."""
    probs = np.exp(log_softmax(logits / t, axis=1))
    sums = np.zeros((n_tracks, logits.shape[1]))
    np.add.at(sums, track_of, probs)
    return sums / np.bincount(track_of, minlength=n_tracks)[:, None]


def verdict_nll(verdicts: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes (probabilities floored at 1e-12)."""
    return float(-np.log(np.maximum(verdicts[np.arange(len(labels)), labels], 1e-12)).mean())


def expected_calibration_error(
    probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins
    weighted by how many verdicts fall in each."""
    confidence, predicted = probs.max(1), probs.argmax(1)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for b in np.unique(which):
        inside = which == b
        gap += inside.sum() * abs(
            (predicted[inside] == labels[inside]).mean() - confidence[inside].mean()
        )
    return float(gap / len(labels))


def fit_temperature(logits: np.ndarray, track_of: np.ndarray, labels: np.ndarray) -> float:
    """The T in the allowed range minimising the verdicts' NLL (a bounded Brent search)."""
    _, low, high = ARCHITECTURE_RANGES["temperature"]
    n = len(labels)

    def nll(t: float) -> float:
        return verdict_nll(track_verdicts(logits, track_of, n, t), labels)

    # Searched over log T: the NLL is far better conditioned there, and the bounds are a ratio.
    found = minimize_scalar(
        lambda s: nll(float(np.exp(s))), bounds=(np.log(low), np.log(high)), method="bounded"
    )
    return float(np.clip(np.exp(found.x), low, high))


@torch.inference_mode()
def window_logits(
    network: nn.Module, tracks: list[CachedTrack], frontend: FrontEndConfig, bf16: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every window of every track, centred as at inference: ([windows, classes] logits at the
    network's current temperature, [windows] track index)."""
    network.eval()
    rows = items(tracks)
    out = np.zeros((len(rows), network.config.n_classes), dtype=np.float64)
    for i in range(0, len(rows), BATCH):
        x = torch.from_numpy(assemble_batch(tracks, rows[i : i + BATCH], frontend, None))
        with autocast(bf16):
            out[i : i + BATCH] = network(x.contiguous(memory_format=torch.channels_last)).float()
    return out, rows[:, 0]


def calibrate(
    network: nn.Module,
    tracks: list[CachedTrack],
    labels: np.ndarray,
    frontend: FrontEndConfig,
    bf16: bool,
    log: Callable[[str], None] = print,
) -> Calibration:
    """Fit T on these (validation) tracks and set it in `network`; what it changed, logged."""
    started = time.monotonic()
    set_temperature(network, 1.0)
    logits, track_of = window_logits(network, tracks, frontend, bf16)
    t = fit_temperature(logits, track_of, labels)
    before = track_verdicts(logits, track_of, len(labels), 1.0)
    after = track_verdicts(logits, track_of, len(labels), t)
    set_temperature(network, t)
    result = Calibration(
        temperature=t,
        tracks=len(labels),
        nll_before=verdict_nll(before, labels),
        nll_after=verdict_nll(after, labels),
        ece_before=expected_calibration_error(before, labels),
        ece_after=expected_calibration_error(after, labels),
        verdicts_changed=int((before.argmax(1) != after.argmax(1)).sum()),
        seconds=time.monotonic() - started,
    )
    log(
        f"calibration on {result.tracks} validation tracks: temperature {t:.3f}; verdict NLL "
        f"{result.nll_before:.4f} → {result.nll_after:.4f}, ECE {result.ece_before:.3f} → "
        f"{result.ece_after:.3f} ({result.seconds:.0f} s)"
        + (f"; {result.verdicts_changed} verdicts changed class" if result.verdicts_changed else "")
    )
    return result
