"""TagWriter: preview, modes, who decides, filters, back-up-first, stale files, per-file errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from sqlalchemy import func, select
from tag_library_helpers import add_track, fake_model, make_mp3

from tagger.library.fingerprint import fingerprint
from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, Track, TrackStatus
from tagger.library.store import Library
from tagger.library.tag_writer import (
    Action,
    BatchNotes,
    TagRequest,
    TagWriter,
    batch_summaries,
    recover_interrupted,
)
from tagger.library.tagging import batch_writer as tag_writer
from tagger.tags import TagOptions, read_genres, write_genres

pytestmark = pytest.mark.both_backends


@pytest.fixture
def model_id(lib: Library) -> int:
    return fake_model(lib)


def _mp3(template: Path, tmp_path: Path, name: str, genres: list[str] | None, **kw) -> Path:
    return make_mp3(template, tmp_path / "music" / name, genres, **kw)


def _rows(lib: Library) -> list[TagChange]:
    with lib.session() as s:
        return list(s.scalars(select(TagChange).order_by(TagChange.id)))


def _track(lib: Library, track_id: int) -> Track:
    with lib.session() as s:
        track = s.get(Track, track_id)
        assert track is not None
        return track


def test_preview_writes_nothing(
    lib: Library, template: Path, tmp_path: Path, model_id: int
) -> None:
    a = _mp3(template, tmp_path, "a.mp3", ["Rock"])
    b = _mp3(template, tmp_path, "b.mp3", None)
    add_track(lib, a, model_id=model_id, predicted="metal")
    add_track(lib, b, user_label="hardcore")
    before = {p: p.read_bytes() for p in (a, b)}
    mtimes = {p: p.stat().st_mtime_ns for p in (a, b)}

    plan = TagWriter(lib).plan(TagRequest())

    by_path = {Path(c.path).name: c for c in plan.changes}
    assert by_path["a.mp3"].action == Action.WRITE
    assert (by_path["a.mp3"].old_genres, by_path["a.mp3"].new_genres) == (
        ["Rock"],
        ["Rock", "Metal"],
    )
    assert (by_path["b.mp3"].old_genres, by_path["b.mp3"].new_genres) == ([], ["Hardcore"])
    assert plan.count(Action.WRITE) == 2
    for p in (a, b):
        assert p.read_bytes() == before[p]
        assert p.stat().st_mtime_ns == mtimes[p]
    with lib.session() as s:
        assert s.scalar(select(func.count(TagBatch.id))) == 0
        assert s.scalar(select(func.count(TagChange.id))) == 0


@pytest.mark.parametrize(
    ("mode", "old", "new"),
    [
        ("add", ["Rock", "Punk"], ["Rock", "Punk", "Metal"]),
        ("add", ["metal"], ["metal"]),  # already there, compared case-insensitively
        ("add", [], ["Metal"]),
        ("replace", ["Rock", "Punk"], ["Metal"]),
        ("replace", [], ["Metal"]),
        ("fill", ["Rock"], ["Rock"]),
        ("fill", None, ["Metal"]),
    ],
)
def test_modes(
    lib: Library,
    template: Path,
    tmp_path: Path,
    model_id: int,
    mode: str,
    old: list[str] | None,
    new: list[str],
) -> None:
    path = _mp3(template, tmp_path, "x.mp3", old)
    tid = add_track(lib, path, model_id=model_id, predicted="metal")

    result = TagWriter(lib).apply(TagRequest(mode=mode))  # type: ignore[arg-type]

    assert read_genres(path) == new
    changed = new != (old or [])
    assert result.count(TagChangeStatus.WRITTEN) == int(changed)
    assert result.count(Action.UNCHANGED) == int(not changed)
    assert _track(lib, tid).genres == new
    rows = _rows(lib)
    assert len(rows) == int(changed)  # an unchanged file gets no backup row


def test_user_decision_beats_model(
    lib: Library, template: Path, tmp_path: Path, model_id: int
) -> None:
    path = _mp3(template, tmp_path, "x.mp3", None)
    add_track(
        lib, path, model_id=model_id, predicted="metal", confidence=0.99, user_label="hardcore"
    )

    TagWriter(lib).apply(TagRequest(mode="replace", label="hardcore"))

    assert read_genres(path) == ["Hardcore"]
    # --label matches the effective label, so the model's class selects nothing.
    plan = TagWriter(lib).plan(TagRequest(mode="replace", label="metal"))
    assert plan.changes == []


def test_min_confidence_and_reviewed_only(
    lib: Library, template: Path, tmp_path: Path, model_id: int
) -> None:
    sure = _mp3(template, tmp_path, "sure.mp3", None)
    unsure = _mp3(template, tmp_path, "unsure.mp3", None)
    person = _mp3(template, tmp_path, "person.mp3", None)
    add_track(lib, sure, model_id=model_id, predicted="metal", confidence=0.95)
    add_track(lib, unsure, model_id=model_id, predicted="metal", confidence=0.55)
    # A person's decision qualifies although the model was unsure.
    add_track(
        lib, person, model_id=model_id, predicted="metal", confidence=0.51, user_label="hardcore"
    )

    plan = TagWriter(lib).plan(TagRequest(min_confidence=0.8))
    assert sorted(Path(c.path).name for c in plan.changes) == ["person.mp3", "sure.mp3"]
    assert plan.skipped == {"low-confidence": 1}

    plan = TagWriter(lib).plan(TagRequest(reviewed_only=True))
    assert [Path(c.path).name for c in plan.changes] == ["person.mp3"]
    assert plan.skipped == {"not-reviewed": 2}

    TagWriter(lib).apply(TagRequest(min_confidence=0.8))
    assert read_genres(sure) == ["Metal"]
    assert read_genres(unsure) == []
    assert read_genres(person) == ["Hardcore"]


def test_unusable_tracks_are_skipped(
    lib: Library, template: Path, tmp_path: Path, model_id: int
) -> None:
    ok = _mp3(template, tmp_path, "ok.mp3", None)
    add_track(lib, ok, model_id=model_id, predicted="metal")
    for name, status in [
        ("missing.mp3", TrackStatus.MISSING),
        ("error.mp3", TrackStatus.ERROR),
        ("pop.mp3", TrackStatus.OUT_OF_SCOPE),
        ("changed.mp3", TrackStatus.CHANGED),
    ]:
        p = _mp3(template, tmp_path, name, ["Pop"] if status == TrackStatus.OUT_OF_SCOPE else None)
        add_track(lib, p, model_id=model_id, predicted="metal", status=status)
    unclassified = _mp3(template, tmp_path, "new.mp3", None)
    add_track(lib, unclassified, status=TrackStatus.NEW)

    plan = TagWriter(lib).plan(TagRequest())

    assert [Path(c.path).name for c in plan.changes] == ["ok.mp3"]
    assert plan.skipped == {"missing": 1, "error": 1, "out-of-scope": 1, "unclassified": 2}


def test_paths_restrict_by_prefix(lib: Library, template: Path, tmp_path: Path) -> None:
    a = make_mp3(template, tmp_path / "music" / "A" / "1.mp3", None)
    a2 = make_mp3(template, tmp_path / "music" / "AB" / "2.mp3", None)  # not under A/
    b = make_mp3(template, tmp_path / "music" / "B" / "3.mp3", None)
    for p in (a, a2, b):
        add_track(lib, p, user_label="metal")

    plan = TagWriter(lib).plan(
        TagRequest(paths=(os.path.realpath(tmp_path / "music" / "A"), os.path.realpath(b)))
    )

    assert sorted(Path(c.path).name for c in plan.changes) == ["1.mp3", "3.mp3"]


def test_genre_strings_are_configurable(lib: Library, template: Path, tmp_path: Path) -> None:
    path = _mp3(template, tmp_path, "x.mp3", None)
    add_track(lib, path, user_label="metal")

    TagWriter(lib).apply(TagRequest(genre_strings={"Metal": "Heavy Metal"}))

    assert read_genres(path) == ["Heavy Metal"]


def test_backup_row_is_committed_before_the_file_is_touched(
    lib: Library, template: Path, tmp_path: Path, library_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _mp3(template, tmp_path, "x.mp3", ["Rock", "Punk"])
    add_track(lib, path, user_label="metal")
    seen: list[tuple[str, list[str]]] = []
    real_write = tag_writer.write_genres

    def spy(p: str, genres: list[str], *args, **kwargs) -> None:
        # A separate connection sees only committed data.
        other = Library.open(library_db)
        try:
            with other.session() as s:
                row = s.scalars(select(TagChange)).one()
                seen.append((row.status, list(row.old_genres)))
        finally:
            other.close()
        real_write(p, genres, *args, **kwargs)

    monkeypatch.setattr(tag_writer, "write_genres", spy)
    TagWriter(lib).apply(TagRequest())

    assert seen == [(TagChangeStatus.PENDING, ["Rock", "Punk"])]
    assert _rows(lib)[0].status == TagChangeStatus.WRITTEN


def test_after_a_write_the_library_and_the_file_agree(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    path = _mp3(template, tmp_path, "x.mp3", ["Rock"])
    tid = add_track(lib, path, user_label="hardcore")
    old = path.stat()

    result = TagWriter(lib).apply(TagRequest())

    st = path.stat()
    track = _track(lib, tid)
    assert (track.size, track.mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert track.genres == ["Rock", "Hardcore"]
    assert track.fingerprint == fingerprint(path)
    [row] = _rows(lib)
    assert row.batch_id == result.batch_id
    assert (row.old_size, row.old_mtime_ns) == (old.st_size, old.st_mtime_ns)
    assert (row.new_size, row.new_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert (row.old_genres, row.new_genres) == (["Rock"], ["Rock", "Hardcore"])
    # A second run finds nothing to do: the library is up to date and the file already tagged.
    again = TagWriter(lib).apply(TagRequest())
    assert again.count(Action.UNCHANGED) == 1
    assert len(_rows(lib)) == 1


def test_stale_file_is_refused(lib: Library, template: Path, tmp_path: Path) -> None:
    path = _mp3(template, tmp_path, "x.mp3", ["Rock"])
    fresh = _mp3(template, tmp_path, "y.mp3", None)
    add_track(lib, path, user_label="metal")
    add_track(lib, fresh, user_label="metal")
    # Someone edits the file after the scan.
    tags = ID3(str(path))
    tags.delall("TCON")
    tags.save(str(path))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 3_000_000_000))
    before = path.read_bytes()

    plan = TagWriter(lib).plan(TagRequest())
    assert {Path(c.path).name: c.action for c in plan.changes} == {
        "x.mp3": Action.STALE,
        "y.mp3": Action.WRITE,
    }
    result = TagWriter(lib).apply(TagRequest())

    assert path.read_bytes() == before
    assert read_genres(fresh) == ["Metal"]
    assert result.count(TagChangeStatus.STALE) == 1
    stale = [r for r in _rows(lib) if r.path.endswith("x.mp3")]
    assert [r.status for r in stale] == [TagChangeStatus.STALE]
    assert "changed on disk" in (stale[0].error or "")


def test_read_only_and_vanished_files_fail_alone(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    locked = _mp3(template, tmp_path, "a-locked.mp3", ["Rock"])
    gone = _mp3(template, tmp_path, "b-gone.mp3", None)
    fine = _mp3(template, tmp_path, "c-fine.mp3", None)
    for p in (locked, gone, fine):
        add_track(lib, p, user_label="metal")
    os.chmod(locked, stat.S_IRUSR | stat.S_IRGRP)
    gone.unlink()
    before = locked.read_bytes()
    try:
        result = TagWriter(lib).apply(TagRequest())
    finally:
        os.chmod(locked, stat.S_IRUSR | stat.S_IWUSR)

    statuses = {Path(r.path).name: (r.status, r.error) for r in _rows(lib)}
    assert statuses["a-locked.mp3"] == (TagChangeStatus.ERROR, "file is read-only")
    assert statuses["b-gone.mp3"] == (TagChangeStatus.ERROR, "file not found")
    assert statuses["c-fine.mp3"][0] == TagChangeStatus.WRITTEN
    assert locked.read_bytes() == before
    assert read_genres(fine) == ["Metal"]
    assert result.count(TagChangeStatus.ERROR) == 2
    with lib.session() as s:
        [summary] = batch_summaries(s)
    assert summary.counts == {
        "written": 1,
        "skipped": 0,
        "stale": 0,
        "error": 2,
        "undone": 0,
        "pending": 0,
    }
    assert summary.finished


def test_extra_fields_and_separator_are_used(
    lib: Library, template: Path, tmp_path: Path, model_id: int
) -> None:
    path = _mp3(template, tmp_path, "x.mp3", ["Rock"], v2_version=3)
    add_track(lib, path, model_id=model_id, predicted="metal", confidence=0.875)

    TagWriter(lib).apply(TagRequest(options=TagOptions(id3v23_separator=" / ", extra_fields=True)))

    tags = ID3(str(path))
    assert tags.version[:2] == (2, 3)
    assert [str(t) for t in tags.getall("TCON")[0].text] == ["Rock / Metal"]
    assert str(tags.getall("TXXX:MHT_CONFIDENCE")[0]) == "0.8750"
    assert str(tags.getall("TXXX:MHT_MODEL")[0]) == "tiny-model"
    with lib.session() as s:
        notes = BatchNotes.parse(s.scalars(select(TagBatch)).one().notes)
    assert (notes.separator, notes.extra_fields, notes.finished) == (" / ", True, True)


def test_pending_rows_of_a_killed_batch_are_settled_by_re_reading(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    """A crash after the backup row and before its update: the file decides what happened."""
    written = _mp3(template, tmp_path, "written.mp3", ["Rock"])
    untouched = _mp3(template, tmp_path, "untouched.mp3", ["Pop"])
    ids = {p: add_track(lib, p, user_label="metal") for p in (written, untouched)}
    stats = {p: p.stat() for p in (written, untouched)}
    notes = BatchNotes(pid=2**22 + 12345, host="elsewhere")  # a process that is gone
    with lib.session() as s, s.begin():
        batch = TagBatch(mode="add", labels={}, counts={}, notes=notes.to_text())
        s.add(batch)
        s.flush()
        for p, old in [(written, ["Rock"]), (untouched, ["Pop"])]:
            s.add(
                TagChange(
                    batch_id=batch.id,
                    track_id=ids[p],
                    path=str(p),
                    old_genres=old,
                    new_genres=[*old, "Metal"],
                    old_size=stats[p].st_size,
                    old_mtime_ns=stats[p].st_mtime_ns,
                    status=TagChangeStatus.PENDING,
                )
            )
        batch_id = batch.id
    write_genres(written, ["Rock", "Metal"])  # the write went through, then the kill
    leftover = written.with_name(".written.mp3.tagger-tmp-abc123")
    leftover.write_bytes(b"half a copy")

    settled = recover_interrupted(lib)

    assert {Path(c.path).name: c.action for c in settled} == {
        "written.mp3": TagChangeStatus.WRITTEN,
        "untouched.mp3": TagChangeStatus.SKIPPED,
    }
    assert not leftover.exists()
    st = written.stat()
    row = next(r for r in _rows(lib) if r.path == str(written))
    assert (row.new_size, row.new_mtime_ns) == (st.st_size, st.st_mtime_ns)
    track = _track(lib, ids[written])
    assert (track.size, track.mtime_ns, track.genres) == (
        st.st_size,
        st.st_mtime_ns,
        ["Rock", "Metal"],
    )
    with lib.session() as s:
        assert BatchNotes.parse(s.get(TagBatch, batch_id).notes).finished
    # A re-run finishes the job: the written file is already tagged, the other one is written.
    result = TagWriter(lib).apply(TagRequest())
    assert {Path(c.path).name: c.action for c in result.changes} == {
        "written.mp3": Action.UNCHANGED,
        "untouched.mp3": TagChangeStatus.WRITTEN,
    }
    assert read_genres(untouched) == ["Pop", "Metal"]
