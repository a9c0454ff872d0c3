"""File names exactly as the file system gives them, in a text column.

A POSIX file name is bytes; Python spells the bytes that are not UTF-8 (a Latin-1 `café.mp3`) as
lone surrogates ("surrogate escapes", `os.fsdecode`). SQLite's driver refuses to bind such a
string, so `PathText` stores the name's bytes themselves in the TEXT column: the value is bound
as a BLOB and `CAST(? AS VARCHAR)` turns it into TEXT without touching a byte, and read back as
`CAST(path AS BLOB)` and decoded with surrogate escapes again. So a path round-trips to the real
file, prefix queries (`paths.tracks_under`) keep working on TEXT, and every valid UTF-8 path is
stored exactly as before (nothing to migrate). Other backends (PostgreSQL) get the plain string:
their text type cannot hold bytes that are not UTF-8.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


def path_bytes(text: str) -> bytes:
    """The bytes a surrogate-escaped name stands for (`os.fsencode` without the locale)."""
    return text.encode("utf-8", "surrogateescape")


def is_plain_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Typed(FunctionElement[Any]):
    inherit_cache = True

    def __init__(self, inner: Any, type_: Any) -> None:
        super().__init__(inner)
        self.type = type_


class _StoredAsText(_Typed):
    """A bound name: SQLite reinterprets its bytes as TEXT; other backends take it as is."""

    inherit_cache = True


class _ReadAsBytes(_Typed):
    """A stored name: SQLite hands back its bytes; other backends the text."""

    inherit_cache = True


@compiles(_StoredAsText)
@compiles(_ReadAsBytes)
def _unchanged(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_StoredAsText, "sqlite")
def _sqlite_text(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(_ReadAsBytes, "sqlite")
def _sqlite_bytes(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


class PathText(TypeDecorator[str]):
    """A text column that holds any file name (or message naming one) byte for byte in SQLite."""

    impl = String
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> ColumnElement[Any] | None:
        return _StoredAsText(bindvalue, self)

    def column_expression(self, column: Any) -> ColumnElement[Any] | None:
        return _ReadAsBytes(column, self)

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite" or is_plain_utf8(value):
            return value
        try:
            return path_bytes(value)
        except UnicodeEncodeError:  # a surrogate no file name can hold: keep it visible
            return value.encode("utf-8", "backslashreplace")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, bytes | memoryview):
            return bytes(value).decode("utf-8", "surrogateescape")
        return value


class MessageText(PathText):
    """An unbounded message column (TEXT) that may quote a file name."""

    impl = Text
    cache_ok = True
