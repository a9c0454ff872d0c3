"""Doubts about a track's own tag class from the last training: kept, listed, ended."""

from __future__ import annotations

import pytest
from album_library import add_predicted_tracks

from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.queries import TrackFilter, fetch_tracks, track_detail
from tagger.library.review import record_decision
from tagger.library.schema import Track
from tagger.library.store import Library
from tagger.library.tag_class import settle
from tagger.library.tag_doubts import record_tag_doubts
from tagger.library.track_rows import SmartList

pytestmark = pytest.mark.both_backends

CONFLICTS = TrackFilter(SmartList.CONFLICTS)


@pytest.fixture
def ids(library: Library) -> dict[str, int]:
    # name: (genres, metal probability); every model verdict agrees with the track's tags
    specs = {
        "thrash": (["Thrash Metal"], 0.95),
        "nyhc": (["NYHC"], 0.1),
        "death": (["Death Metal"], 0.9),
        "untagged": ([], 0.9),
    }
    with library.session() as s, s.begin():
        ids = add_predicted_tracks(s, specs)
        settle(s, DEFAULT_GENRE_MAP)
    return ids


def _conflicts(library: Library) -> dict[int, float | None]:
    with library.session() as s:
        return {r.id: r.tag_doubt for r in fetch_tracks(s, CONFLICTS)}


def _doubt(library: Library, doubts: dict[str, float]) -> int:
    with library.session() as s, s.begin():
        return record_tag_doubts(s, doubts)


def test_a_doubted_tag_is_listed_though_the_model_agrees_with_it(library, ids):
    assert _conflicts(library) == {}  # every verdict agrees with its tags
    # the untagged track has no tag to doubt; a path the library lacks is passed over
    recorded = _doubt(library, {"/m/nyhc.mp3": -0.48, "/m/untagged.mp3": -0.9, "/m/gone.mp3": -1.0})
    assert recorded == 1
    assert _conflicts(library) == {ids["nyhc"]: pytest.approx(-0.48)}
    with library.session() as s:
        detail = track_detail(s, ids["nyhc"])
        other = track_detail(s, ids["thrash"])
    assert detail is not None and detail.row.tag_doubt == pytest.approx(-0.48)
    assert other is not None and other.row.tag_doubt is None


def test_the_next_training_replaces_the_doubts(library, ids):
    _doubt(library, {"/m/nyhc.mp3": -0.48})
    assert _doubt(library, {"/m/thrash.mp3": -0.2, "/m/death.mp3": -0.1}) == 2
    assert set(_conflicts(library)) == {ids["thrash"], ids["death"]}
    assert _doubt(library, {}) == 0
    assert _conflicts(library) == {}


def test_a_decision_ends_the_doubt_and_is_never_doubted(library, ids):
    _doubt(library, {"/m/nyhc.mp3": -0.48, "/m/thrash.mp3": -0.3})
    with library.session() as s, s.begin():
        record_decision(s, [ids["nyhc"]], "hardcore")  # heard: the tag was right
    assert set(_conflicts(library)) == {ids["thrash"]}
    # a later training does not doubt a decided track, whatever its margin
    assert _doubt(library, {"/m/nyhc.mp3": -0.6}) == 0


def test_a_retag_to_the_other_class_ends_the_doubt(library, ids):
    _doubt(library, {"/m/nyhc.mp3": -0.48})
    with library.session() as s, s.begin():
        s.get(Track, ids["nyhc"]).genres = ["Death Metal"]  # the user fixed the file's tag
        settle(s, DEFAULT_GENRE_MAP)
    # now tagged Metal, predicted Hardcore: listed for that reason, no longer for the doubt
    assert _conflicts(library) == {ids["nyhc"]: None}
