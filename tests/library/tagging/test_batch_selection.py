"""Which tracks a batch leaves alone: labels the review rule flags, links leaving the library;
and how history shows a batch that was killed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import update
from tag_library_helpers import add_track, fake_model, make_mp3

from tagger.library.genre_map import DEFAULT_GENRE_MAP, IGNORE, GenreMap, GenreRule
from tagger.library.review import ReviewRule
from tagger.library.schema import TagBatch, Track
from tagger.library.store import Library
from tagger.library.tagging import Action, BatchNotes, TagRequest, TagWriter, history
from tagger.library.tagging.batch_model import OUTSIDE_REASON
from tagger.tags import read_genres

pytestmark = pytest.mark.both_backends


def test_an_unsure_track_its_own_tags_confirm_is_written_and_stays_out_of_review(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    """Its own "Thrash Metal" confirms the model's unsure Metal: not in review, so a batch writes
    it; adding "Metal" keeps the user's genre, so it stays out of review after the write."""
    model = fake_model(lib)
    music = tmp_path / "music"
    confirmed = make_mp3(template, music / "confirmed.mp3", ["Thrash Metal"])
    against = make_mp3(template, music / "against.mp3", ["NYHC"])
    add_track(lib, confirmed, model_id=model, predicted="metal", confidence=0.6)
    add_track(lib, against, model_id=model, predicted="metal", confidence=0.6)

    result = TagWriter(lib).apply(TagRequest())
    assert result.left_for_review == 1 and result.skipped == {"needs-review": 1}
    assert read_genres(confirmed) == ["Thrash Metal", "Metal"]
    assert read_genres(against) == ["NYHC"]
    assert TagWriter(lib).plan(TagRequest()).left_for_review == 1


