"""A statement compiled once and run through `sqlite3` gives SQLAlchemy's rows, or is refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from varied_library import fill_varied_library

from tagger.library.compiled_query import CompiledQuery, NotCompilable, compile_select, run_compiled
from tagger.library.schema import Prediction, Track
from tagger.library.store import Library


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_varied_library(tmp_path_factory.mktemp("compiled") / "library.db")


def through_sqlalchemy(db: Path, stmt) -> list[tuple]:
    library = Library.open(db, create=False)
    try:
        with library.session() as session:
            return [tuple(r) for r in session.execute(stmt)]
    finally:
        library.close()


def through_sqlite3(db: Path, query: CompiledQuery, **lists) -> list[tuple]:
    kept = CompiledQuery.from_json(json.loads(json.dumps(query.to_json())))  # as the cache keeps it
    connection = sqlite3.connect(db)
    try:
        return run_compiled(connection, kept, lists)
    finally:
        connection.close()


def test_paths_json_booleans_and_bound_bytes_come_back_as_sqlalchemy_gives_them(db) -> None:
    stmt = (
        select(Track.id, Track.path, Track.genres, Track.error, Prediction.is_current)
        .outerjoin(Prediction, Prediction.track_id == Track.id)
        .where(Track.path.icontains("caf\udce9") | Track.status.in_(["error", "missing"]))
        .order_by(Track.id)
    )
    query = compile_select(stmt)
    assert any(isinstance(v, bytes) for _kind, _name, v in query.params)  # the name's own bytes
    rows = through_sqlite3(db, query)
    assert len(rows) == 3 and rows == through_sqlalchemy(db, stmt)


def test_a_list_parameter_is_filled_in_at_run_time(db) -> None:
    from sqlalchemy import bindparam

    stmt = select(Track.id).where(Track.id.in_(bindparam("ids", [0], expanding=True)))
    query = compile_select(stmt, ["ids"])
    assert through_sqlite3(db, query, ids=[2, 3, 99]) == [(2,), (3,)]
    with pytest.raises(ValueError, match="empty"):
        through_sqlite3(db, query, ids=[])


def test_a_column_whose_processing_is_not_known_is_refused() -> None:
    with pytest.raises(NotCompilable):
        compile_select(select(Track.added_at))  # DateTime: parsed from text by SQLAlchemy
