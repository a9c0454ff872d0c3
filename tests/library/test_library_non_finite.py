"""NaN never reaches the library: a file holding NaN samples and a model answering NaN both
end as that track's error, the batch goes on, and no prediction row holds a non-finite number."""

from __future__ import annotations

import math
from pathlib import Path

from audio_factory import tone, write_audio
from hostile_corpus import float_wav
from nan_model import nan_model
from sqlalchemy import select

from tagger.library.pipeline import run_classification, select_for_classification
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.model.predictor import Predictor


def _classify(library: Library, predictor: Predictor, music: Path) -> None:
    scan(library, [music])
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    ids = select_for_classification(library, model_id, classify_all=True)
    run_classification(library, predictor, ids, workers=1)


def _tracks(library: Library) -> dict[str, tuple[str, str | None]]:
    with library.session() as s:
        rows = s.execute(select(Track.path, Track.status, Track.error)).all()
    return {Path(p).name: (status, error) for p, status, error in rows}


def test_nan_samples_are_the_files_error_and_the_others_are_classified(
    tmp_path: Path, library: Library, tiny_model: Path
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    write_audio(music / "good.flac", tone(3.0))
    samples = tone(3.0)
    samples[1, 5000:5100] = math.nan
    float_wav(music / "nan.wav", samples)
    _classify(library, Predictor.load(tiny_model), music)
    tracks = _tracks(library)
    assert tracks["good.flac"] == (TrackStatus.OK, None)
    assert tracks["nan.wav"][0] == TrackStatus.ERROR and "not numbers" in tracks["nan.wav"][1]


def test_a_model_answering_nan_stores_errors_never_predictions(
    tmp_path: Path, library: Library
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for i in range(2):
        write_audio(music / f"song {i}.flac", tone(2.0 + i))
    _classify(library, Predictor.load(nan_model(tmp_path / "model")), music)
    tracks = _tracks(library)
    assert {status for status, _ in tracks.values()} == {TrackStatus.ERROR}
    assert all("not a number" in (error or "") for _, error in tracks.values())
    with library.session() as s:
        assert s.scalars(select(Prediction)).all() == []
