"""Training recipes: the paper's, and the default for training from a library.

The paper's recipe (DESIGN.md) is `TrainConfig()`: every one of a track's 60 windows in every
epoch, up to 100 epochs, patience 10. It stays available (`tagger train --from-library
--recipe paper`). On a 2-core CPU it costs hours for a 1,000-track library, mostly repeating
near-identical windows of the same songs and validating all 60 windows of every validation
track after each epoch.

The library default samples a different `windows_per_track` of each training track per epoch
(every window is still seen over a run) and validates on a fixed, evenly spaced subset of each
validation track's windows; fewer epochs with a shorter patience. BENCHMARKS.md and the model
card record the measured time and held-out accuracy of both.
"""

from __future__ import annotations

import dataclasses

from tagger.training.train import TrainConfig

PAPER = TrainConfig()
LIBRARY_DEFAULT = dataclasses.replace(
    PAPER, windows_per_track=12, val_windows_per_track=12, epochs=40, patience=8
)
RECIPES = {"library": LIBRARY_DEFAULT, "paper": PAPER}
