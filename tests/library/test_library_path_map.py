"""A library root mapped per host: two hosts mount the same storage at different points."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from library_helpers import MakeLibrary
from sqlalchemy import select

from tagger.library.path_map import PathMap, PathMapError
from tagger.library.pipeline import run_classification, select_for_classification
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.schema import Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import Predictor


def test_translation_both_ways_on_whole_components() -> None:
    paths = PathMap.parse("/mnt/a=/srv/music; /mnt/a/deep=/srv/deep")
    assert paths.to_library("/mnt/a/x/1.mp3") == "/srv/music/x/1.mp3"
    assert paths.to_library("/mnt/a/deep/1.mp3") == "/srv/deep/1.mp3"  # the longest prefix
    assert paths.to_library("/mnt/ab/1.mp3") == "/mnt/ab/1.mp3"  # not a component match
    assert paths.to_local("/srv/music/x/1.mp3") == "/mnt/a/x/1.mp3"
    assert PathMap.parse("").to_local("/srv/1.mp3") == "/srv/1.mp3"
    for bad in ("/mnt/a", "relative=/srv", "/mnt=srv"):
        with pytest.raises(PathMapError):
            PathMap.parse(bad)


def test_a_linked_mount_point_also_matches_its_real_path(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    paths = PathMap.parse(f"{tmp_path / 'link'}=/srv/music")
    assert paths.to_library(str(tmp_path / "real" / "1.mp3")) == "/srv/music/1.mp3"
    assert paths.to_library(str(tmp_path / "link" / "1.mp3")) == "/srv/music/1.mp3"
    assert paths.to_local("/srv/music/1.mp3") == str(tmp_path / "link" / "1.mp3")


def test_a_second_host_sees_the_same_tracks_and_decodes_its_own_mount(
    library: Library,
    tiny_model: Path,
    make_music: MakeLibrary,
    tmp_path: Path,
) -> None:
    """Each host's map is its open library's `paths` (Library.open reads TAGGER_PATH_MAP)."""
    first, second = tmp_path / "host-a", tmp_path / "host-b"
    make_music(3, first)
    library.paths = PathMap.parse(f"{first}=/srv/music")
    assert scan(library, [first]).added == 3
    with library.session() as s:
        assert all(p.startswith("/srv/music/") for p in s.scalars(select(Track.path)))

    shutil.copytree(first, second)  # the same storage, mounted elsewhere (mtimes kept)
    shutil.rmtree(first)
    library.paths = PathMap.parse(f"{second}=/srv/music")
    result = scan(library, [second])
    assert (result.unchanged, result.added, result.missing) == (3, 0, 0)
    predictor = Predictor.load(tiny_model)
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    batch = run_classification(
        library, predictor, select_for_classification(library, model_id), workers=1
    )
    assert (batch.classified, batch.failed) == (3, 0)
    with library.session() as s:
        assert set(s.scalars(select(Track.status))) == {TrackStatus.OK}
