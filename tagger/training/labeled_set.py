"""A training set from labels that did not come from class folders (the library's tags and
decisions): which classes to learn, and how many labels of each class and source it holds.

`other` (clearly neither class) is learnt as one more class only when there is enough of it to
stand on both sides of the split: at least MIN_OTHER_TRACKS tracks from at least
MIN_OTHER_GROUPS separate artists/albums. Below that a third class would be validated and tested
on a handful of tracks from one or two records, its held-out numbers would be noise, and the
model would learn those records rather than "neither"; the set then trains the heavy classes
only and the model cannot abstain. With the 70/15/15 split, 30 tracks from 6 groups put about
4–5 tracks from at least one group into each held-out part.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tagger.training.dataset import LabeledTrack
from tagger.training.split import group_count

OTHER = "other"
MIN_OTHER_TRACKS = 30
MIN_OTHER_GROUPS = 6
MIN_CLASS_TRACKS = 10  # a heavy class with fewer cannot be split three ways meaningfully


class LabelSetError(ValueError):
    pass


@dataclass(frozen=True)
class LabeledSet:
    classes: list[str]  # sorted; the order of the model's outputs
    tracks: list[LabeledTrack]
    origin: str  # what the labels came from, for messages and the model's metadata
    dropped: dict[str, str]  # class → why its tracks are not used

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """{class: {source: tracks}} over the tracks used."""
        return label_counts(self.tracks)


def label_counts(tracks: list[LabeledTrack]) -> dict[str, dict[str, int]]:
    """{class: {source: tracks}}, classes and sources sorted."""
    out: dict[str, Counter[str]] = {}
    for t in tracks:
        out.setdefault(t.label, Counter())[t.source] += 1
    return {c: dict(sorted(n.items())) for c, n in sorted(out.items())}


def labeled_set(tracks: list[LabeledTrack], origin: str) -> LabeledSet:
    """Choose the classes: every class with enough tracks; `other` by its own threshold."""
    by_class: dict[str, list[LabeledTrack]] = {}
    for t in tracks:
        by_class.setdefault(t.label, []).append(t)
    dropped: dict[str, str] = {}
    kept: list[str] = []
    for label, members in sorted(by_class.items()):
        if label == OTHER:
            groups = group_count(members)
            if len(members) < MIN_OTHER_TRACKS or groups < MIN_OTHER_GROUPS:
                dropped[label] = (
                    f"{len(members)} tracks from {groups} artists/albums; a third class needs "
                    f"at least {MIN_OTHER_TRACKS} from {MIN_OTHER_GROUPS}"
                )
                continue
        elif len(members) < MIN_CLASS_TRACKS:
            dropped[label] = f"only {len(members)} tracks; a class needs {MIN_CLASS_TRACKS}"
            continue
        kept.append(label)
    if len([c for c in kept if c != OTHER]) < 2:
        found = ", ".join(f"{c}: {len(m)}" for c, m in sorted(by_class.items())) or "none"
        raise LabelSetError(
            f"{origin} needs at least {MIN_CLASS_TRACKS} labeled tracks in each of two classes "
            f"(labels found: {found}); add genre tags, adjust the genre map or decide a few "
            "tracks in review"
        )
    used = [t for t in tracks if t.label in kept]
    return LabeledSet(classes=kept, tracks=used, origin=origin, dropped=dropped)
