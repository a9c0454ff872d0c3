"""Training recipes: the paper's, and the default for training from a library.

The paper's recipe (DESIGN.md) is `TrainConfig()`: every one of a track's 60 windows in every
epoch, up to 100 epochs, patience 10. It stays available (`tagger train --from-library
--recipe paper`). On a 2-core CPU it costs hours for a 1,000-track library, mostly repeating
near-identical windows of the same songs and validating all 60 windows of every validation
track after each epoch.

The library default gives every epoch the same budget of training windows, shared out over the
training tracks (`windows_per_epoch`: a different sample of each track's windows every epoch),
so a 60-track library still gets enough optimizer steps to learn and a 1,000-track library's
epoch costs no more than a 150-track one's; it validates on a fixed, evenly spaced subset of
each validation track's windows. It starts from the bundled model's weights (fine-tuning,
training/warm_start.py) rather than a random draw: a few dozen labeled tracks are too few to
learn the filters from scratch. How gently depends on how well that start already labels the
validation tracks (measured before the first step; warm_start.START_KNOWS_ABOVE). Its learning
rate is 3e-4 rather than the paper's 1e-3: on a library from a generator the start model does
not know, 1e-3 overshot within two epochs (validation loss 0.62 → 1.04), and over three seeds
3e-4 (with the refit) labeled 61–63 of 65 untagged tracks right where 1e-3 labeled 55–61.
BENCHMARKS.md and the model card record the measured time and held-out accuracy of both.

The refit on every label (refit.py) trains for the split run's best epoch count but at least 8
epochs. The best epoch is where validation on whole artists the run never saw peaks, often after
one or two epochs; the tracks a user wants labeled are mostly by artists the library has tags
for, and those went on improving well past it. Measured on two retaggings of the independent
library, the refit's untagged tracks right after each epoch (of 65): 54–58 after epoch 1, 60–64
from epoch 4 on, 62–63 at epoch 8; a refit of one epoch had left a run at 54 (BENCHMARKS.md,
"How long the refit trains"). The same holds when the split run keeps the start (best epoch 0):
from a start that already knew the generator, delivering the start left a third library at 58
of 66 untagged tracks, where its refit reached 62 after one epoch and 64 after two (BENCHMARKS.md,
"A start that already knows the music"). Inside the cap: the split run stops 8 epochs before it (the
refit's minimum), and the refit never runs more epochs than the split run left; a best epoch
later than that is refit for the epochs left (a fifth library's split run improved until epoch
11 and filled the cap, and without the reserve it got no refit: BENCHMARKS.md, "The refit's
share of the cap").

Tracks under 3 minutes get 60 full, overlapping 3 s windows (`overlap_short_tracks`,
audio/segments.py) instead of the paper's 60 parts padded with silence, which give a 60 s track
1 s of music and 2 s of silence per window. On a 200-track library of 40–80 s tracks (122 tags,
57 untagged) the refit's untagged tracks right after each epoch went from 36 39 44 42 45 44 44 45
to 45 45 48 49 48 48 50 49, and the whole library run from 43 to 46 of 57; on one of 60–150 s
tracks from 62 to 66 of 71 (BENCHMARKS.md, "Full overlapping windows for short tracks"). Tracks
of 3 minutes or more are cut as before.
"""

from __future__ import annotations

import dataclasses

from tagger.training.train_config import TrainConfig

PAPER = TrainConfig()
LIBRARY_DEFAULT = dataclasses.replace(
    PAPER,
    lr=3e-4,  # measured on music the start model does not know (above)
    windows_per_epoch=4096,
    val_windows_per_track=12,
    epochs=25,  # at most 25 epochs, the refit's included: the 30-minute budget for 1,000 tracks
    patience=8,
    warm_start="bundled",
    refit=True,  # then train again on every label (refit.py) ...
    refit_min_epochs=8,  # ... for at least 8 epochs (measured, above)
    overlap_short_tracks=True,  # full windows for tracks under 3 minutes (measured, above)
)
RECIPES = {"library": LIBRARY_DEFAULT, "paper": PAPER}
