"""Read, write and verify on the real clips in ../shared/audio (copied first: read-only)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tag_test_files import other_fields, packet_checksums

from tagger.tags import TagOptions, merge_genres, read_genres, read_tags, write_genres

CLIPS_DIR = Path(__file__).resolve().parents[3] / "shared" / "audio"
CLIPS = sorted(CLIPS_DIR.glob("*.ogg")) if CLIPS_DIR.is_dir() else []

pytestmark = pytest.mark.skipif(not CLIPS, reason=f"no clips in {CLIPS_DIR}")


@pytest.mark.parametrize("clip", CLIPS, ids=[c.name[:24] for c in CLIPS])
def test_real_clip_round_trip(tmp_path: Path, clip: Path) -> None:
    path = tmp_path / clip.name
    shutil.copyfile(clip, path)
    path.chmod(0o644)
    before = read_tags(path)
    assert before.format == "vorbis"
    fields, packets = other_fields(path), packet_checksums(path)

    wanted = merge_genres(before.genres, "Metal", "add")
    write_genres(path, wanted, TagOptions(extra_fields=True), confidence=0.81, model="test")
    after = read_tags(path)
    assert after.genres == wanted
    assert (after.title, after.artist, after.album, after.year) == (
        before.title,
        before.artist,
        before.album,
        before.year,
    )
    assert other_fields(path) == fields
    assert packet_checksums(path) == packets

    write_genres(path, merge_genres(read_genres(path), "Hardcore", "replace"))
    assert read_genres(path) == ["Hardcore"]
    assert packet_checksums(path) == packets
