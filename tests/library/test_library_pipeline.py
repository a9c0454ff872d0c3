from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pipeline_fakes
import pytest
from library_helpers import MakeLibrary, tag_mp3
from sqlalchemy import select

from tagger.library.genre_map import GenreMap, GenreRule
from tagger.library.pipeline import TrackResult, run_classification, select_for_classification
from tagger.library.progress import Progress
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import Predictor

pytestmark = pytest.mark.both_backends


@pytest.fixture(scope="module")
def predictor(tiny_model: Path) -> Predictor:
    return Predictor.load(tiny_model)


def model_id(library: Library, predictor: Predictor) -> int:
    with library.session() as s, s.begin():
        return register_model(s, predictor).id


def statuses(library: Library) -> dict[str, tuple[str, str | None]]:
    with library.session() as s:
        return {Path(t.path).name: (t.status, t.error) for t in s.scalars(select(Track))}


def test_classifies_stores_errors_per_file_and_skips_done_tracks(
    library: Library, predictor: Predictor, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    files = make_music(5, root)
    scan(library, [root])
    ids = select_for_classification(library, model_id(library, predictor), roots=[str(root)])
    assert len(ids) == 5
    # the file turns to garbage after the scan: the decoder's AudioError is stored on the track
    broken = files.pop("004 track.wav")
    broken.write_bytes(b"RIFF" + bytes(100))
    reports: list[Progress] = []
    result = run_classification(library, predictor, ids, progress=reports.append, workers=2)
    assert (result.total, result.classified + result.failed, result.cancelled) == (5, 5, False)
    assert [r.done for r in reports] == [1, 2, 3, 4, 5]
    assert all(isinstance(r.last_result, TrackResult) for r in reports)
    got = statuses(library)
    assert all(got[name][0] == TrackStatus.OK for name in files)
    assert got["004 track.wav"][0] == TrackStatus.ERROR and got["004 track.wav"][1]
    assert result.failed == 1
    with library.session() as s:
        rows = s.scalars(select(Prediction)).all()
        assert len(rows) == result.classified
        p = rows[0]
        assert p.is_current and p.label in predictor.classes
        assert set(p.probabilities) == set(predictor.classes)
        assert p.windows and set(p.windows[0]) == {"start", "end", "probabilities"}
        assert 0.0 <= p.disagreement <= 1.0
    # nothing left for this model
    assert select_for_classification(library, model_id(library, predictor)) == []


def test_a_hanging_or_crashing_decoder_is_abandoned_and_the_batch_goes_on(
    library: Library, predictor: Predictor, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    files = make_music(3, root)
    src = files["000 track.mp3"]
    for name in ("hang.mp3", "crash.mp3", "boom.mp3"):
        shutil.copyfile(src, root / name)
    scan(library, [root])
    ids = select_for_classification(library, model_id(library, predictor))
    result = run_classification(
        library,
        predictor,
        ids,
        workers=1,
        timeout=2.0,
        feature_function=pipeline_fakes.hang_or_crash,
    )
    assert (result.classified, result.failed, result.timed_out) == (3, 3, 1)
    got = statuses(library)
    assert got["hang.mp3"][0] == TrackStatus.ERROR and "longer than 2 s" in got["hang.mp3"][1]
    assert got["crash.mp3"][0] == TrackStatus.ERROR and "crashed" in got["crash.mp3"][1]
    assert "unexpected decoder state" in got["boom.mp3"][1]
    assert all(got[name][0] == TrackStatus.OK for name in files)


def test_cancel_stops_soon_keeps_results_and_a_new_run_resumes(
    library: Library, predictor: Predictor, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    make_music(8, root)
    scan(library, [root])
    mid = model_id(library, predictor)
    ids = select_for_classification(library, mid)
    stop = threading.Event()

    def progress(p: Progress) -> None:
        if p.done == 2:
            stop.set()

    result = run_classification(
        library,
        predictor,
        ids,
        progress=progress,
        cancel=stop,
        workers=1,
        feature_function=pipeline_fakes.slow,
    )
    assert result.cancelled and result.classified == 2
    left = select_for_classification(library, mid)
    assert len(left) == 6
    assert run_classification(library, predictor, left[:1], workers=1).classified == 1


def test_scope_decides_what_is_classified(
    library: Library, predictor: Predictor, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    files = make_music(6, root)
    tag_mp3(files["000 track.mp3"], genre="Jazz")
    tag_mp3(files["005 track.mp3"], genre="Hardcore Punk")
    scan(library, [root])
    mid = model_id(library, predictor)
    with library.session() as s:
        jazz = s.scalar(select(Track.id).where(Track.path == str(files["000 track.mp3"])))
    ids = select_for_classification(library, mid)
    assert len(ids) == 5 and jazz not in ids
    assert statuses(library)["000 track.mp3"][0] == TrackStatus.OUT_OF_SCOPE
    assert jazz in select_for_classification(library, mid, classify_all=True)
    assert jazz in select_for_classification(
        library, mid, scope=GenreMap((GenreRule("jazz", "metal"),))
    )
