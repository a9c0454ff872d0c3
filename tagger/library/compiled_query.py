"""A SELECT compiled once for SQLite and run later through `sqlite3`, without SQLAlchemy.

Like a .pyc for SQL: `compile_select` (which imports SQLAlchemy) turns a statement that the
library's query code built into its SQL text, its parameter values in positional order (each
already through its type's bind processing, as SQLAlchemy would send it) and one decoder per
result column; `run_compiled` executes that on a plain `sqlite3` connection and decodes the
columns as SQLAlchemy's result processing would. The SQL keeps one owner, the SQLAlchemy
expressions: nothing here writes SQL.

A value that depends on the library's contents (the tracks that go against their album) is a
named *list parameter* (`bindparam(name, expanding=True)`): SQLAlchemy leaves it as a
`__[POSTCOMPILE_name]` token, which `run_compiled` expands to one `?` per value, as SQLAlchemy
does when it executes.

Only what can be reproduced exactly is compiled: a column or parameter type with a processing
step not listed here raises `NotCompilable`, and its question is then always answered by
SQLAlchemy.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Select


class NotCompilable(ValueError):
    """The statement holds something `run_compiled` could not reproduce exactly."""


def _path_text(value: Any) -> Any:
    # path_text.PathText's result processing: SQLite hands back the name's bytes.
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "surrogateescape")
    return value


# Each turns a value that is not NULL (NULL stays None) into what SQLAlchemy's result
# processing gives for the column's type.
DECODERS: dict[str, Callable[[Any], Any]] = {
    "path": _path_text,
    "json": json.loads,
    "bool": bool,
}


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    # In positional order, (kind, name, value): ("value", name, v) for a fixed value,
    # ("values", name, (v, ...)) for an IN list written in the query, ("list", name, None) for
    # a list parameter given at run time.
    params: tuple[tuple[str, str, Any], ...]
    decoders: tuple[str | None, ...]  # one per result column, a key of DECODERS or None

    def to_json(self) -> dict[str, Any]:
        params = [
            [kind, name, [_to_json(x) for x in v] if kind == "values" else _to_json(v)]
            for kind, name, v in self.params
        ]
        return {"sql": self.sql, "params": params, "decoders": list(self.decoders)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CompiledQuery:
        """Raises ValueError (or KeyError, TypeError) on anything but what `to_json` wrote."""
        params = []
        for kind, name, value in raw["params"]:
            if kind == "values":
                value = tuple(_from_json(x) for x in value)
            elif kind in ("value", "list"):
                value = _from_json(value)
            else:
                raise ValueError(f"unknown parameter kind {kind!r}")
            params.append((kind, str(name), value))
        decoders = tuple(raw["decoders"])
        if not isinstance(raw["sql"], str) or any(
            d is not None and d not in DECODERS for d in decoders
        ):
            raise ValueError("not a compiled query")
        return cls(raw["sql"], tuple(params), decoders)


def _to_json(value: Any) -> Any:
    return {"hex": value.hex()} if isinstance(value, bytes) else value


def _from_json(value: Any) -> Any:
    return bytes.fromhex(value["hex"]) if isinstance(value, dict) else value


def _decoder(type_: Any, dialect: Any) -> str | None:
    from sqlalchemy import JSON, Boolean

    from tagger.library.path_text import PathText

    if isinstance(type_, PathText):
        return "path"
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, Boolean):
        return "bool"
    if type_.dialect_impl(dialect).result_processor(dialect, None) is not None:
        raise NotCompilable(f"no decoder for a {type(type_).__name__} column")
    return None


def _plain(value: Any) -> Any:
    """A bound value as JSON can keep it and `sqlite3` binds it alike."""
    if value is None or isinstance(value, bool | int | float | bytes):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a StrEnum member binds as its text
    raise NotCompilable(f"cannot keep a {type(value).__name__} parameter")


def compile_select(stmt: Select, lists: Sequence[str] = ()) -> CompiledQuery:
    """`stmt` compiled for SQLite; `lists` names the list parameters filled in at run time."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    compiled = stmt.compile(dialect=dialect)
    values = compiled.construct_params()
    params: list[tuple[str, str, Any]] = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        if bind.literal_execute:
            raise NotCompilable(f"parameter {name!r} is rendered into the SQL at execution")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
        if bind.expanding and name in lists:
            params.append(("list", name, None))
        elif bind.expanding:  # an IN list written in the query, e.g. of statuses
            params.append(("values", name, tuple(_plain(process(v)) for v in values[name])))
        else:
            params.append(("value", name, _plain(process(values[name]))))
    decoders = tuple(_decoder(c.type, dialect) for c in stmt.selected_columns)
    return CompiledQuery(compiled.string, tuple(params), decoders)


def run_compiled(
    connection: sqlite3.Connection, query: CompiledQuery, lists: Mapping[str, Sequence[Any]] = {}
) -> list[tuple[Any, ...]]:
    """The rows of `query`, decoded; `lists` gives each list parameter's values (not empty)."""
    sql = query.sql
    params: list[Any] = []
    for kind, name, value in query.params:
        if kind == "value":
            params.append(value)
            continue
        items = list(lists[name] if kind == "list" else value)
        if not items:
            raise ValueError(f"list parameter {name!r} is empty")
        # Tokens appear in the text in positional order, so each replace takes the next one.
        sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(items)), 1)
        params.extend(items)
    rows = connection.execute(sql, params).fetchall()
    if not rows or all(d is None for d in query.decoders):
        return rows
    # Column by column: one comprehension per decoded column instead of a call per value.
    columns = list(zip(*rows, strict=True))
    for i, name in enumerate(query.decoders):
        if name is not None:
            decode = DECODERS[name]
            columns[i] = tuple(None if v is None else decode(v) for v in columns[i])
    return list(zip(*columns, strict=True))
