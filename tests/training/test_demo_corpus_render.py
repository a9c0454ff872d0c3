"""The synthetic demo corpus rendered: real tagged files in five formats that decode to the
planned length, a faithful manifest, the same audio for the same plan."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import av
import mutagen
import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from tagger.training.demo_corpus import (
    FORMATS,
    MANIFEST_NAME,
    plan_demo_corpus,
    render_audio,
    render_demo_corpus,
)

TRACKS = 7
DURATIONS = (6.0, 9.0)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    calls = []
    tracks = render_demo_corpus(
        out,
        TRACKS,
        seed=3,
        duration_range=DURATIONS,
        progress=lambda done, total: calls.append((done, total)),
    )
    return out, tracks, calls


def read_tags(path: Path) -> dict[str, str]:
    """The six fields, whatever the tag family: written here without the code under test."""
    tags = mutagen.File(path).tags
    if isinstance(tags, ID3):
        frames = {
            "title": "TIT2",
            "artist": "TPE1",
            "album": "TALB",
            "date": "TDRC",
            "genre": "TCON",
            "tracknumber": "TRCK",
        }
        return {k: str(tags[f].text[0]) for k, f in frames.items() if f in tags}
    if isinstance(tags, MP4Tags):
        atoms = {
            "title": "\xa9nam",
            "artist": "\xa9ART",
            "album": "\xa9alb",
            "date": "\xa9day",
            "genre": "\xa9gen",
        }
        out = {k: str(tags[a][0]) for k, a in atoms.items() if a in tags}
        out["tracknumber"] = str(tags["trkn"][0][0])
        return out
    return {
        k: tags[k][0]
        for k in ("title", "artist", "album", "date", "genre", "tracknumber")
        if k in tags
    }


def decode(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        frames = [f.to_ndarray() for f in container.decode(stream)]
        channels = stream.codec_context.channels
    planar = [f if f.shape[0] == channels else f.reshape(-1, channels).T for f in frames]
    return np.concatenate(planar, axis=1).astype(np.float64), rate


def test_files_sit_in_label_folders_in_all_five_formats(corpus):
    out, tracks, calls = corpus
    assert len(tracks) == TRACKS
    assert Counter(t.label for t in tracks) == {"metal": 4, "hardcore": 3}
    assert {t.format for t in tracks} == set(FORMATS)
    for t in tracks:
        assert t.path.is_file()
        assert t.path.parent == out / t.label
        assert t.path.suffix == f".{t.format}"
    assert not list(out.rglob("*.partial"))
    assert calls[0] == (0, TRACKS) and calls[-1] == (TRACKS, TRACKS)


def test_files_decode_as_stereo_audio_of_the_planned_length(corpus):
    _, tracks, _ = corpus
    for t in tracks:
        audio, rate = decode(t.path)
        assert rate == 44_100
        assert audio.shape[0] == 2
        if audio.dtype.kind != "f" or np.abs(audio).max() > 2:
            audio = audio / 32768.0
        assert abs(audio.shape[1] / rate - t.duration) < 0.15, t.path.name
        rms = np.sqrt(np.mean(audio**2))
        assert 0.02 < rms < 0.9, t.path.name
        assert np.abs(audio).max() <= 1.25  # lossy codecs overshoot the limiter a little


def test_tags_match_the_manifest(corpus):
    out, tracks, _ = corpus
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    entries = {e["path"]: e for e in manifest["tracks"]}
    assert len(entries) == TRACKS
    for t in tracks:
        entry = entries[t.path.relative_to(out).as_posix()]
        tags = read_tags(t.path)
        assert tags["title"] == entry["title"] == t.title
        assert tags["artist"] == entry["artist"] == t.artist
        assert tags["album"] == entry["album"]
        assert tags["date"] == str(entry["year"]) == str(t.year)
        assert tags["tracknumber"] == str(entry["track_number"])
        assert tags.get("genre", "") == entry["genre"]
        assert entry["label"] == t.label
        assert entry["format"] == t.path.suffix[1:]
        for key in ("tempo", "key", "tuning", "style_mix", "duration", "sections", "params"):
            assert key in entry
        assert "guitar_db" in entry["params"] and "drums_db" in entry["params"]


def test_manifest_records_the_plan(corpus):
    out, tracks, _ = corpus
    plans = plan_demo_corpus(TRACKS, seed=3, duration_range=DURATIONS)
    for plan, track in zip(plans, tracks, strict=True):
        assert track.path == out / plan.relpath
        assert (track.label, track.artist, track.year, track.tempo, track.style_mix) == (
            plan.label,
            plan.artist,
            plan.year,
            plan.tempo,
            plan.style_mix,
        )


def test_audio_is_deterministic_for_a_plan():
    plan = plan_demo_corpus(4, seed=2, duration_range=(4.0, 5.0))[1]
    first, second = render_audio(plan), render_audio(plan)
    assert first.dtype == np.float32 and first.shape == (2, round(plan.duration * 44_100))
    np.testing.assert_array_equal(first, second)


def test_workers_render_the_same_corpus(tmp_path):
    tracks = render_demo_corpus(tmp_path, 2, seed=5, duration_range=(3.0, 4.0), workers=2)
    assert [t.path.name for t in tracks] == [
        Path(p.relpath).name for p in plan_demo_corpus(2, seed=5, duration_range=(3.0, 4.0))
    ]
    assert all(t.path.is_file() for t in tracks)


def test_cli_command(tmp_path, capsys):
    from tagger.cli.demo import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "demo-corpus",
            str(tmp_path / "c"),
            "--tracks",
            "2",
            "--min-seconds",
            "3",
            "--max-seconds",
            "4",
        ]
    )
    assert args.handler(args) == 0
    assert "2 tracks (1 metal, 1 hardcore" in capsys.readouterr().out
    assert (tmp_path / "c" / MANIFEST_NAME).is_file()
