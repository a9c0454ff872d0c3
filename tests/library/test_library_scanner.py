from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from audio_factory import write_tone
from library_helpers import MakeLibrary, set_mtime_later, tag_mp3
from sqlalchemy import func, select

from tagger.library import scanner
from tagger.library.genre_map import GenreMap, GenreRule
from tagger.library.progress import Progress
from tagger.library.records import record_prediction
from tagger.library.review import record_decision
from tagger.library.scanner import scan
from tagger.library.schema import Label, ModelRecord, Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction, WindowPrediction

pytestmark = pytest.mark.both_backends


def tracks(library: Library) -> dict[str, Track]:
    with library.session() as s:
        return {Path(t.path).name: t for t in s.scalars(select(Track))}


def add_prediction(library: Library, path: Path, label: str = "metal") -> None:
    with library.session() as s, s.begin():
        model = s.scalar(select(ModelRecord)) or ModelRecord(
            name="m", path="/m", sha256="0" * 64, classes=["hardcore", "metal"], metrics={}
        )
        s.add(model)
        s.flush()
        track = s.scalar(select(Track).where(Track.path == str(path)))
        p = (0.1, 0.9) if label == "metal" else (0.9, 0.1)
        prediction = TrackPrediction(
            str(path),
            "m",
            ("hardcore", "metal"),
            label,
            max(p),
            dict(zip(("hardcore", "metal"), p, strict=True)),
            (WindowPrediction(0.0, 1.0, p),),
            1.0,
        )
        record_prediction(s, track.id, model.id, prediction)


@pytest.fixture
def messy(make_music: MakeLibrary, tmp_path: Path) -> Path:
    """~200 files in mixed formats plus the things real folders hold."""
    root = tmp_path / "music"
    make_music(200, root)
    odd = root / "Ünïcødé Bänd" / "Альбом"
    make_music(3, odd, start=200)
    (root / "Artist 1" / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "Artist 1" / "notes.txt").write_text("hi")
    (root / ".Trash").mkdir()
    (root / ".Trash" / "deleted.mp3").write_bytes(b"x")
    (root / "Artist 2" / ".hidden.mp3").write_bytes(b"x")
    (root / "bad").mkdir()
    (root / "bad" / "empty.mp3").write_bytes(b"")
    (root / "bad" / "random.mp3").write_bytes(os.urandom(5000))
    good = next(root.rglob("*.flac"))
    (root / "bad" / "truncated.flac").write_bytes(good.read_bytes()[:300])
    os.symlink(root, root / "Artist 3" / "loop")
    return root


