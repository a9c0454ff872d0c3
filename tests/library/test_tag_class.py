"""Each track's own tag class, and the review queue leaving out what the user's tags confirm."""

from __future__ import annotations

import pytest
from album_library import add_predicted_tracks
from sqlalchemy import select

from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap, GenreRule
from tagger.library.queries import review_queue
from tagger.library.review import ReviewRule
from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, Track
from tagger.library.store import Library
from tagger.library.tag_class import settle

UNSURE_METAL = 0.6  # below the default threshold of 0.8: the rule alone would send it to review


@pytest.fixture
def ids(library: Library) -> dict[str, int]:
    # name: (genres, metal probability)
    specs = {
        "thrash": (["Thrash Metal"], UNSURE_METAL),  # its tag says what the model leans to
        "nyhc": (["NYHC"], UNSURE_METAL),  # its tag says the other class
        "untagged": ([], UNSURE_METAL),
        "crossover": (["Crossover"], 1 - UNSURE_METAL),  # ambiguous by default
        "both": (["Death Metal", "Hardcore Punk"], UNSURE_METAL),  # two classes: no tag class
        "written": (["Metal"], UNSURE_METAL),  # only a genre this program wrote
        "sure": (["Jazz"], 0.97),  # confident: never in review, whatever its tags
    }
    with library.session() as s, s.begin():
        out = add_predicted_tracks(s, specs)
        batch = TagBatch(mode="add")
        s.add(batch)
        s.flush()
        s.add(
            TagChange(
                batch_id=batch.id,
                track_id=out["written"],
                path="/m/written.mp3",
                old_genres=[],
                new_genres=["Metal"],
                status=TagChangeStatus.WRITTEN.value,
            )
        )
    return out


def _queue(library: Library, genre_map: GenreMap = DEFAULT_GENRE_MAP) -> set[int]:
    with library.session() as s, s.begin():
        settle(s, genre_map)
    with library.session() as s:
        return {r.id for r in review_queue(s, ReviewRule())}


def _tag_classes(library: Library) -> dict[int, str | None]:
    with library.session() as s:
        return {tid: c for tid, c in s.execute(select(Track.id, Track.tag_class))}


def test_an_unsure_track_its_own_tags_confirm_is_not_sent_to_review(library, ids) -> None:
    queue = _queue(library)
    assert ids["thrash"] not in queue
    # against its tags, without tags, ambiguous tags, or only our own write: a person decides
    assert {ids["nyhc"], ids["untagged"], ids["crossover"], ids["both"], ids["written"]} <= queue
    assert ids["sure"] not in queue
    classes = _tag_classes(library)
    assert classes[ids["thrash"]] == "metal" and classes[ids["nyhc"]] == "hardcore"
    assert classes[ids["sure"]] == "other"
    assert classes[ids["written"]] is None and classes[ids["both"]] is None


def test_settle_computes_only_what_is_stale(library, ids) -> None:
    with library.session() as s, s.begin():
        assert settle(s, DEFAULT_GENRE_MAP) == len(ids)
    with library.session() as s, s.begin():
        assert settle(s, DEFAULT_GENRE_MAP) == 0
        s.get(Track, ids["untagged"]).genres = ["Doom"]  # a scan read a new tag
    with library.session() as s, s.begin():
        assert settle(s, DEFAULT_GENRE_MAP) == 1
    assert ids["untagged"] not in _queue(library)
    assert _tag_classes(library)[ids["untagged"]] == "metal"


def test_an_edited_genre_map_settles_every_track_again(library, ids) -> None:
    assert ids["crossover"] in _queue(library)
    mine = GenreMap((GenreRule("crossover", "hardcore"), *DEFAULT_GENRE_MAP.rules))
    assert mine.digest != DEFAULT_GENRE_MAP.digest
    with library.session() as s, s.begin():
        assert settle(s, mine) == len(ids)
    assert ids["crossover"] not in _queue(library, mine)
    assert ids["crossover"] in _queue(library)  # back to the defaults: ambiguous again


def test_an_undone_write_makes_its_genre_the_users_again(library, ids) -> None:
    assert ids["written"] in _queue(library)
    with library.session() as s, s.begin():
        change = s.scalars(select(TagChange)).one()
        change.status = TagChangeStatus.UNDONE.value
        # an undo puts the file's old bytes back, and the track's row with them (track_sync.py)
        track = s.get(Track, ids["written"])
        track.genres = list(track.genres)
    assert ids["written"] not in _queue(library)


def test_a_scan_leaves_its_tracks_settled(library, tmp_path) -> None:
    """The app's thread then has nothing to settle, so it never waits for the scan to commit."""
    from tag_library_helpers import make_mp3, mp3_template

    from tagger.library.scanner import scan

    template = mp3_template(tmp_path / "template")
    make_mp3(template, tmp_path / "music" / "thrash.mp3", ["Thrash Metal"])
    make_mp3(template, tmp_path / "music" / "bare.mp3", None)
    scan(library, [str(tmp_path / "music")], scope=DEFAULT_GENRE_MAP)
    with library.session() as s:
        rows = s.execute(select(Track.path, Track.tag_class, Track.tag_class_map)).all()
        assert settle(s, DEFAULT_GENRE_MAP) == 0
    found = {path.rsplit("/", 1)[-1]: (c, m) for path, c, m in rows}
    assert found == {
        "thrash.mp3": ("metal", DEFAULT_GENRE_MAP.digest),
        "bare.mp3": (None, DEFAULT_GENRE_MAP.digest),
    }