def test_tracks_that_need_review_are_left_unless_asked(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    model = fake_model(lib)
    music = tmp_path / "music"
    sure = make_mp3(template, music / "sure.mp3", None)
    unsure = make_mp3(template, music / "unsure.mp3", None)
    torn = make_mp3(template, music / "torn.mp3", None)  # confident mean, windows disagree
    decided = make_mp3(template, music / "decided.mp3", None)
    add_track(lib, sure, model_id=model, predicted="metal", confidence=0.95)
    add_track(lib, unsure, model_id=model, predicted="metal", confidence=0.6)
    add_track(lib, torn, model_id=model, predicted="metal", confidence=0.9, disagreement=0.4)
    add_track(lib, decided, model_id=model, predicted="metal", confidence=0.6, user_label="metal")

    plan = TagWriter(lib).plan(TagRequest())
    assert sorted(Path(c.path).name for c in plan.changes) == ["decided.mp3", "sure.mp3"]
    assert plan.left_for_review == 2
    assert plan.skipped == {"needs-review": 2}

    lenient = TagRequest(review_rule=ReviewRule(threshold=0.5, disagreement=0.5))
    assert TagWriter(lib).plan(lenient).left_for_review == 0

    result = TagWriter(lib).apply(TagRequest(include_unreviewed=True))
    assert result.left_for_review == 0
    assert all(read_genres(p) == ["Metal"] for p in (sure, unsure, torn, decided))


def test_a_link_whose_target_lies_outside_the_library_needs_an_explicit_request(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    inside = make_mp3(template, music / "inside.mp3", ["Rock"])
    elsewhere = make_mp3(template, tmp_path / "elsewhere" / "target.mp3", ["Rock"])
    link = music / "link.mp3"
    os.symlink(elsewhere, link)
    add_track(lib, inside, user_label="metal")
    add_track(lib, link, user_label="metal", follow_link=False)
    request = TagRequest(paths=(str(music),))

    plan = TagWriter(lib).plan(request)
    by_name = {Path(c.path).name: c for c in plan.changes}
    assert by_name["link.mp3"].action == Action.OUTSIDE
    assert by_name["link.mp3"].reason == OUTSIDE_REASON
    assert by_name["inside.mp3"].action == Action.WRITE

    TagWriter(lib).apply(request)
    assert read_genres(inside) == ["Rock", "Metal"]
    assert read_genres(elsewhere) == ["Rock"]  # skipped, with the reason above

    allowed = TagRequest(paths=(str(music),), follow_links_outside=True)
    change = next(c for c in TagWriter(lib).plan(allowed).changes if c.path == str(link))
    assert change.action == Action.WRITE and change.note == OUTSIDE_REASON
    TagWriter(lib).apply(allowed)
    assert read_genres(elsewhere) == ["Rock", "Metal"]
    assert os.path.islink(link)  # the target was written, the link kept


def test_history_names_the_state_of_a_killed_batch(lib: Library) -> None:
    # What a process killed right after creating its batch leaves: not finished, no rows, and
    # a pid that no longer runs.
    dead = BatchNotes(pid=2**22 + 12345, host=os.uname().nodename, finished=False)
    with lib.session() as s, s.begin():
        s.add(TagBatch(mode="add", labels={}, counts={}, notes=dead.to_text()))
        s.add(
            TagBatch(
                mode="add",
                labels={},
                counts={"interrupted": True},
                notes=BatchNotes(finished=True).to_text(),
            )
        )
        s.add(TagBatch(mode="add", labels={}, counts={}, notes=BatchNotes(finished=True).to_text()))
    states = [b.state for b in history(lib)]
    assert states == ["done", "interrupted", "interrupted"]


def test_neither_is_never_tagged(lib: Library, template: Path, tmp_path: Path) -> None:
    model = fake_model(lib)
    jazz = make_mp3(template, tmp_path / "music" / "jazz.mp3", None)
    add_track(lib, jazz, model_id=model, predicted="other", confidence=0.97)
    plan = TagWriter(lib).plan(TagRequest(include_unreviewed=True))
    assert not any(c.action == Action.WRITE for c in plan.changes)
    assert plan.skipped == {"neither": 1}


def test_per_album_writes_the_album_verdict_to_all_its_tracks(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    from tagger.library.schema import Track

    model = fake_model(lib)
    album = tmp_path / "music" / "album"
    ids = []
    for name, predicted, confidence in [
        ("1.mp3", "metal", 0.95),
        ("2.mp3", "metal", 0.95),
        ("3.mp3", "metal", 0.95),
        ("4.mp3", "hardcore", 0.6),  # unsure and against its album
    ]:
        path = make_mp3(template, album / name, None)
        ids.append(add_track(lib, path, model_id=model, predicted=predicted, confidence=confidence))
    loose = make_mp3(template, tmp_path / "music" / "loose.mp3", None)
    add_track(lib, loose, model_id=model, predicted="hardcore", confidence=0.95)
    with lib.session() as s, s.begin():
        for tid in ids:
            s.get(Track, tid).album = "One Album"

    plain = TagWriter(lib).plan(TagRequest())
    assert plain.skipped == {"needs-review": 1}
    request = TagRequest(per_album=True)
    plan = TagWriter(lib).plan(request)
    assert {Path(c.path).name: c.new_genres for c in plan.changes} == {
        "1.mp3": ["Metal"],
        "2.mp3": ["Metal"],
        "3.mp3": ["Metal"],
        "4.mp3": ["Metal"],
        "loose.mp3": ["Hardcore"],  # no album: its own verdict
    }
    only_hardcore = TagWriter(lib).plan(TagRequest(per_album=True, label="hardcore"))
    assert [Path(c.path).name for c in only_hardcore.changes] == ["loose.mp3"]


def test_a_track_against_its_albums_tags_is_left_for_review(
    lib: Library, template: Path, tmp_path: Path
) -> None:
    model = fake_model(lib)
    music = tmp_path / "music" / "album"
    ids = [
        add_track(lib, make_mp3(template, music / f"{i}.mp3", ["NYHC"]), model_id=model,
                  predicted="hardcore")
        for i in range(2)
    ]  # fmt: skip
    bare = make_mp3(template, music / "bare.mp3", None)
    ids.append(add_track(lib, bare, model_id=model, predicted="metal", confidence=0.97))
    with lib.session() as s, s.begin():
        s.execute(update(Track).where(Track.id.in_(ids)).values(album="LP"))

    plan = TagWriter(lib).plan(TagRequest())
    assert plan.skipped == {"needs-review": 1}
    assert "bare.mp3" not in {Path(c.path).name for c in plan.changes}

    # Under a map that ignores "NYHC" the album's tags say nothing, and "bare" is written.
    ignoring = GenreMap((GenreRule("nyhc", IGNORE), *DEFAULT_GENRE_MAP.rules))
    plan = TagWriter(lib).plan(TagRequest(genre_map=ignoring))
    assert plan.left_for_review == 0
    assert "bare.mp3" in {Path(c.path).name for c in plan.changes}


def test_a_selection_of_thousands_of_files_and_a_folder(lib: Library) -> None:
    """The app's "Selected tracks" scope names every file; one statement for them all failed
    here on SQLite ("Expression tree is too large"), so the dialog refused more than 400."""
    from sqlalchemy import insert

    from tagger.library.tagging.selection import select_candidates

    paths = [f"/m/a/{i:05d}.mp3" for i in range(12_000)] + [f"/m/b/{i:03d}.mp3" for i in range(50)]
    with lib.session() as s, s.begin():
        s.execute(insert(Track), [{"path": p, "size": 1, "mtime_ns": 1} for p in paths])
        s.execute(insert(Track), [{"path": "/m/c/x.mp3", "size": 1, "mtime_ns": 1}])
    chosen = paths[:10_000] + ["/m/b", "/m/a/missing.mp3"]  # 10,000 files, a folder, a stranger
    with lib.session() as s:
        found = [c.path for c in select_candidates(s, TagRequest(paths=tuple(chosen)))]
    assert found == sorted(paths[:10_000] + paths[12_000:])
