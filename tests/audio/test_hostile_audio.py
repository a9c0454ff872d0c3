"""Every hostile file decodes or is refused with its reason; no legitimate format is refused."""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
import pytest
from audio_factory import tone, write_audio
from hostile_corpus import HostileFile, make_hostile_corpus

from tagger.audio.decode import decode, probe, read_windows
from tagger.audio.errors import AudioError
from tagger.audio.plausible import check_stream
from tagger.audio.segments import SAMPLE_RATE


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[HostileFile]:
    return make_hostile_corpus(tmp_path_factory.mktemp("hostile"))


def test_the_corpus_covers_issue_9(corpus):
    names = " ".join(c.name for c in corpus)
    for needed in (
        "NaN",
        ".m4a",
        ".mp3",
        ".flac",
        "empty",
        "cut off",
        "no audio",
        "Latin-1",
        "/dev/zero",
        "broken",
        "256 MB",
        "silence",
    ):
        assert needed in names
    assert any(c.decodes for c in corpus) and any(not c.decodes for c in corpus)


def test_every_hostile_file_gets_its_outcome(corpus):
    outcomes = {}
    for case in corpus:
        try:
            track = read_windows(case.path)
        except AudioError as exc:
            outcomes[case.name] = exc.reason
            assert case.refusal is not None, f"{case.name} was refused: {exc.reason}"
            assert re.search(case.refusal, exc.reason), f"{case.name}: {exc.reason!r}"
            assert exc.path == str(case.path)
            continue
        outcomes[case.name] = "decodes"
        assert case.decodes, f"{case.name} decoded; expected a refusal matching {case.refusal!r}"
        assert np.isfinite(track.windows).all() and np.abs(track.windows).max() > 0.01
    assert len(outcomes) == len(corpus)


def test_whole_file_decode_refuses_the_same_files(corpus):
    for case in corpus:
        if case.decodes:
            assert decode(case.path).shape[0] == 2
        else:
            with pytest.raises(AudioError):
                decode(case.path)


def test_a_name_that_is_not_utf8_decodes_like_its_twin(corpus):
    latin1 = next(c for c in corpus if "Latin-1" in c.name)
    with pytest.raises(UnicodeEncodeError):
        str(latin1.path).encode("utf-8")  # really a surrogate-escaped name
    good = next(c for c in corpus if c.name.startswith("good"))
    assert np.array_equal(read_windows(latin1.path).windows, read_windows(good.path).windows)


def _write_with(path: Path, container: str, codec: str) -> Path:
    """Formats audio_factory does not write (WMA, WavPack): the encoder's own sample format."""
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=44_100, layout="stereo")
        stream.bit_rate = 128_000
        stream.format = stream.codec_context.codec.audio_formats[0].name
        frame = av.AudioFrame.from_ndarray(tone(3.0), format="fltp", layout="stereo")
        frame.sample_rate = 44_100
        resampler = av.AudioResampler(format=stream.format, layout="stereo", rate=44_100)
        for converted in resampler.resample(frame):
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


LEGITIMATE = {
    "mp3": lambda p: write_audio(p / "a.mp3", tone(3.0)),
    "flac": lambda p: write_audio(p / "a.flac", tone(3.0)),
    "ogg vorbis": lambda p: write_audio(p / "a.ogg", tone(3.0)),
    "opus": lambda p: write_audio(p / "a.opus", tone(3.0, 48_000), 48_000),
    "m4a aac": lambda p: write_audio(p / "a.m4a", tone(3.0)),
    "m4a alac": lambda p: write_audio(p / "b.m4a", tone(3.0), codec="alac", sample_format="s16p"),
    "wav pcm": lambda p: write_audio(p / "a.wav", tone(3.0)),
    "wav float": lambda p: write_audio(
        p / "f.wav", tone(3.0), codec="pcm_f32le", sample_format="flt"
    ),
    "wav 8 kHz": lambda p: write_audio(p / "l.wav", tone(3.0, 8_000), 8_000),
    "aiff": lambda p: write_audio(p / "a.aiff", tone(3.0)),
    "asf wma": lambda p: _write_with(p / "a.wma", "asf", "wmav2"),
    "wavpack": lambda p: _write_with(p / "a.wv", "wv", "wavpack"),
}


@pytest.mark.parametrize("kind", sorted(LEGITIMATE))
def test_legitimate_formats_are_not_refused(tmp_path, kind):
    path = LEGITIMATE[kind](tmp_path)
    track = read_windows(path)
    assert np.abs(track.windows).max() > 0.1
    assert abs(track.info.total_samples - 3 * SAMPLE_RATE) < 0.1 * SAMPLE_RATE
    assert probe(path).codec


def test_real_clips_are_not_refused(shared_clips):
    for clip in shared_clips:
        assert np.abs(read_windows(clip).windows).max() > 0.01


@pytest.mark.parametrize(
    ("container", "codec", "rate", "reason"),
    [
        ("mov,mp4,m4a,3gp,3g2,mj2", "adpcm_ea", 44_100, "codec adpcm_ea in container mov"),
        ("ea_cdata", "adpcm_ea_xas", 33_610, "not plausible audio"),
        ("wav", "pcm_s16le", 1_000, "sample rate 1000 Hz is outside"),
        ("flac", "flac", 10_000_000, "sample rate 10000000 Hz"),
    ],
)
def test_implausible_streams_are_refused_by_the_table(container, codec, rate, reason):
    with pytest.raises(AudioError, match=reason):
        check_stream("x", container, codec, rate)
