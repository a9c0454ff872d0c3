"""Decoding: every format, every kind of bad input, bounded memory for a 1-hour file."""

import shutil
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from audio_factory import CODECS, tone, write_audio

from tagger.audio.decode import decode, probe, read_parts, read_windows
from tagger.audio.errors import AudioError
from tagger.audio.segments import SAMPLE_RATE, WINDOW_SAMPLES


@pytest.mark.parametrize("ext", sorted(CODECS))
def test_every_format_decodes_to_stereo_44k1(tmp_path, ext):
    rate = 48_000 if ext == ".opus" else 44_100
    path = write_audio(tmp_path / f"a{ext}", tone(4.0, rate), rate)
    audio = decode(path)
    assert audio.dtype == np.float32 and audio.shape[0] == 2
    assert abs(audio.shape[1] - 4 * SAMPLE_RATE) < 0.1 * SAMPLE_RATE
    track = read_windows(path)
    assert track.windows.shape == (60, 2, WINDOW_SAMPLES)
    assert np.abs(track.windows).max() > 0.1


def test_mono_is_duplicated(tmp_path):
    path = write_audio(tmp_path / "mono.flac", tone(2.0, channels=1))
    audio = decode(path)
    assert audio.shape[0] == 2 and np.array_equal(audio[0], audio[1])


def test_8k_is_resampled(tmp_path):
    path = write_audio(tmp_path / "low.wav", tone(2.0, 8_000, freq=300.0), 8_000)
    assert probe(path).sample_rate == 8_000
    audio = decode(path)
    assert abs(audio.shape[1] - 2 * SAMPLE_RATE) < 200
    spectrum = np.abs(np.fft.rfft(audio[0]))
    peak_hz = spectrum.argmax() * SAMPLE_RATE / audio.shape[1]
    assert abs(peak_hz - 300) < 5


def test_96k_24bit_is_resampled(tmp_path):
    path = write_audio(tmp_path / "hi.wav", tone(2.0, 96_000), 96_000, codec="pcm_s24le")
    info = probe(path)
    assert (info.sample_rate, info.codec) == (96_000, "pcm_s24le")
    assert abs(decode(path).shape[1] - 2 * SAMPLE_RATE) < 200


def test_six_channels_are_downmixed_to_stereo(tmp_path):
    path = write_audio(tmp_path / "surround.wav", tone(2.0, channels=6))
    assert probe(path).channels == 6
    audio = decode(path)
    assert audio.shape[0] == 2 and np.abs(audio).max() > 0.1


def test_silent_file_is_refused_with_a_reason(tmp_path):
    path = write_audio(tmp_path / "silence.flac", np.zeros((2, SAMPLE_RATE * 5), np.float32))
    with pytest.raises(AudioError, match="digital silence"):
        read_windows(path)


def test_one_second_file_gives_one_centred_window(tmp_path):
    path = write_audio(tmp_path / "short.wav", tone(1.0, noise=0))
    track = read_windows(path)
    assert len(track.segments) == 1 and track.windows.shape == (1, 2, WINDOW_SAMPLES)
    nonzero = np.flatnonzero(track.windows[0, 0])
    # centred to the front end's hop (512 samples): at most one hop before the exact centre
    centre = (WINDOW_SAMPLES - SAMPLE_RATE) // 2
    assert centre - 512 - 2 <= nonzero[0] <= centre + 2


