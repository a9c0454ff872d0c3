"""How a run's epoch cap is shared between the split run and the refit."""

from __future__ import annotations

from tagger.service.learning import default_config
from tagger.training.epoch_budget import likely_epochs_left, refit_epochs, split_run_last_epoch


def test_the_split_run_leaves_the_refit_its_minimum() -> None:
    library, paper = default_config("library"), default_config("paper")
    assert (library.epochs, library.refit_min_epochs) == (25, 8)
    assert split_run_last_epoch(library) == 17
    assert split_run_last_epoch(paper) == paper.epochs  # no refit, the whole cap
    # A minimum above half the cap gets half the cap.
    assert split_run_last_epoch(default_config("library", epochs=10)) == 5


def test_the_refit_runs_the_best_epoch_count_at_least_the_minimum_within_the_cap() -> None:
    library = default_config("library")
    logged: list[str] = []
    assert refit_epochs(library, 3, 11, logged.append) == 8  # the minimum
    assert refit_epochs(library, 0, 8, logged.append) == 8  # the start kept: still refit
    assert refit_epochs(library, 12, 12, logged.append) == 12  # the best count fits
    assert refit_epochs(library, 17, 17, logged.append) == 8  # what the cap leaves
    assert logged == []
    assert refit_epochs(library, 17, 20, logged.append) == 0  # 5 left, 8 needed
    assert logged == ["no refit: 8 more epochs would pass the cap of 25"]
    assert refit_epochs(default_config("paper"), 30, 40, logged.append) == 0


def test_what_is_likely_left_is_the_patience_after_the_best_epoch_then_the_refit() -> None:
    library = default_config("library")  # patience 8, cap 25, split run to 17, refit at least 8
    assert library.patience == 8
    last = split_run_last_epoch(library)
    # Epoch 1, the start model best so far: epochs 1-8, then the refit's 8.
    assert likely_epochs_left(library, 1, 0, last) == 8 + 8
    # Epoch 6 of a run whose best was epoch 5: to epoch 13, then 8.
    assert likely_epochs_left(library, 6, 5, last) == 8 + 8
    # A best epoch of 12: early stopping would pass the split run's last epoch (17), where it
    # ends; the refit then runs the best epoch count, 12, which is more than the 8 the cap
    # leaves after 17, so it takes those 8.
    assert likely_epochs_left(library, 13, 12, last) == 5 + 8
    # The paper's recipe: no refit, the cap is the end.
    paper = default_config("paper")
    assert likely_epochs_left(paper, 1, 0, split_run_last_epoch(paper)) == paper.patience
