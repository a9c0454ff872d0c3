from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from tagger.library import store
from tagger.library.schema import Base, Track
from tagger.library.store import Library, LibraryError, head_revision, resolve_url, upgrade

pytestmark = pytest.mark.both_backends


def test_new_library_is_at_head_in_wal_mode_with_foreign_keys(library: Library) -> None:
    with library.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        if library.url.get_backend_name() != "sqlite":
            return
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_migrations_create_exactly_the_orm_schema(library: Library) -> None:
    with library.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_opening_an_older_library_upgrades_it_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = store.create_library_engine(resolve_url(path))
    upgrade(engine, "0001")  # the first released schema: no tag-writing tables yet
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tracks (path, size, mtime_ns, genres, status, added_at, updated_at) "
                "VALUES ('/m/a.mp3', 1, 2, '[\"Metal\"]', 'new', '2024-01-01', '2024-01-01')"
            )
        )
        assert "tag_changes" not in inspect(conn).get_table_names()
    engine.dispose()

    with Library.open(path) as lib:
        with lib.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            assert {"tag_batches", "tag_changes"} <= set(inspect(conn).get_table_names())
        with lib.session() as s:
            assert s.query(Track).one().genres == ["Metal"]


def test_a_library_without_version_table_is_created_in_place(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    create_engine(f"sqlite:///{path}").connect().close()
    with Library.open(path) as lib, lib.engine.connect() as conn:
        assert "tracks" in inspect(conn).get_table_names()


def test_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAGGER_DB")
    assert resolve_url(None).database == str(store.default_db_path())
    assert store.default_db_path().name == "library.db"
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")
    assert resolve_url("sqlite:///" + str(tmp_path / "u.db")).database == str(tmp_path / "u.db")
    assert resolve_url("postgresql+psycopg://u@host/lib").get_backend_name() == "postgresql"
    with pytest.raises(LibraryError):
        Library.open("nosuchdialect://x/y")
