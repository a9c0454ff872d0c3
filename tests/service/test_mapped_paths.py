"""Two hosts mount the same shared storage at different points (TAGGER_PATH_MAP): each labels,
lists, tags and undoes through its own mount, and the library keeps one spelling."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from tag_library_helpers import make_mp3, mp3_template

from tagger.library.queries import TrackFilter
from tagger.library.schema import TagChange, Track
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.classification import scan_folders
from tagger.service.context import open_library
from tagger.service.errors import ServiceError
from tagger.service.library_client import LibraryClient
from tagger.service.tagging import check_paths_in_library, tag_request, undo_tags, write_tags
from tagger.tags import read_genres

STORED = "/srv/music"


def _host(monkeypatch: pytest.MonkeyPatch, mount: Path, db: Path) -> Library:
    """The library as a host that mounts the shared storage at `mount` opens it."""
    monkeypatch.setenv("TAGGER_PATH_MAP", f"{mount}={STORED}")
    return open_library(str(db))


def test_tag_and_undo_through_another_hosts_mount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = tmp_path / "storage"  # host A mounts the storage here ...
    mount_b = tmp_path / "mount-b"  # ... host B here (a link: the same files)
    template = mp3_template(tmp_path / "template")
    files = [make_mp3(template, storage / "Band" / f"{i}.mp3", ["Rock"]) for i in range(3)]
    mount_b.symlink_to(storage, target_is_directory=True)
    original = {f.name: f.read_bytes() for f in files}
    db, settings = tmp_path / "shared.db", Settings()

    host_a = _host(monkeypatch, storage, db)
    assert scan_folders(host_a, settings, [str(storage)]).added == 3
    host_a.close()

    host_b = _host(monkeypatch, mount_b, db)
    client = LibraryClient(host_b, settings)
    assert client.decide_paths([str(mount_b / "Band")], "metal") == ("metal", 3)
    rows = client.list_rows(TrackFilter())
    assert sorted(r.path for r in rows) == sorted(str(mount_b / "Band" / f.name) for f in files)
    detail = client.detail(rows[0].id)
    assert detail is not None and detail.row.path.startswith(str(mount_b))
    with pytest.raises(ServiceError, match="not in the library"):
        check_paths_in_library(host_b, tag_request(settings, [str(tmp_path / "elsewhere")]))

    request = tag_request(settings, [str(mount_b / "Band")])
    check_paths_in_library(host_b, request)
    written = write_tags(host_b, request)
    assert written.count("written") == 3, written.changes
    assert all(c.path.startswith(str(mount_b)) for c in written.changes)
    assert all(read_genres(f) == ["Rock", "Metal"] for f in files)
    with host_b.session() as s:
        assert all(p.startswith(STORED + "/") for p in s.scalars(select(TagChange.path)))
        assert all(p.startswith(STORED + "/") for p in s.scalars(select(Track.path)))
    host_b.close()

    # Host A sees the rows in step with the files host B wrote, and undoes B's batch.
    host_a = _host(monkeypatch, storage, db)
    again = scan_folders(host_a, settings, [str(storage)])
    assert (again.unchanged, again.reread, again.added) == (3, 0, 0)
    undone = undo_tags(host_a)
    assert undone.count("restored") == 3, undone.outcomes
    assert all(o.path.startswith(str(storage)) for o in undone.outcomes)
    assert {f.name: f.read_bytes() for f in files} == original
    host_a.close()


def test_a_malformed_path_map_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGGER_PATH_MAP", "relative=/srv/music")
    with pytest.raises(ServiceError, match="TAGGER_PATH_MAP: 'relative=/srv/music'"):
        open_library(str(tmp_path / "library.db"))
