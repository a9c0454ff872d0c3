from __future__ import annotations

import pytest

from tagger.tags import merge_genres


@pytest.mark.parametrize(
    ("existing", "mode", "expected"),
    [
        ([], "add", ["Metal"]),
        (["Rock"], "add", ["Rock", "Metal"]),
        (["Rock", "metal"], "add", ["Rock", "metal"]),  # already there, any case
        (["Rock", "Rock"], "add", ["Rock", "Metal"]),
        ([], "replace", ["Metal"]),
        (["Rock", "Hardcore"], "replace", ["Metal"]),
        ([], "fill", ["Metal"]),
        (["", "  "], "fill", ["Metal"]),
        (["Rock", "Drum/Bass"], "fill", ["Rock", "Drum/Bass"]),
    ],
)
def test_modes(existing: list[str], mode: str, expected: list[str]) -> None:
    assert merge_genres(existing, "Metal", mode) == expected  # type: ignore[arg-type]


def test_bad_mode_and_empty_label() -> None:
    with pytest.raises(ValueError):
        merge_genres([], "Metal", "append")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        merge_genres([], "  ", "add")


def test_existing_list_is_not_mutated() -> None:
    existing = ["Rock"]
    merge_genres(existing, "Metal", "add")
    assert existing == ["Rock"]
