"""Reclassifying from the windows training cached: the network runs, the decoder does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pipeline_fakes
import pytest
from audio_factory import tone, write_audio
from sqlalchemy import select

from tagger.audio.mel import FrontEndConfig
from tagger.library.cached_windows import CachedWindows
from tagger.library.pipeline import run_classification, select_for_classification
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.schema import Prediction, Track
from tagger.library.store import Library
from tagger.model.predictor import Predictor
from tagger.training.feature_cache import FeatureCache
from tagger.training.window_cache import load_or_compute

# 10 s: 60 padded windows; 4 s: 60 windows of ~0.07 s; 1.5 s: one window of the whole track
LENGTHS = {"long.wav": 10.0, "mid.flac": 4.0, "short.mp3": 1.5}


@pytest.fixture
def music(tmp_path: Path) -> Path:
    root = tmp_path / "music"
    root.mkdir()
    for i, (name, seconds) in enumerate(LENGTHS.items()):
        write_audio(root / name, tone(seconds, freq=200.0 + 150 * i, noise=0.2, seed=i))
    return root


def _tracks(library: Library) -> dict[str, tuple[int, str | None]]:
    with library.session() as s:
        return {Path(t.path).name: (t.id, t.fingerprint) for t in s.scalars(select(Track))}


def _fill_cache(library: Library, cache: FeatureCache, names: list[str]) -> None:
    """What `train --from-library` does for each labeled track (the same function and key)."""
    for name, (_tid, fingerprint) in _tracks(library).items():
        if name in names:
            with library.session() as s:
                path = s.scalar(select(Track.path).where(Track.fingerprint == fingerprint))
            load_or_compute(Path(path), fingerprint, FrontEndConfig(), cache)


def test_cached_tracks_are_classified_without_decoding_and_as_decoding_would(
    library: Library, tiny_model: Path, music: Path, tmp_path: Path
) -> None:
    predictor = Predictor.load(tiny_model)
    decoded = {name: predictor.classify(music / name) for name in LENGTHS}
    scan(library, [music])
    cache = FeatureCache(tmp_path / "cache")
    _fill_cache(library, cache, ["long.wav", "short.mp3"])
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    ids = select_for_classification(library, model_id)

    # A decoder that always fails: only the track the cache lacks may reach it.
    result = run_classification(
        library,
        predictor,
        ids,
        workers=1,
        feature_function=pipeline_fakes.refuse_to_decode,
        cache=cache,
    )

    assert (result.classified, result.failed, result.from_cache) == (2, 1, 2)
    with library.session() as s:
        stored = {
            Path(t.path).name: (t, p)
            for t, p in s.execute(
                select(Track, Prediction).outerjoin(
                    Prediction, (Prediction.track_id == Track.id) & Prediction.is_current
                )
            )
        }
        assert stored["mid.flac"][1] is None
        assert "decoding refused: mid.flac" in (stored["mid.flac"][0].error or "")
        for name in ("long.wav", "short.mp3"):
            prediction, reference = stored[name][1], decoded[name]
            assert prediction is not None, name
            assert prediction.label == reference.label
            for cls, p in reference.probabilities.items():
                assert prediction.probabilities[cls] == pytest.approx(p, abs=1e-4)
            # the windows lie where decoding put them
            starts = [w["start"] for w in prediction.windows]
            assert starts == pytest.approx([round(w.start, 3) for w in reference.windows])
            for mine, theirs in zip(prediction.windows, reference.windows, strict=True):
                assert list(mine["probabilities"].values()) == pytest.approx(
                    list(theirs.probabilities), abs=1e-3
                )


def test_another_front_end_misses_and_an_entry_without_starts_still_serves(
    library: Library, music: Path, tmp_path: Path
) -> None:
    scan(library, [music])
    cache = FeatureCache(tmp_path / "cache")
    _fill_cache(library, cache, ["long.wav"])
    track_id, _ = _tracks(library)["long.wav"]
    local = str(music / "long.wav")
    hit = CachedWindows(library, FrontEndConfig(), cache).features(track_id, local)
    assert hit is not None and hit.mel.shape == (60, 2, 64, 259)
    other = CachedWindows(library, FrontEndConfig(n_mels=128, n_fft=2048), cache)
    assert other.features(track_id, local) is None
    assert other.future(track_id, local) is None and other.hits == 0

    # an entry written before window starts were kept: the plan comes from the duration
    entry = next((tmp_path / "cache").glob("*.npz"))
    with np.load(entry) as z:
        arrays = {k: z[k] for k in z.files if k != "starts"}
    np.savez(entry, **arrays)
    old = CachedWindows(library, FrontEndConfig(), cache).features(track_id, local)
    assert old is not None
    assert [s.start for s in old.segments] == [s.start for s in hit.segments]
