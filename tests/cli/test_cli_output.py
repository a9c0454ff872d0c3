"""`records_json` writes exactly what `json_text(records, indent=2)` writes, faster."""

from __future__ import annotations

import enum

import pytest

from tagger.cli.output import json_text, records_json


class Status(enum.StrEnum):
    OK = "ok"


VALUES = [
    None,
    True,
    False,
    0,
    -7,
    10**20,
    0.1,
    -0.0,
    1e-7,
    1e16,
    123456.789,
    "",
    "plain",
    'quote " backslash \\ tab \t cr \r lf \n nul \x00 bell \x07',
    "caf\u00e9 \u2014 \U0001f918",
    "/m/caf\udce9.mp3",  # a file name that is not UTF-8 (surrogate escape)
    Status.OK,
    [],
    ["Metal"],
    ["a", "b; c", "caf\udce9"],
    [1, 0.5, None, True],
]


def test_every_kind_of_value_is_written_as_json_dumps_writes_it() -> None:
    records = [{f"key {i}": v, "path": f"/{i}", "last": v} for i, v in enumerate(VALUES)]
    assert records_json(records) == json_text(records, indent=2)
    assert records_json(records[:1]) == json_text(records[:1], indent=2)


@pytest.mark.parametrize(
    "records",
    [[], [{}], [{"nested": {"a": 1}}], [{"tuple": (1, 2)}], [{1: "int key"}], [{"x": [[1]]}]],
)
def test_other_shapes_are_left_to_json_dumps(records) -> None:
    assert records_json(records) == json_text(records, indent=2)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [float("-inf")]])
def test_a_non_finite_number_is_refused_as_json_dumps_refuses_it(bad) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        records_json([{"x": 1.0, "y": bad}])
