"""The train/validation/test split: by TRACK, never by clip; stratified; grouped by artist/album.

Windows of one song on both sides of a split let a model recognise the song instead of the
style, which is how the seed implementation's accuracy leaked. Whole artists and whole albums
stay on one side for the same reason (same production, same voice): tracks that share an artist
or an album form one group, and groups are what the split assigns.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from tagger.training.dataset import LabeledTrack


@dataclass(frozen=True)
class Split:
    train: list[LabeledTrack]
    val: list[LabeledTrack]
    test: list[LabeledTrack]


FRACTIONS = (0.7, 0.15, 0.15)  # train, validation, test


def split_tracks(
    tracks: list[LabeledTrack], seed: int, fractions: tuple[float, float, float] = FRACTIONS
) -> Split:
    """Assign whole groups (artists, albums) to splits, class by class, to reach the fractions."""
    groups = _connected_groups(sorted(tracks, key=lambda t: str(t.path)))
    by_class: dict[str, list[str]] = defaultdict(list)
    for name, members in sorted(groups.items()):
        majority = Counter(t.label for t in members).most_common(1)[0][0]
        by_class[majority].append(name)

    rng = np.random.default_rng(seed)
    out: dict[str, list[LabeledTrack]] = {"train": [], "val": [], "test": []}
    for label in sorted(by_class):
        names = list(by_class[label])
        rng.shuffle(names)
        total = sum(len(groups[n]) for n in names)
        want = {"test": fractions[2] * total, "val": fractions[1] * total}
        taken = {"test": 0, "val": 0}
        for i, name in enumerate(names):
            size = len(groups[name])
            left_for_train = len(names) - i - 1
            part = "train"
            if left_for_train > 0:  # the last group always trains
                # Fill test first, then validation, each with its first group and then only
                # while a group brings it nearer its share: large groups (an artist's whole
                # discography) would otherwise overshoot and starve the training split.
                part = next(
                    (
                        p
                        for p in ("test", "val")
                        if want[p] > 0 and (taken[p] == 0 or taken[p] + size / 2 <= want[p])
                    ),
                    "train",
                )
            if part != "train":
                taken[part] += size
            out[part].extend(groups[name])
    return Split(train=out["train"], val=out["val"], test=out["test"])


def _connected_groups(tracks: list[LabeledTrack]) -> dict[str, list[LabeledTrack]]:
    """Tracks joined by any shared group key (union-find), named by their smallest key."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for t in tracks:
        first, *rest = t.group_keys
        for key in rest:
            a, b = root(first), root(key)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[LabeledTrack]] = defaultdict(list)
    for t in tracks:
        groups[root(t.group_keys[0])].append(t)
    return groups


def group_count(tracks: list[LabeledTrack]) -> int:
    """How many separate groups (joined artists/albums) the tracks form."""
    return len(_connected_groups(tracks))
