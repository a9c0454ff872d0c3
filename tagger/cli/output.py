"""Printing library rows as a table, CSV or JSON (`tagger review`, `tagger list`)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagger.library.track_rows import TrackRow

FORMATS = ("table", "csv", "json")
SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON that is always valid UTF-8 and never holds NaN: a file name that is not UTF-8 keeps
    its surrogate escapes as `\\udcXX` (Python's `json.loads` and `os.fsencode` give back the
    real name); any other text stays readable."""
    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns as wide as their widest cell, headed by `columns`."""
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(columns)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in (columns, *rows)
    ]
    sys.stdout.write("\n".join(lines) + "\n")  # one write: a print per row is slow on 10k rows


def print_rows(rows: Sequence[TrackRow], table_columns: list[str], fmt: str) -> None:
    """Rows as JSON, CSV (always the same header) or a table of `table_columns`, which name
    record keys or "verdict" (the label as a person reads it)."""
    from tagger.service.listing import LIST_FIELDS, list_record, verdict

    records = [list_record(r) for r in rows]
    if fmt == "json":
        print(json_text(records, indent=2))
        return
    if fmt == "csv":
        out = io.StringIO()
        # RFC 4180's CRLF: the csv module quotes a field holding any character of the line
        # terminator, so with a bare "\n" a path holding a CR would be left unquoted.
        writer = csv.DictWriter(out, fieldnames=LIST_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: _csv_cell(v) for k, v in rec.items()})
        sys.stdout.write(out.getvalue())
        return
    if not records:
        print("(no tracks)")
        return
    cells = [
        [verdict(rec) if c == "verdict" else _cell(rec.get(c)) for c in table_columns]
        for rec in records
    ]
    print_table([c.upper() for c in table_columns], cells)
