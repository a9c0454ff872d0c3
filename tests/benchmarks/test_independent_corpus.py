"""benchmarks/independent_corpus.py: a tiny corpus of real, tagged files, the same every time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import mutagen
import numpy as np
import pytest

from tagger.audio.decode import decode
from tagger.tags import read_tags

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import independent_corpus as corpus  # noqa: E402

ARGS = ["--tracks", "4", "--seed", "5", "--min-seconds", "5", "--max-seconds", "5"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    assert corpus.main([str(first), *ARGS, "--workers", "2"]) == 0
    assert corpus.main([str(second), *ARGS]) == 0
    return first, second


def test_writes_tagged_audio_of_both_classes_without_genre(two_runs: tuple[Path, Path]) -> None:
    out, _ = two_runs
    manifest = json.loads((out / "corpus.json").read_text())
    assert sorted(t["label"] for t in manifest["tracks"]) == ["hardcore"] * 2 + ["metal"] * 2
    for entry in manifest["tracks"]:
        path = out / entry["path"]
        assert path.parent.name == entry["label"]
        tags = read_tags(path)
        assert (tags.title, tags.artist, tags.album, tags.year) == (
            entry["title"],
            entry["artist"],
            entry["album"],
            entry["year"],
        )
        assert tags.genres == []
        audio = decode(path)
        assert audio.shape[0] == 2
        assert 5.0 <= audio.shape[1] / 44_100 <= 12.0
        assert 0.01 < np.sqrt(np.mean(audio**2)) < 0.7
        assert mutagen.File(path).info.length > 4.0
    artists = {t["label"]: t["artist"] for t in manifest["tracks"]}
    assert artists["metal"] != artists["hardcore"]  # an artist has one style


def test_same_seed_same_audio_whatever_the_workers(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    paths = sorted(
        p.relative_to(first) for p in first.rglob("*") if p.suffix != ".json" and p.is_file()
    )
    assert len(paths) == 4
    for rel in paths:
        assert np.array_equal(decode(first / rel), decode(second / rel)), rel


def test_every_format_is_written_and_tagged(tmp_path: Path) -> None:
    track = corpus.plan(2, 9, (3.0, 3.0))[0]
    audio = corpus.render(track, 9)
    for fmt in corpus.FORMAT_ODDS:
        path = tmp_path / f"x.{fmt}"
        corpus.encode(audio, path, fmt, 1)
        corpus.tag(path, track.__class__(**{**track.__dict__, "fmt": fmt}))
        assert read_tags(path).artist == track.artist, fmt
        assert decode(path).shape[0] == 2


def test_styles_differ_in_arrangement() -> None:
    """Metal songs lean on tremolo and double-kick/blast beats, hardcore on chugs, rests and
    breakdowns; measured on the scores, over many songs, so it cannot hold by one lucky draw."""
    from independent_songs import compose

    def counts(style: str) -> tuple[float, float]:
        rng = np.random.default_rng(0)
        kicks, rests = [], []
        for _ in range(30):
            sound = {"bpm": 150.0, "tuning": 2, "voice": "shout", "f0": 120.0}
            score = compose(style, 60.0, rng, sound)
            kicks.append(len(score.drums.get("kick", [])) / score.end)
            onsets = np.array(sorted(n.t for n in score.rhythm))
            rests.append(np.mean(np.diff(onsets) > 60 / 150 / 4 * 1.5))
        return float(np.mean(kicks)), float(np.mean(rests))

    metal_kicks, metal_rests = counts("metal")
    hardcore_kicks, hardcore_rests = counts("hardcore")
    assert metal_kicks > hardcore_kicks
    assert hardcore_rests > metal_rests


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert corpus.main([str(tmp_path), *ARGS]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
