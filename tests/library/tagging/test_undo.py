"""Undo restores the exact old genres, refuses files changed since, and is safe to re-run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from sqlalchemy import select
from tag_library_helpers import add_track, make_mp3

from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, Track
from tagger.library.store import Library
from tagger.library.tag_writer import BatchNotes, TagRequest, TagWriter
from tagger.library.undo import UNDO_MARK, UndoError, history, last_undoable_batch, undo_batch
from tagger.tags import TagOptions, read_genres, write_genres

pytestmark = pytest.mark.both_backends


def _rows(lib: Library) -> dict[str, TagChange]:
    with lib.session() as s:
        return {Path(r.path).name: r for r in s.scalars(select(TagChange).order_by(TagChange.id))}


def _music(template: Path, tmp_path: Path) -> dict[str, Path]:
    return {
        "multi.mp3": make_mp3(template, tmp_path / "m" / "multi.mp3", ["Rock", "Punk", "Ska"]),
        "v23.mp3": make_mp3(template, tmp_path / "m" / "v23.mp3", ["Rock", "Pop"], v2_version=3),
        "none.mp3": make_mp3(template, tmp_path / "m" / "none.mp3", None),
    }


def test_undo_restores_the_exact_old_genres(lib: Library, template: Path, tmp_path: Path) -> None:
    files = _music(template, tmp_path)
    ids = {name: add_track(lib, p, user_label="metal") for name, p in files.items()}
    old = {name: read_genres(p) for name, p in files.items()}
    assert old["none.mp3"] == []
    batch = TagWriter(lib).apply(TagRequest(mode="replace")).batch_id
    assert all(read_genres(p) == ["Metal"] for p in files.values())

    result = undo_batch(lib)

    assert result.batch_id == batch
    assert result.count("restored") == 3
    for name, p in files.items():
        assert read_genres(p) == old[name], name
    assert ID3(str(files["none.mp3"])).getall("TCON") == []  # removed, not an empty frame
    assert ID3(str(files["v23.mp3"])).version[:2] == (2, 3)
    assert all(r.status == TagChangeStatus.UNDONE for r in _rows(lib).values())
    with lib.session() as s:
        b = s.get(TagBatch, batch)
        assert b.undone and b.undone_at is not None
        for name, p in files.items():
            t = s.get(Track, ids[name])
            st = p.stat()
            assert (t.size, t.mtime_ns, t.genres) == (st.st_size, st.st_mtime_ns, old[name])


def test_undo_refuses_a_file_changed_since(lib: Library, template: Path, tmp_path: Path) -> None:
    files = _music(template, tmp_path)
    for p in files.values():
        add_track(lib, p, user_label="hardcore")
    TagWriter(lib).apply(TagRequest())
    edited = files["multi.mp3"]
    tags = ID3(str(edited))
    tags.delall("TCON")
    tags.save(str(edited))  # the user's tag editor, after our batch
    edited_bytes = edited.read_bytes()

    result = undo_batch(lib)

    [refused] = [o for o in result.outcomes if o.status == "refused"]
    assert refused.path == str(edited)
    assert "changed since batch" in (refused.reason or "")
    assert edited.read_bytes() == edited_bytes
    assert result.count("restored") == 2
    assert read_genres(files["v23.mp3"]) == ["Rock", "Pop"]
    rows = _rows(lib)
    assert rows["multi.mp3"].status == TagChangeStatus.WRITTEN  # still undoable later
    # Also refused when only the modification time moved (same genres, same size).
    files2 = {n: p for n, p in files.items() if n != "multi.mp3"}
    batch2 = TagWriter(lib).apply(TagRequest(paths=tuple(str(p) for p in files2.values())))
    touched = files2["v23.mp3"]
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    again = undo_batch(lib, batch2.batch_id)
    assert {Path(o.path).name: o.status for o in again.outcomes} == {
        "v23.mp3": "refused",
        "none.mp3": "restored",
    }


def test_undo_is_safe_to_re_run(lib: Library, template: Path, tmp_path: Path) -> None:
    files = _music(template, tmp_path)
    for p in files.values():
        add_track(lib, p, user_label="metal")
    first = TagWriter(lib).apply(TagRequest()).batch_id
    undo_batch(lib, first)

    again = undo_batch(lib, first)  # explicitly: nothing left
    assert again.outcomes == []
    with pytest.raises(UndoError, match="nothing to undo"):
        undo_batch(lib)
    with pytest.raises(UndoError, match="no tag batch 99"):
        undo_batch(lib, 99)


def test_default_undo_takes_the_newest_batch_not_yet_undone(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = make_mp3(template, tmp_path / "x.mp3", ["Rock"])
    add_track(lib, path, user_label="metal")
    b1 = TagWriter(lib).apply(TagRequest(mode="add")).batch_id  # Rock → Rock; Metal
    b2 = TagWriter(lib).apply(TagRequest(mode="replace")).batch_id  # → Metal
    with lib.session() as session:
        assert last_undoable_batch(session) == b2

    assert undo_batch(lib).batch_id == b2
    assert read_genres(path) == ["Rock", "Metal"]
    assert undo_batch(lib).batch_id == b1
    assert read_genres(path) == ["Rock"]


def test_undo_of_an_older_batch_refuses_files_a_later_batch_rewrote(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = make_mp3(template, tmp_path / "x.mp3", ["Rock"])
    add_track(lib, path, user_label="metal")
    b1 = TagWriter(lib).apply(TagRequest(mode="add")).batch_id
    TagWriter(lib).apply(TagRequest(mode="replace"))

    result = undo_batch(lib, b1)

    assert [o.status for o in result.outcomes] == ["refused"]
    assert read_genres(path) == ["Metal"]


def test_an_interrupted_undo_is_finished_by_re_running(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = make_mp3(template, tmp_path / "x.mp3", ["Rock", "Punk"])
    add_track(lib, path, user_label="metal")
    batch = TagWriter(lib).apply(TagRequest()).batch_id
    # Killed after marking the row and restoring the file, before recording it.
    with lib.session() as s, s.begin():
        s.scalars(select(TagChange)).one().error = UNDO_MARK
    write_genres(path, ["Rock", "Punk"])

    result = undo_batch(lib, batch)

    assert [o.status for o in result.outcomes] == ["restored"]
    assert _rows(lib)["x.mp3"].status == TagChangeStatus.UNDONE
    assert read_genres(path) == ["Rock", "Punk"]


def test_undo_finishes_a_killed_batch_from_its_pending_rows(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = make_mp3(template, tmp_path / "x.mp3", ["Rock"])
    tid = add_track(lib, path, user_label="metal")
    st = path.stat()
    with lib.session() as s, s.begin():
        batch = TagBatch(mode="add", labels={}, counts={}, notes=BatchNotes(pid=None).to_text())
        s.add(batch)
        s.flush()
        s.add(
            TagChange(
                batch_id=batch.id,
                track_id=tid,
                path=str(path),
                old_genres=["Rock"],
                new_genres=["Rock", "Metal"],
                old_size=st.st_size,
                old_mtime_ns=st.st_mtime_ns,
                status=TagChangeStatus.PENDING,
            )
        )
        batch_id = batch.id
    write_genres(path, ["Rock", "Metal"])

    result = undo_batch(lib)

    assert result.batch_id == batch_id
    assert [c.action for c in result.recovered] == [TagChangeStatus.WRITTEN]
    assert [o.status for o in result.outcomes] == ["restored"]
    assert read_genres(path) == ["Rock"]


def test_undo_removes_the_extra_fields_the_batch_wrote(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = make_mp3(template, tmp_path / "x.mp3", ["Rock"], v2_version=3)
    add_track(lib, path, user_label="metal")
    TagWriter(lib).apply(TagRequest(options=TagOptions(id3v23_separator=" / ", extra_fields=True)))
    assert ID3(str(path)).getall("TXXX:MHT_MODEL") == []  # a person's decision: no model name

    undo_batch(lib)

    tags = ID3(str(path))
    assert read_genres(path) == ["Rock"]
    assert [k for k in tags if k.startswith("TXXX:MHT")] == []


def test_history_counts(lib: Library, template: Path, tmp_path: Path) -> None:
    files = _music(template, tmp_path)
    for p in files.values():
        add_track(lib, p, user_label="metal")
    stale = files["none.mp3"]
    st = stale.stat()
    os.utime(stale, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    b1 = TagWriter(lib).apply(TagRequest(mode="add")).batch_id
    b2 = TagWriter(lib).apply(TagRequest(mode="add")).batch_id  # all tagged or stale already
    undo_batch(lib, b1)

    h = history(lib)

    assert [b.id for b in h] == [b2, b1]
    assert (
        h[1].mode == "add"
        and h[1].undone
        and h[1].labels == {"metal": "Metal", "hardcore": "Hardcore"}
    )
    assert h[1].counts == {
        "written": 0,
        "skipped": 0,
        "stale": 1,
        "error": 0,
        "undone": 2,
        "pending": 0,
    }
    # The second batch found nothing to write: 2 files already tagged, 1 still stale.
    assert h[0].counts == {
        "written": 0,
        "skipped": 2,
        "stale": 1,
        "error": 0,
        "undone": 0,
        "pending": 0,
    }
    assert h[0].undone is False
