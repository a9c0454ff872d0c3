"""Album verdicts over a real SQLite library filled directly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tagger.library.album_consensus import (
    album_reasons,
    album_verdicts,
    album_verdicts_by_track,
    tracks_against_album,
    tracks_against_album_tags,
    tracks_against_artist_tags,
)
from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap, GenreRule
from tagger.library.records import record_prediction
from tagger.library.review import record_decision
from tagger.library.schema import ModelRecord, Track
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction

CLASSES = ("hardcore", "metal")


def _prediction(metal: float) -> TrackPrediction:
    probs = {"hardcore": 1 - metal, "metal": metal}
    label = "metal" if metal >= 0.5 else "hardcore"
    return TrackPrediction("x", "m", CLASSES, label, max(probs.values()), probs, (), 60.0)


@pytest.fixture
def ids(library: Library) -> dict[str, int]:
    # name: (folder, album, metal probability or None for no prediction)
    specs = {
        "a1": ("/m/a", "Same Name", 0.97),
        "a2": ("/m/a", "Same Name", 0.97),
        "a3": ("/m/a", "same name", 0.97),
        "a4": ("/m/a", "Same Name", 0.97),
        "a-odd": ("/m/a", "Same Name", 0.15),  # sure, but against its album
        "b1": ("/m/b", "Same Name", 0.2),  # another folder: another album
        "b2": ("/m/b", "Same Name", 0.1),
        "b-decided": ("/m/b", "Same Name", None),
        "loose": ("/m/loose", None, 0.1),
    }
    out = {}
    with library.session() as s, s.begin():
        model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
        s.add(model)
        s.flush()
        for name, (folder, album, metal) in specs.items():
            t = Track(path=f"{folder}/{name}.mp3", size=1, mtime_ns=1, genres=[], album=album)
            s.add(t)
            s.flush()
            out[name] = t.id
            if metal is not None:
                record_prediction(s, t.id, model.id, _prediction(metal))
        record_decision(s, [out["b-decided"]], "hardcore")
    return out


def test_albums_are_folder_and_album_tag_and_decisions_count(library, ids) -> None:
    with library.session() as s:
        verdicts = {v.folder: v for v in album_verdicts(s)}
    assert set(verdicts) == {"/m/a", "/m/b"}
    a, b = verdicts["/m/a"], verdicts["/m/b"]
    assert a.label == "metal" and len(a.track_ids) == 5
    assert a.confidence == pytest.approx((0.97 * 4 + 0.15) / 5)
    assert b.label == "hardcore" and b.confidence == pytest.approx((0.8 + 0.9 + 1.0) / 3)
    assert a.is_confident() and b.is_confident()
    assert not a.is_confident(0.9)


def test_a_track_against_a_confident_album_is_found_with_its_reason(library, ids) -> None:
    with library.session() as s:
        against = tracks_against_album(s)
        assert [x.track_id for x in against] == [ids["a-odd"]]
        assert "against its album" in against[0].reason and "metal" in against[0].reason
        assert tracks_against_album(s, min_confidence=0.99) == []


def test_the_review_queue_takes_tracks_against_their_album_but_never_neither(library, ids) -> None:
    from tagger.library.queries import review_queue
    from tagger.library.review import ReviewRule

    with library.session() as s, s.begin():
        model = s.scalars(select(ModelRecord)).first()
        unsure_other = TrackPrediction(
            "x",
            "m",
            ("hardcore", "metal", "other"),
            "other",
            0.5,
            {"hardcore": 0.2, "metal": 0.3, "other": 0.5},
            (),
            60.0,
        )
        record_prediction(s, ids["loose"], model.id, unsure_other)
    with library.session() as s:
        assert [r.id for r in review_queue(s, ReviewRule())] == []
        against = {a.track_id: a.reason for a in tracks_against_album(s)}
        queue = review_queue(s, ReviewRule(against_album=against))
        assert [r.id for r in queue] == [ids["a-odd"]]
        # the reason is said where people decide
        assert queue[0].review_reasons[-1] == against[ids["a-odd"]]
        assert "against its album" in queue[0].review_reasons[-1]


def test_per_album_labels_cover_album_tracks_only(library, ids) -> None:
    with library.session() as s:
        verdicts = album_verdicts_by_track(s, [ids["a-odd"], ids["b1"], ids["loose"]])
    assert {tid: v.label for tid, v in verdicts.items()} == {
        ids["a-odd"]: "metal",
        ids["b1"]: "hardcore",
    }


def _album(library: Library, folder: str, specs: dict[str, tuple[list[str], float | None]]) -> dict:
    """Tracks of one album: name → (genres, metal probability or None for no prediction)."""
    out = {}
    with library.session() as s, s.begin():
        model = s.scalars(select(ModelRecord)).first()
        if model is None:
            model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
            s.add(model)
            s.flush()
        for name, (genres, metal) in specs.items():
            t = Track(path=f"{folder}/{name}.mp3", size=1, mtime_ns=1, genres=genres, album="LP")
            s.add(t)
            s.flush()
            out[name] = t.id
            if metal is not None:
                record_prediction(s, t.id, model.id, _prediction(metal))
    return out


def test_a_track_without_tags_against_its_albums_tags_is_found(library) -> None:
    ids = _album(
        library,
        "/m/tagged",
        {
            "nyhc": (["NYHC"], 0.4),
            "punk": (["hardcore-punk"], 0.45),
            "rock": (["Rock"], 0.9),  # an ignored genre is no label of its own
            "bare": ([], 0.97),  # sure, and the album's verdict is not: only the tags say so
            "agrees": ([], 0.2),
            "own-conflict": (["Thrash Metal"], 0.9),  # its own tag: a conflict, not this rule
        },
    )
    with library.session() as s:
        found = {a.track_id: a for a in tracks_against_album_tags(s, DEFAULT_GENRE_MAP)}
        assert tracks_against_album(s) == []
        reasons = album_reasons(s, DEFAULT_GENRE_MAP)
    # "own-conflict" says metal, so the album's labels do not agree: nothing is found
    assert found == {}
    assert reasons == {}

    with library.session() as s, s.begin():
        s.get(Track, ids["own-conflict"]).genres = ["D-Beat"]
    with library.session() as s:
        found = {a.track_id: a for a in tracks_against_album_tags(s, DEFAULT_GENRE_MAP)}
        reasons = album_reasons(s, DEFAULT_GENRE_MAP)
    assert set(found) == {ids["rock"], ids["bare"]}
    assert found[ids["bare"]].named == "hardcore" and found[ids["bare"]].tracks == 3
    assert reasons[ids["bare"]] == (
        "against its album's tags: 3 tracks of 'LP' are tagged or decided hardcore, none otherwise"
    )
    assert set(reasons) == set(found)


def test_decisions_count_as_the_albums_labels_and_a_decided_track_is_never_against(
    library,
) -> None:
    ids = _album(library, "/m/decided", {"a": ([], 0.1), "b": ([], 0.9), "c": ([], 0.8)})
    with library.session() as s, s.begin():
        record_decision(s, [ids["a"]], "hardcore")
    with library.session() as s:
        found = {a.track_id for a in tracks_against_album_tags(s, DEFAULT_GENRE_MAP)}
        reason = album_reasons(s, DEFAULT_GENRE_MAP)[ids["b"]]
    assert found == {ids["b"], ids["c"]}
    assert reason.endswith(": 1 track of 'LP' is tagged or decided hardcore, none otherwise")
    with library.session() as s, s.begin():
        record_decision(s, [ids["b"]], "metal")  # now the album's labels disagree
    with library.session() as s:
        assert tracks_against_album_tags(s, DEFAULT_GENRE_MAP) == []


def test_a_user_genre_map_decides_what_the_tags_say(library) -> None:
    ids = _album(library, "/m/mapped", {"a": (["Metalcore"], 0.2), "b": ([], 0.9)})
    mine = GenreMap((GenreRule("metalcore", "hardcore"), *DEFAULT_GENRE_MAP.rules))
    with library.session() as s:
        assert tracks_against_album_tags(s, DEFAULT_GENRE_MAP) == []  # Metalcore: ignored
        assert [a.track_id for a in tracks_against_album_tags(s, mine)] == [ids["b"]]


def _tracks(library: Library, specs: dict[str, tuple]) -> dict[str, int]:
    """name: (folder, album, artist, genres, metal probability) → track ids."""
    out = {}
    with library.session() as s, s.begin():
        model = ModelRecord(name="m", path="/m", sha256="3" * 64, classes=list(CLASSES))
        s.add(model)
        s.flush()
        for name, (folder, album, artist, genres, metal) in specs.items():
            t = Track(
                path=f"{folder}/{name}.mp3",
                size=1,
                mtime_ns=1,
                genres=genres,
                album=album,
                artist=artist,
            )
            s.add(t)
            s.flush()
            out[name] = t.id
            record_prediction(s, t.id, model.id, _prediction(metal))
    return out


def test_a_track_against_its_artists_tags_is_found(library) -> None:
    ids = _tracks(
        library,
        {
            # an artist tagged metal on one album; an untagged album of theirs called hardcore
            "speed": ("/m/drax/winter", "Signal Winter", "Drax", ["Speed Metal"], 0.6),
            "groove": ("/m/drax/winter", "Signal Winter", "Drax", ["Groove Metal"], 0.85),
            "cold": ("/m/drax/fever", "Fever", "drax ", [], 0.14),  # the artist, spelt loosely
            "ember": ("/m/drax/fever", "Fever", "Drax", [], 0.96),  # agrees: not found
            "loose": ("/m/drax", None, "Drax", [], 0.3),  # no album tag: the artist still counts
            # one tag is not enough to speak for an artist
            "one-tag": ("/m/solo/a", "A", "Solo", ["NYHC"], 0.2),
            "solo-bare": ("/m/solo/b", "B", "Solo", [], 0.9),
            # an artist tagged both ways names no class
            "cross-m": ("/m/cross/a", "A", "Cross", ["Thrash Metal"], 0.9),
            "cross-h": ("/m/cross/a", "A", "Cross", ["Hardcore"], 0.1),
            "cross-h2": ("/m/cross/b", "B", "Cross", ["Hardcore"], 0.1),
            "cross-bare": ("/m/cross/c", "C", "Cross", [], 0.9),
        },
    )
    with library.session() as s:
        found = {a.track_id: a for a in tracks_against_artist_tags(s, DEFAULT_GENRE_MAP)}
        reasons = album_reasons(s, DEFAULT_GENRE_MAP)

    assert set(found) == {ids["cold"], ids["loose"]}
    assert found[ids["cold"]].named == "metal" and found[ids["cold"]].tracks == 2
    assert reasons[ids["cold"]] == (
        "against its artist's tags: 2 tracks by 'Drax' are tagged or decided metal, none otherwise"
    )
    assert set(reasons) == set(found)


def test_a_track_against_its_album_and_its_artist_is_given_the_albums_reason(library) -> None:
    ids = _tracks(
        library,
        {
            "a": ("/m/x/lp", "LP", "X", ["Death Metal"], 0.9),
            "b": ("/m/x/lp", "LP", "X", ["Doom Metal"], 0.9),
            "c": ("/m/x/lp", "LP", "X", [], 0.1),
        },
    )
    with library.session() as s:
        assert [a.track_id for a in tracks_against_artist_tags(s, DEFAULT_GENRE_MAP)] == [ids["c"]]
        reason = album_reasons(s, DEFAULT_GENRE_MAP)[ids["c"]]
    assert reason.startswith("against its album's tags: 2 tracks of 'LP'")
