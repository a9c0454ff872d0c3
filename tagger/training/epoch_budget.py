"""How a run's epoch cap is shared between the split run and the refit (refit.py says why).

Torch-free, so that the app can estimate a run's time (service/learning.py) with the same rules
the run follows (train.py).
"""

from __future__ import annotations

from collections.abc import Callable

from tagger.training.train_config import TrainConfig


def split_run_last_epoch(config: TrainConfig) -> int:
    """The split run's last epoch: the cap less the refit's minimum (at most half the cap), so
    that a split run whose validation keeps improving cannot crowd the refit out (BENCHMARKS.md,
    "The refit's share of the cap")."""
    if not config.refit:
        return config.epochs
    return config.epochs - min(config.refit_min_epochs, config.epochs // 2)


def refit_epochs(
    config: TrainConfig, best_epoch: int, epochs_run: int, log: Callable[[str], None]
) -> int:
    """How many epochs the refit trains after a split run of `epochs_run` epochs whose best was
    `best_epoch` (0: no refit). The best epoch count, at least the minimum, also after best
    epoch 0 (the refit learns the library's own tags, which the untagged tracks of its artists
    need: BENCHMARKS.md, "A start that already knows the music"); never past the cap. It runs
    only if the cap leaves the best epoch count or the minimum, whichever is less: the untagged
    tracks level off from the fourth epoch on (recipes.py), so a best epoch of 11 does not need 11.
    """
    wanted = max(best_epoch, config.refit_min_epochs)
    if not config.refit or wanted == 0:
        return 0
    room = config.epochs - epochs_run
    needed = max(best_epoch, 1)
    if config.refit_min_epochs:
        needed = min(needed, config.refit_min_epochs)
    if room < needed:
        log(f"no refit: {needed} more epochs would pass the cap of {config.epochs}")
        return 0
    return min(wanted, room)


def likely_epochs_left(config: TrainConfig, epoch: int, best_epoch: int, last: int) -> int:
    """The epochs still to run from `epoch` on (it included), the refit's too, if no later epoch
    improves on `best_epoch`: early stopping then ends the split run `patience` epochs after it
    (never past `last`, `split_run_last_epoch`). What a run's "about … left" counts; the cap is
    its "at most"."""
    stop = min(last, max(epoch, best_epoch + config.patience))
    return stop - epoch + 1 + refit_epochs(config, best_epoch, stop, lambda _: None)
