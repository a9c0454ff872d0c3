from __future__ import annotations

import os
from pathlib import Path

import pytest

from tagger.library import walk
from tagger.library.walk import is_audio_name, walk_audio


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_finds_audio_skips_hidden_and_other_files(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "one.mp3")
    touch(tmp_path / "a" / "b" / "Twö – ünïcode.FLAC")
    touch(tmp_path / "a" / "cover.jpg")
    touch(tmp_path / "a" / "notes.txt")
    touch(tmp_path / "a" / ".hidden.mp3")
    touch(tmp_path / ".hidden-folder" / "x.mp3")
    touch(tmp_path / "noext")
    found = sorted(Path(f.path).name for f in walk_audio([tmp_path]))
    assert found == ["Twö – ünïcode.FLAC", "one.mp3"]


def test_symlink_loop_and_duplicate_links_visit_each_file_once(tmp_path: Path) -> None:
    touch(tmp_path / "music" / "sub" / "song.ogg")
    os.symlink(tmp_path / "music", tmp_path / "music" / "sub" / "loop")
    os.symlink(tmp_path / "music" / "sub", tmp_path / "music" / "again")
    os.symlink(tmp_path / "music" / "sub" / "song.ogg", tmp_path / "music" / "link.ogg")
    os.symlink(tmp_path / "nowhere.mp3", tmp_path / "music" / "dangling.mp3")
    errors: list[tuple[str, str]] = []
    found = list(walk_audio([tmp_path / "music"], on_error=lambda p, why: errors.append((p, why))))
    assert [(Path(f.path).name, f.problem) for f in found] == [
        ("dangling.mp3", "broken symbolic link"),
        ("link.ogg", None),
    ]
    assert errors == []


def test_links_to_devices_are_not_regular_files_and_never_opened(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "endless.mp3")
    os.mkfifo(tmp_path / "pipe.flac")  # opening a FIFO would wait forever
    os.symlink("/dev/zero", tmp_path / "root-link.mp3")
    found = list(walk_audio([tmp_path]))
    assert sorted((Path(f.path).name, f.problem) for f in found) == [
        ("endless.mp3", "not a regular file"),
        ("pipe.flac", "not a regular file"),
        ("root-link.mp3", "not a regular file"),
    ]


def test_hidden_audio_files_and_folders_are_told_not_other_dot_files(tmp_path: Path) -> None:
    touch(tmp_path / "seen.mp3")
    touch(tmp_path / ".secret.mp3")
    touch(tmp_path / ".config" / "x.mp3")
    touch(tmp_path / ".DS_Store")
    hidden: list[str] = []
    found = list(walk_audio([tmp_path], on_hidden=hidden.append))
    assert [Path(f.path).name for f in found] == ["seen.mp3"]
    assert sorted(Path(p).name for p in hidden) == [".config", ".secret.mp3"]


def test_unreadable_folder_is_reported_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path / "locked" / "a.mp3")
    touch(tmp_path / "open" / "b.mp3")
    real_scandir = os.scandir

    def scandir(path):  # chmod does not stop root, so refuse by name
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    errors: list[tuple[str, str]] = []
    found = list(walk_audio([tmp_path], on_error=lambda p, why: errors.append((p, why))))
    assert [Path(f.path).name for f in found] == ["b.mp3"]
    assert errors == [(str(tmp_path / "locked"), "Permission denied")]


def test_a_root_may_be_a_single_file_or_missing(tmp_path: Path) -> None:
    song = touch(tmp_path / "x.wav", b"1234")
    errors: list[tuple[str, str]] = []
    found = list(walk_audio([song, tmp_path / "gone"], on_error=lambda p, w: errors.append((p, w))))
    assert [(f.path, f.size) for f in found] == [(str(song), 4)]
    assert len(errors) == 1


@pytest.mark.parametrize(
    ("name", "audio"),
    [
        ("a.mp3", True),
        ("A.M4A", True),
        ("x.opus", True),
        ("x.mpc", True),
        ("a.mp3.txt", False),
        ("mp3", False),
        ("x.jpg", False),
    ],
)
def test_audio_extensions(name: str, audio: bool) -> None:
    assert is_audio_name(name) is audio
