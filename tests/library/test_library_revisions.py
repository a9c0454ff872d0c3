"""The revision graph read from the migration files (without Alembic) is Alembic's own."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from tagger.library import revisions as revisions_module
from tagger.library.revisions import Revisions, revisions
from tagger.library.store import alembic_config, head_revision, known_revisions


def test_revisions_read_from_the_files_are_alembics():
    script = ScriptDirectory.from_config(alembic_config())
    found = revisions()
    assert found.head == script.get_current_head()
    assert found.known == {r.revision for r in script.walk_revisions()}
    assert head_revision() == found.head
    assert known_revisions() == set(found.known)


def write_revision(folder: Path, name: str, revision: str, down: str) -> None:
    (folder / name).write_text(
        f'"""A migration."""\n\nrevision: str = "{revision}"\ndown_revision = {down}\n', "utf-8"
    )


def test_a_merge_revision_leaves_the_head_to_alembic(tmp_path, monkeypatch):
    write_revision(tmp_path, "0001_a.py", "0001", "None")
    write_revision(tmp_path, "0002_b.py", "0002", '"0001"')
    monkeypatch.setattr(revisions_module, "VERSIONS", tmp_path)
    revisions.cache_clear()
    try:
        assert revisions() == Revisions(frozenset({"0001", "0002"}), "0002")
        revisions.cache_clear()
        write_revision(tmp_path, "0003_c.py", "0003", '"0001"')  # a second head
        assert revisions().head is None
        revisions.cache_clear()
        write_revision(tmp_path, "0004_merge.py", "0004", '("0002", "0003")')
        assert revisions().head is None
    finally:
        revisions.cache_clear()
