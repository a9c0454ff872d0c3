"""Printing library rows as a table, CSV or JSON (`tagger review`, `tagger list`)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # the C encoder
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


def _scalar_json(value: Any) -> str | None:
    """A JSON scalar exactly as `json.dumps` writes it (ensure_ascii off); None: not one."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    return None  # NaN (json.dumps refuses it, with its own message), or not a scalar


def records_json(records: Sequence[dict[str, Any]]) -> str:
    """`json_text(records, indent=2)` for records of scalars and lists of scalars, byte for
    byte, at a fraction of the cost: with an indent, `json.dumps` runs its pure-Python encoder
    (half of `tagger list --format json` on 10,000 rows); here each value goes through the
    stdlib's C string encoder. Anything else is left to `json_text`."""
    if not records:
        return json_text(records, indent=2)
    keys: dict[str, str] = {}
    parts = ["["]
    for record in records:
        if not isinstance(record, dict) or not record:
            return json_text(records, indent=2)
        fields = []
        for key, value in record.items():
            if not isinstance(key, str):
                return json_text(records, indent=2)
            name = keys.get(key) or keys.setdefault(key, encode_basestring(key))
            if isinstance(value, list):
                items = [_scalar_json(v) for v in value]
                if None in items:
                    return json_text(records, indent=2)
                text = "[\n      " + ",\n      ".join(items) + "\n    ]" if items else "[]"  # type: ignore[arg-type]
            else:
                text = _scalar_json(value)  # type: ignore[assignment]
                if text is None:
                    return json_text(records, indent=2)
            fields.append(f"    {name}: {text}")
        parts.append("  {\n" + ",\n".join(fields) + "\n  }")
    text = parts[0] + "\n" + ",\n".join(parts[1:]) + "\n]"
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
    record keys or "verdict" (the label as a person reads it) or "why" (`conflict_reason`)."""
    from tagger.service.listing import LIST_FIELDS, conflict_reason, list_record, verdict

    records = [list_record(r) for r in rows]
    if fmt == "json":
        print(records_json(records))
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
    derived = {"verdict": verdict, "why": conflict_reason}  # columns a person reads
    cells = [
        [derived[c](rec) if c in derived else _cell(rec.get(c)) for c in table_columns]
        for rec in records
    ]
    print_table([c.upper() for c in table_columns], cells)
