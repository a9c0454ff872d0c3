from __future__ import annotations

from pathlib import Path

import pytest

from tagger.training.dataset import LabeledTrack
from tagger.training.labeled_set import (
    MIN_OTHER_GROUPS,
    MIN_OTHER_TRACKS,
    LabelSetError,
    labeled_set,
)


def _tracks(label: str, n: int, albums: int, source: str = "tag") -> list[LabeledTrack]:
    return [
        LabeledTrack(
            Path(f"/m/{label}/{i}.mp3"),
            label,
            f"{label} artist {i % albums}",
            None,
            album=f"{label} album {i % albums}",
            source=source,
        )
        for i in range(n)
    ]


def test_other_becomes_a_class_only_with_enough_tracks_and_records() -> None:
    heavy = _tracks("metal", 20, 5) + _tracks("hardcore", 15, 5, "decision")
    few = labeled_set(heavy + _tracks("other", MIN_OTHER_TRACKS - 1, 10), "lib")
    assert few.classes == ["hardcore", "metal"]
    assert "other" in few.dropped and all(t.label != "other" for t in few.tracks)
    one_record = labeled_set(heavy + _tracks("other", 50, MIN_OTHER_GROUPS - 1), "lib")
    assert one_record.classes == ["hardcore", "metal"]
    enough = labeled_set(heavy + _tracks("other", MIN_OTHER_TRACKS, MIN_OTHER_GROUPS), "lib")
    assert enough.classes == ["hardcore", "metal", "other"]
    assert enough.counts == {
        "hardcore": {"decision": 15},
        "metal": {"tag": 20},
        "other": {"tag": MIN_OTHER_TRACKS},
    }


def test_two_heavy_classes_are_required_with_a_clear_message() -> None:
    with pytest.raises(LabelSetError, match="metal: 20"):
        labeled_set(_tracks("metal", 20, 5) + _tracks("hardcore", 3, 1), "the library")
    with pytest.raises(LabelSetError, match="none"):
        labeled_set([], "the library")
