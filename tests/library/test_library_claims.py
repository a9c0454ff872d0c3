"""Claims with a lease: two runs sharing a library never take the same track, a lost lease is
taken over, and a result is stored only by the run that still holds the claim."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tagger.library.claims import ClaimQueue
from tagger.library.pipeline import store_outcome
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library

pytestmark = pytest.mark.both_backends


def add_tracks(library: Library, n: int) -> list[int]:
    with library.session() as s, s.begin():
        tracks = [
            Track(path=f"/music/{i:03d}.mp3", size=1, mtime_ns=1, genres=[]) for i in range(n)
        ]
        s.add_all(tracks)
        s.flush()
        return [t.id for t in tracks]


def model_row(library: Library) -> int:
    from tagger.library.schema import ModelRecord

    with library.session() as s, s.begin():
        row = ModelRecord(name="m", path="/m", sha256="0" * 64, classes=["a", "b"])
        s.add(row)
        s.flush()
        return row.id


def test_two_runs_take_disjoint_tracks_until_none_is_left(library: Library) -> None:
    ids = add_tracks(library, 30)
    model = model_row(library)
    a = ClaimQueue(library, model, ids, owner="host-a:1")
    b = ClaimQueue(library, model, list(reversed(ids)), owner="host-b:2")
    taken_a, taken_b = [], []
    while True:
        got_a, got_b = a.take(4), b.take(3)
        if not got_a and not got_b:
            break
        taken_a += [tid for tid, _ in got_a]
        taken_b += [tid for tid, _ in got_b]
    assert not set(taken_a) & set(taken_b)
    assert sorted(taken_a + taken_b) == ids
    # Each still waits for what the other holds: nothing is declared done before it is.
    assert not a.finished and not b.finished
    with library.session() as s:
        owners = dict(s.execute(select(Track.id, Track.claimed_by)).all())
    assert {owners[t] for t in taken_a} == {"host-a:1"}


def test_a_dead_runs_tracks_are_taken_over_after_its_lease(library: Library) -> None:
    ids = add_tracks(library, 3)
    model = model_row(library)
    dead = ClaimQueue(library, model, ids, owner="dead:1", lease_s=0.3)
    assert len(dead.take(3)) == 3
    alive = ClaimQueue(library, model, ids, owner="alive:2", lease_s=60)
    assert alive.take(3) == [] and not alive.finished  # held elsewhere, lease still running
    time.sleep(0.4)
    deadline = time.monotonic() + 5
    got: list[tuple[int, str]] = []
    while len(got) < 3 and time.monotonic() < deadline:
        got += alive.take(3)
        time.sleep(0.1)
    assert sorted(tid for tid, _ in got) == ids
    # The dead run comes back late: its result is refused, the new owner's is stored.
    assert store_outcome(library, dead, model, ids[0], "/music/000.mp3", None, "late") is None
    stored = store_outcome(library, alive, model, ids[0], "/music/000.mp3", None, "bad file")
    assert stored is not None and stored.error == "bad file"
    with library.session() as s:
        track = s.get(Track, ids[0])
        assert (track.status, track.claimed_by) == (TrackStatus.ERROR, None)


def test_finished_tracks_are_not_taken_again_and_release_frees_the_rest(library: Library) -> None:
    ids = add_tracks(library, 4)
    model = model_row(library)
    first = ClaimQueue(library, model, ids, owner="first:1")
    assert len(first.take(4)) == 4
    with library.session() as s, s.begin():
        assert first.finish(s, ids[0])
        s.add(
            Prediction(
                track_id=ids[0],
                model_id=model,
                label="a",
                confidence=0.9,
                probabilities={"a": 0.9, "b": 0.1},
                windows=[],
            )  # fmt: skip
        )
        s.execute(update(Track).where(Track.id == ids[0]).values(status=TrackStatus.OK))
    first.release()
    second = ClaimQueue(library, model, ids, owner="second:2")
    assert sorted(tid for tid, _ in second.take(10)) == ids[1:]
    assert second.take(10) == [] and second.finished
    with library.session() as s:
        assert s.scalar(select(func.count()).where(Track.claimed_by == "first:1")) == 0


def test_renew_pushes_the_lease_forward(library: Library, tmp_path: Path) -> None:
    ids = add_tracks(library, 1)
    queue = ClaimQueue(library, model_row(library), ids, owner="me:1", lease_s=30)
    queue.take(1)
    with library.session() as s:
        before = s.scalar(select(Track.claim_expires))
    time.sleep(0.05)
    queue.renew(every_s=0)
    with library.session() as s:
        assert s.scalar(select(Track.claim_expires)) > before