def test_first_scan_then_unchanged_rescan_reads_nothing(
    library: Library, messy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports: list[Progress] = []
    result = scan(library, [messy], progress=reports.append)
    assert result.found == 206
    assert (result.added, result.unchanged, result.errors) == (206, 0, 3)
    rows = tracks(library)
    assert {rows[n].status for n in ("empty.mp3", "random.mp3", "truncated.flac")} == {"error"}
    assert "empty" in rows["empty.mp3"].error
    good = [t for t in rows.values() if t.status != TrackStatus.ERROR]
    assert len(good) == 203 and all(t.status == TrackStatus.NEW for t in good)
    assert {t.format for t in good} >= {"mp3", "flac", "ogg", "wav"}
    assert all(t.duration and t.fingerprint and t.sample_rate for t in good)
    assert any("Ünïcødé" in t.path for t in good)
    assert reports[-1].phase == "read" and reports[-1].done == reports[-1].total == 206

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an unchanged library must not be read")

    monkeypatch.setattr(scanner, "read_tags", forbidden)
    monkeypatch.setattr(scanner, "probe", forbidden)
    monkeypatch.setattr(scanner, "fingerprint", forbidden)
    again = scan(library, [messy])
    assert (again.found, again.unchanged, again.added, again.reread) == (206, 206, 0, 0)


def test_changed_moved_deleted_and_returning_files(
    library: Library, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    files = make_music(10, root)
    scan(library, [root])
    mp3 = files["000 track.mp3"]
    moved_src = files["001 track.flac"]
    for name in ("000 track.mp3", "001 track.flac"):
        add_prediction(library, files[name])
    with library.session() as s, s.begin():
        tid = s.scalar(select(Track.id).where(Track.path == str(moved_src)))
        record_decision(s, [tid], "hardcore")

    tag_mp3(mp3, genre="Death Metal", title="Retagged")  # tag-only change
    set_mtime_later(mp3)
    moved_dest = root / "Elsewhere" / "renamed.flac"
    moved_dest.parent.mkdir()
    shutil.move(moved_src, moved_dest)
    files["002 track.ogg"].unlink()

    result = scan(library, [root])
    assert (result.reread, result.moved, result.missing, result.added) == (1, 1, 1, 0)
    rows = tracks(library)
    assert rows["000 track.mp3"].title == "Retagged"
    assert rows["000 track.mp3"].genres == ["Death Metal"]
    assert rows["000 track.mp3"].status == TrackStatus.OK  # same audio: prediction still holds
    assert rows["002 track.ogg"].status == TrackStatus.MISSING
    assert "001 track.flac" not in rows
    moved = rows["renamed.flac"]
    assert moved.id == tid and moved.user_label == "hardcore"
    with library.session() as s:
        assert s.scalar(select(func.count(Prediction.id)).where(Prediction.track_id == tid)) == 1
        assert s.scalar(select(func.count(Label.id)).where(Label.track_id == tid)) == 1

    # the audio of a classified file changes: it must be classified again
    shutil.copyfile(files["005 track.mp3"], mp3)
    set_mtime_later(mp3)
    scan(library, [root])
    assert tracks(library)["000 track.mp3"].status == TrackStatus.CHANGED

    # a missing file that comes back (here: moved back somewhere else) keeps its row
    missing_id = rows["002 track.ogg"].id
    make_music(1, root / "Back", start=2)
    result = scan(library, [root])
    back = tracks(library)["002 track.ogg"]
    assert back.id == missing_id and back.status == TrackStatus.NEW and "Back" in back.path
    assert result.moved == 1


def test_interrupted_scan_keeps_work_and_the_next_scan_resumes(
    library: Library, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    make_music(60, root)
    stop = threading.Event()

    def progress(p: Progress) -> None:
        if p.phase == "read" and p.done == 30:
            stop.set()

    first = scan(library, [root], progress=progress, cancel=stop)
    assert first.cancelled and first.added == 30
    assert len(tracks(library)) == 30
    second = scan(library, [root])
    assert not second.cancelled
    assert (second.unchanged, second.added) == (30, 30)
    assert len(tracks(library)) == 60


def test_scope_from_existing_genre_tags(
    library: Library, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    files = make_music(15, root)
    mp3s = [p for n, p in sorted(files.items()) if n.endswith(".mp3")]
    tag_mp3(mp3s[0], genre="Jazz")
    tag_mp3(mp3s[1], genre="Melodic Death Metal")
    tag_mp3(mp3s[2], genre="")
    scan(library, [root])
    rows = tracks(library)
    assert rows[mp3s[0].name].status == TrackStatus.OUT_OF_SCOPE
    assert rows[mp3s[1].name].status == TrackStatus.NEW
    assert rows[mp3s[2].name].status == TrackStatus.NEW
    # another genre map applies to tracks read from then on
    set_mtime_later(mp3s[1])
    scan(library, [root], scope=GenreMap((GenreRule("jazz", "metal"),)))
    assert tracks(library)[mp3s[1].name].status == TrackStatus.OUT_OF_SCOPE


def test_scanning_one_folder_leaves_other_folders_alone(
    library: Library, make_music: MakeLibrary, tmp_path: Path
) -> None:
    make_music(5, tmp_path / "a")
    make_music(5, tmp_path / "b", start=5)
    scan(library, [tmp_path / "a", tmp_path / "b"])
    shutil.rmtree(tmp_path / "b")
    result = scan(library, [tmp_path / "a"])
    assert result.missing == 0
    assert result.unchanged == 5
    assert scan(library, [tmp_path / "b"]).missing == 5


def test_an_asf_file_is_found_and_read(library: Library, tmp_path: Path) -> None:
    """Regression: the walk had its own extension list without .asf (audio/formats.py has it)."""
    path = write_tone(tmp_path / "music" / "song.asf", 1.0, 22_050, 220.0)
    result = scan(library, [tmp_path / "music"])
    assert (result.found, result.added, result.errors) == (1, 1, 0)
    with library.session() as s:
        track = s.scalars(select(Track)).one()
    assert track.path == str(path) and track.duration == pytest.approx(1.0, abs=0.1)