def test_wrong_extension_is_decoded_by_content(tmp_path):
    real = write_audio(tmp_path / "a.flac", tone(2.0))
    renamed = tmp_path / "actually_flac.mp3"
    shutil.copy(real, renamed)
    assert decode(renamed).shape[1] == decode(real).shape[1]


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    good = write_audio(tmp_path / "good.mp3", tone(6.0))
    data = good.read_bytes()
    files = {
        "empty": tmp_path / "empty.mp3",
        "random": tmp_path / "random.flac",
        "text": tmp_path / "notes.m4a",
        "truncated_header": tmp_path / "header_only.mp3",
        "image": tmp_path / "cover.wav",
        "missing": tmp_path / "gone.ogg",
        "folder": tmp_path / "folder.mp3",
    }
    files["empty"].write_bytes(b"")
    files["random"].write_bytes(np.random.default_rng(0).bytes(50_000))
    files["text"].write_text("this is not audio\n" * 100)
    files["truncated_header"].write_bytes(data[:60])
    files["image"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    files["folder"].mkdir()
    return files


def test_bad_input_raises_one_typed_error_naming_file_and_reason(tmp_path):
    for kind, path in _bad_files(tmp_path).items():
        with pytest.raises(AudioError) as err:
            read_windows(path)
        assert err.value.path == str(path), kind
        assert err.value.reason and str(path) in str(err.value), kind


def test_truncated_file_gives_what_is_there(tmp_path):
    good = write_audio(tmp_path / "good.mp3", tone(8.0))
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    try:
        track = read_windows(cut)
    except AudioError as exc:  # also acceptable: a clear error
        assert exc.reason
    else:
        assert np.abs(track.windows).max() > 0.1


def _write_long_wav(path: Path, seconds: int, rate: int = 8_000) -> Path:
    """A 16-bit mono WAV written in blocks, so the test itself never holds it whole."""
    n = seconds * rate
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + 2 * n) + b"WAVEfmt ")
        f.write(struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16))
        f.write(b"data" + struct.pack("<I", 2 * n))
        t = np.arange(rate * 60) / rate
        block = (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()
        for _ in range(seconds // 60):
            f.write(block)
    return path


def test_one_hour_file_is_read_by_windows_with_bounded_memory(tmp_path):
    path = _write_long_wav(tmp_path / "hour.wav", 3600)
    tracemalloc.start()
    info, plan, parts = read_parts(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.duration == pytest.approx(3600)
    assert len(parts) == 60 and all(p.shape[1] == WINDOW_SAMPLES for p in parts)
    # The whole hour at 44.1 kHz stereo float32 would be 1.27 GB; 60 windows are 64 MB.
    assert peak < 200 * 2**20
    assert plan[-1].start == 59 * 3600 * SAMPLE_RATE // 60
    with pytest.raises(AudioError, match="longer than"):
        decode(path, max_seconds=600)


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".m4a"])
def test_seeking_reads_the_same_audio_as_a_full_pass(tmp_path, ext, monkeypatch):
    """The seek path (long files) must line up with the sequential path, mp3 delay included."""
    import tagger.audio.decode as dec

    # Random chords changing every 100 ms: tonal (white noise would make AAC use perceptual
    # noise substitution, which a decoder renders differently after a seek), lag-sensitive.
    rng = np.random.default_rng(1)
    t = np.arange(SAMPLE_RATE * 200) / SAMPLE_RATE
    freqs = rng.uniform(100, 2000, size=(2000, 3))[(t * 10).astype(int)]
    mono = sum(np.sin(2 * np.pi * f * t) for f in freqs.T) / 4
    audio = np.stack([mono, mono]).astype(np.float32)
    path = write_audio(tmp_path / f"long{ext}", audio)
    _, _, sequential = read_parts(path)
    monkeypatch.setattr(dec, "SEEK_WHEN_COVERAGE_BELOW", 2.0)  # force seeking
    _, _, seeked = read_parts(path)
    for a, b in zip(sequential[1:], seeked[1:], strict=True):
        n = min(a.shape[1], b.shape[1])
        assert n > WINDOW_SAMPLES - 10
        corr = np.corrcoef(a[0, 2000:n], b[0, 2000:n])[0, 1]
        assert corr > 0.99


@pytest.mark.parametrize("ext", [".mp3"])  # the codecs in SKIP_GAP_CODECS
def test_skipping_the_gaps_between_windows_reads_the_same_windows(tmp_path, ext, monkeypatch):
    """A 5-minute track has 5 s parts and 3 s windows: the 2 s between are not decoded."""
    import tagger.audio.decode as dec

    rate = 48_000 if ext == ".opus" else 44_100
    rng = np.random.default_rng(2)
    t = np.arange(rate * 300) / rate
    freqs = rng.uniform(100, 2000, size=(3000, 3))[(t * 10).astype(int)]
    mono = sum(np.sin(2 * np.pi * f * t) for f in freqs.T) / 4
    path = write_audio(
        tmp_path / f"five_minutes{ext}", np.stack([mono, mono]).astype(np.float32), rate
    )
    decoded = {"samples": 0}
    real_decode = dec._decode

    def counting_decode(*args, **kwargs):
        for pos, chunk in real_decode(*args, **kwargs):
            decoded["samples"] += chunk.shape[1]
            yield pos, chunk

    monkeypatch.setattr(dec, "_decode", counting_decode)
    info_skip, plan_skip, skipped = read_parts(path)
    with_skips = decoded["samples"]
    monkeypatch.setattr(dec, "SKIP_GAPS", False)
    decoded["samples"] = 0
    info_full, plan_full, full = read_parts(path)
    assert with_skips < 0.75 * decoded["samples"]  # 2 s of every 5 s part were not decoded
    assert plan_skip == plan_full and len(plan_full) == 60
    for a, b in zip(full, skipped, strict=True):
        assert a.shape == b.shape
        assert np.corrcoef(a[0], b[0])[0, 1] > 0.999
        assert np.abs(a - b).mean() < 0.002
