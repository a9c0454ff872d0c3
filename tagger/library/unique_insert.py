"""Inserting a row unless another process sharing the library has just inserted the same key.

Two scans started at once on the same new folder (two hosts, one PostgreSQL library) both find
every file and the folder itself new. A plain INSERT fails the second on the unique path;
`INSERT ... ON CONFLICT (path) DO NOTHING RETURNING id` (the dialect's own insert, SQLite and
PostgreSQL alike) keeps the first row and tells the second there is nothing to add. PostgreSQL
makes a concurrent insert of the same key wait until the first commits (then nothing is
inserted) or rolls back (then this one goes in), so no key ends up with two rows or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_UPSERTING_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_present(
    session: Session, entity: Any, values: Mapping[str, Any], key: str = "path"
) -> int | None:
    """Insert `values` into `entity`'s table; the new row's id, or None when `key` is taken."""
    dialect_insert = _UPSERTING_INSERTS.get(session.get_bind().dialect.name)
    if dialect_insert is None:  # another backend: a plain insert (one scan at a time there)
        return session.scalar(insert(entity).values(dict(values)).returning(entity.id))
    statement = (
        dialect_insert(entity).values(dict(values)).on_conflict_do_nothing(index_elements=[key])
    )
    return session.scalar(statement.returning(entity.id))
