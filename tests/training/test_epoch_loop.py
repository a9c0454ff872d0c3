"""The epoch loop's per-track margins (TrackMargins)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tagger.training.epoch_loop import TrackMargins


def test_a_tracks_margin_is_its_labels_logit_less_the_largest_other_averaged():
    margins = TrackMargins(3)
    logits = torch.tensor([[2.0, 0.0, 1.0], [0.0, 1.0, 3.0], [1.0, 0.0, 0.0]])
    margins.add(np.array([0, 0, 1]), logits, torch.tensor([0, 1, 2]))
    margins.add(np.array([1]), torch.tensor([[0.0, 2.5, 0.5]]), torch.tensor([1]))
    means = margins.means()
    # track 0: (2 - 1) and (1 - 3); track 1: (0 - 1) and (2.5 - 0.5); track 2: no window
    assert means[:2] == pytest.approx([-0.5, 0.5])
    assert np.isnan(means[2])
