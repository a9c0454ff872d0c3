"""`tag --apply` then `undo` gives back every file byte for byte (issue 9 item 4).

Real files: mp3s tagged the ways that used to come back different (a Latin-1 TCON, an ID3v1 tag
with genre 255 and its own title, v2.3 "Rock;Pop", cover art, v2.2), flac, m4a, ogg and opus
carrying rich tags, and the real clips of /work/shared/audio when present.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import APIC, COMM, ID3, TCON, TIT2, TPE1, TYER, Encoding
from sqlalchemy import select
from tag_library_helpers import add_track
from tags.tag_test_files import add_rich_tags, encode

from tagger.library.schema import TagChange, TagChangeStatus
from tagger.library.store import Library
from tagger.library.tagging import TagRequest, TagWriter, recover_interrupted, undo_batch
from tagger.library.tagging.recovery import UNDO_MARK
from tagger.tags import read_genres
from tagger.tags.safe_write import TEMP_MARKER

pytestmark = pytest.mark.both_backends


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _id3v1(title: bytes, genre: int) -> bytes:
    return (
        b"TAG"
        + title.ljust(30, b"\0")
        + b"Old Artist".ljust(30, b"\0")
        + b"Album".ljust(30, b"\0")
        + b"1999"
        + b"v1 comment".ljust(28, b"\0")
        + b"\0\x07"
        + bytes([genre])
    )


def _mp3s(base: Path, folder: Path) -> list[Path]:
    """mp3s whose tags a re-encoding undo would change."""
    made: list[Path] = []

    def copy(name: str) -> Path:
        p = folder / name
        shutil.copyfile(base, p)
        made.append(p)
        return p

    latin = ID3()
    latin.add(TIT2(encoding=Encoding.LATIN1, text="Café"))
    latin.add(TCON(encoding=Encoding.LATIN1, text="Rock"))
    latin.add(TYER(encoding=Encoding.LATIN1, text="1994"))
    latin.update_to_v23()
    latin.save(str(copy("latin1_tcon.mp3")), v2_version=3)

    for genre in (255, 17, 137):
        p = copy(f"v1_genre_{genre}.mp3")
        tags = ID3()
        tags.add(TIT2(encoding=Encoding.UTF16, text="v2 title"))
        tags.add(TCON(encoding=Encoding.LATIN1, text="Punk"))
        tags.update_to_v23()
        tags.save(str(p), v2_version=3, v1=0)
        with open(p, "ab") as f:  # a v1 tag of its own, not mutagen's copy of the v2 frames
            f.write(_id3v1(b"v1 only title", genre))

    semi = ID3()
    semi.add(TCON(encoding=Encoding.LATIN1, text="Rock;Pop"))
    semi.add(TPE1(encoding=Encoding.UTF16, text="Band"))
    semi.add(
        APIC(encoding=Encoding.LATIN1, mime="image/png", type=3, desc="", data=b"\x89PNG" * 900)
    )
    semi.add(COMM(encoding=Encoding.LATIN1, lang="eng", desc="", text="kept"))
    semi.update_to_v23()
    semi.save(str(copy("v23_semicolon_apic.mp3")), v2_version=3, padding=lambda _info: 17)

    add_rich_tags("mp3_v24", copy("rich_v24.mp3"))
    copy("no_tag.mp3")
    return made


def _others(tmp_path: Path, folder: Path) -> list[Path]:
    made: list[Path] = []
    for kind in ("flac", "m4a", "ogg", "opus"):
        p = encode(kind, folder / f"rich.{'ogg' if kind == 'ogg' else kind}")
        add_rich_tags(kind, p)
        made.append(p)
    return made


def _apply_then_undo(lib: Library, files: list[Path]) -> None:
    for p in files:
        add_track(lib, p, user_label="metal")
    result = TagWriter(lib).apply(TagRequest(mode="add"))
    written = [c for c in result.changes if c.status == TagChangeStatus.WRITTEN]
    assert len(written) == len(files), [(c.path, c.status, c.reason) for c in result.changes]
    undone = undo_batch(lib, result.batch_id)
    assert undone.count("restored") == len(files), undone.outcomes


def test_apply_then_undo_gives_back_every_file_byte_for_byte(lib: Library, tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    base = encode("mp3", tmp_path / "base.mp3")
    files = _mp3s(base, folder) + _others(tmp_path, folder)
    before = {p.name: sha(p) for p in files}

    _apply_then_undo(lib, files)

    assert {p.name: sha(p) for p in files} == before
    assert not list(folder.glob(f".*{TEMP_MARKER}*"))


def test_the_real_clips_come_back_byte_for_byte(
    lib: Library, tmp_path: Path, shared_clips: list[Path]
) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    files = [Path(shutil.copyfile(c, folder / c.name)) for c in shared_clips[:4]]
    before = {p.name: sha(p) for p in files}

    _apply_then_undo(lib, files)

    assert {p.name: sha(p) for p in files} == before


def test_an_undo_killed_mid_file_leaves_nothing_behind(lib: Library, tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    [p] = _mp3s(encode("mp3", tmp_path / "base.mp3"), folder)[:1]
    original = sha(p)
    for other in folder.iterdir():
        if other != p:
            other.unlink()
    add_track(lib, p, user_label="metal")
    batch = TagWriter(lib).apply(TagRequest()).batch_id
    # What a kill during undo leaves: the row marked, a half-made copy beside the file.
    with lib.session() as s, s.begin():
        row = s.scalars(select(TagChange)).one()
        row.error = UNDO_MARK
    leftover = folder / f".{p.name}{TEMP_MARKER}abcd1234"
    leftover.write_bytes(p.read_bytes()[:100])

    recover_interrupted(lib)  # what the next command that touches the library runs first

    assert not leftover.exists()
    undo_batch(lib, batch)
    assert sha(p) == original
    assert read_genres(p) == ["Rock"]
