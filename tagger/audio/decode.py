"""Decoding with PyAV into float32 [2, samples] at 44.1 kHz, reading only what the plan needs.

Channel rule: mono is duplicated to both channels; more than two channels are downmixed to stereo
by FFmpeg's standard downmix matrix (the one its resampler applies for the "stereo" layout).

Two ways to read a track's windows, chosen by cost:
- sequential: decode from the start and copy the planned slices as they pass. Used when the
  windows cover much of the track (tracks up to about 6 minutes), where seeking saves nothing.
- seeking: for each window, seek a little before it (pre-roll, so that codecs with inter-frame
  state such as mp3's bit reservoir have settled) and decode only that stretch.
Either way only the 60 windows are held in memory, never the whole track.

Positions come from the decoder's own output, after FFmpeg has removed the mp3 encoder delay
(LAME/Xing gapless info), so sample 0 is the first real sample in both modes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import av
import numpy as np

from tagger.audio import plausible
from tagger.audio.errors import AudioError
from tagger.audio.segments import (
    SAMPLE_RATE,
    WINDOW_SAMPLES,
    Segment,
    place_in_window,
    segment_plan,
)

CHANNELS = 2
SEEK_PREROLL_SECONDS = 0.5
# Seek per window only when the windows cover less than this share of the track.
SEEK_WHEN_COVERAGE_BELOW = 0.5
# Sequential reading skips (demuxes without decoding) stretches no window needs, decoding again
# this long before the next window so that the codec has settled.
SKIP_GAPS = True
# Verified to land on the same samples after a skip (tests/audio/test_decode.py). Not Ogg and
# FLAC, whose packet time stamps are not always what the decoder then outputs.
SKIP_GAP_CODECS = frozenset({"mp3", "mp3float"})
SKIP_PREROLL_SAMPLES = SAMPLE_RATE // 5
# A decode that yields this many frames without producing audio is treated as broken input.
MAX_EMPTY_FRAMES = 10_000


PartCallback = Callable[[list[Segment], int, np.ndarray], None]


@dataclass(frozen=True)
class AudioInfo:
    path: str
    container: str
    codec: str
    sample_rate: int  # native rate of the file
    channels: int  # native channel count of the file
    duration: float  # seconds
    total_samples: int  # length at 44.1 kHz

    @property
    def duration_known(self) -> bool:
        return self.total_samples > 0


@dataclass(frozen=True)
class DecodedTrack:
    """A track's planned windows, ready for the front end: windows is [n, 2, window_samples]."""

    info: AudioInfo
    segments: list[Segment]
    windows: np.ndarray


def probe(path: str | Path) -> AudioInfo:
    with _open(path) as container:
        return _info(path, container, _audio_stream(path, container))


def read_parts(
    path: str | Path,
    window: int = WINDOW_SAMPLES,
    on_part: PartCallback | None = None,
    overlap: bool = False,
) -> tuple[AudioInfo, list[Segment], list[np.ndarray]]:
    """The audio of each planned window before padding: a list of [2, length] arrays.

    `on_part(plan, i, part)` is called as soon as part i is decoded, in order, so that a caller
    can work on early windows while later ones decode. If the plan changes midway (a wrong
    duration in the header), it is called again for every part of the new plan.
    """
    info = probe(path)
    total = info.total_samples if info.duration_known else _count_samples(path)
    plan = segment_plan(total, window=window, overlap=overlap)
    if not plan:
        raise AudioError(path, "contains no audio samples")
    coverage = sum(s.length for s in plan) / total
    if coverage < SEEK_WHEN_COVERAGE_BELOW:
        parts = []
        for i, s in enumerate(plan):
            parts.append(_read_span(path, s.start, s.length))
            if on_part:
                on_part(plan, i, parts[-1])
    else:
        parts, decoded = _read_spans_sequential(path, plan, on_part)
        if abs(decoded - total) > max(SAMPLE_RATE // 10, total // 100):
            # The header's duration was wrong (seen with some Ogg and VBR mp3 files): the
            # decoder counted the real length, so plan again on it.
            info = replace(info, total_samples=decoded, duration=decoded / SAMPLE_RATE)
            plan = segment_plan(decoded, window=window, overlap=overlap)
            if not plan:
                raise AudioError(path, "decoded to no audio samples")
            # Its time stamps are suspect too: no skipping on this pass.
            parts, _ = _read_spans_sequential(path, plan, on_part, skip=False)
    if all(p.shape[1] == 0 for p in parts):
        raise AudioError(path, "decoded to no audio samples")
    for part in parts:  # before any caller gives them to the network
        plausible.check_finite(path, part)
    plausible.check_not_silent(path, parts)
    return info, plan, parts


def read_windows(
    path: str | Path,
    rng: np.random.Generator | None = None,
    window: int = WINDOW_SAMPLES,
    overlap: bool = False,
) -> DecodedTrack:
    """Decode the windows of the segment plan; `rng` gives random padding offsets (training)."""
    info, plan, parts = read_parts(path, window, overlap=overlap)
    windows = np.stack([place_in_window(p, window, rng) for p in parts])
    return DecodedTrack(info=info, segments=plan, windows=windows)


def read_metadata(path: str | Path) -> dict[str, str]:
    """The container's and audio stream's tags, with lower-case keys (artist, date, genre, ...)."""
    with _open(path) as container:
        stream = _audio_stream(path, container)
        tags = {**container.metadata, **stream.metadata}
    return {str(k).lower(): str(v) for k, v in tags.items()}


def iter_chunks(path: str | Path) -> Iterator[np.ndarray]:
    """Yield the whole track as float32 [2, n] chunks at 44.1 kHz."""
    with _open(path) as container:
        stream = _audio_stream(path, container)
        for _, chunk in _decode(path, container, stream):
            yield chunk


def decode(path: str | Path, max_seconds: float = 600.0) -> np.ndarray:
    """The whole track as [2, n]. Refuses tracks longer than `max_seconds` to bound memory."""
    limit = int(max_seconds * SAMPLE_RATE)
    chunks, n = [], 0
    for chunk in iter_chunks(path):
        plausible.check_finite(path, chunk)
        chunks.append(chunk)
        n += chunk.shape[1]
        if n > limit:
            raise AudioError(path, f"longer than {max_seconds:.0f} s; read it by windows instead")
    if not chunks:
        raise AudioError(path, "decoded to no audio samples")
    plausible.check_not_silent(path, chunks)
    return np.concatenate(chunks, axis=1)


# --- internals -------------------------------------------------------------------------------


def _open(path: str | Path) -> av.container.InputContainer:
    p = Path(path)
    if not p.is_file():
        if p.is_symlink() and not p.exists():
            raise AudioError(path, "broken symbolic link (its target does not exist)")
        raise AudioError(path, "no such file" if not p.exists() else "not a regular file")
    if p.stat().st_size == 0:
        raise AudioError(path, "file is empty")
    try:
        return av.open(str(p), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise AudioError(path, f"not a readable audio file ({_reason(exc)})") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(path, f"cannot open ({exc})") from None


def _audio_stream(path: str | Path, container: av.container.InputContainer) -> av.AudioStream:
    if not container.streams.audio:
        raise AudioError(path, "has no audio stream")
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    if ctx is None or not ctx.sample_rate:
        raise AudioError(path, "audio stream has no usable codec or sample rate")
    plausible.check_stream(path, container.format.name, ctx.name, int(ctx.sample_rate))
    stream.thread_type = "AUTO"
    return stream


def _info(path: str | Path, container: av.container.InputContainer, stream) -> AudioInfo:
    seconds = 0.0
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / av.time_base
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    ctx = stream.codec_context
    return AudioInfo(
        path=str(path),
        container=container.format.name,
        codec=ctx.name,
        sample_rate=int(ctx.sample_rate),
        channels=int(ctx.channels or len(ctx.layout.channels) or 0),
        duration=seconds,
        total_samples=int(round(seconds * SAMPLE_RATE)),
    )


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[-1].strip() or type(exc).__name__


def _decode(
    path, container, stream, next_needed: Callable[[], int | None] | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Decoded audio at 44.1 kHz stereo float32 as (position, [2, n]) chunks.

    With `next_needed` (the next sample anyone wants), packets that end more than the pre-roll
    before it are demuxed but not decoded: the 1 s between the 3 s windows of a 4-minute track's
    4 s parts, a fifth of its decoding. After a skip, positions come from the frames' time
    stamps, and the pre-roll lets codecs with inter-frame state (mp3's bit reservoir, AAC and
    Vorbis overlap, Opus) settle before the samples that count.
    """
    time_base = float(stream.time_base)
    origin = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
    pos, resync, empty, good_packets, corrupt_packets = 0, False, 0, 0, 0
    try:
        for packet in container.demux(stream):
            needed = next_needed() if next_needed is not None else None
            if needed is not None and packet.pts is not None and packet.duration:
                end = int(((packet.pts + packet.duration) * time_base - origin) * SAMPLE_RATE)
                if end < needed - SKIP_PREROLL_SAMPLES:
                    resync = True
                    continue
            try:
                frames = packet.decode()
                good_packets += 1
            except av.error.InvalidDataError:
                corrupt_packets += 1
                continue  # one corrupt packet: skip it, as players do
            for frame in frames:
                if resync:
                    if frame.time is None:
                        continue
                    pos = int(round((frame.time - origin) * SAMPLE_RATE))
                    resync = False
                    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
                if _is_target_format(frame):
                    # Already 44.1 kHz stereo float (mp3, aac, vorbis usually are): skip the
                    # resampler's copy. It holds nothing back for such input.
                    chunks = [frame.to_ndarray()]
                else:
                    frame.pts = None  # let the resampler count samples itself
                    chunks = [o.to_ndarray() for o in resampler.resample(frame)]
                got = False
                for arr in chunks:
                    if arr.shape[1]:
                        got = True
                        yield pos, arr
                        pos += arr.shape[1]
                empty = 0 if got else empty + 1
                if empty > MAX_EMPTY_FRAMES:
                    raise AudioError(path, "decoder produces no audio")
        for o in resampler.resample(None):
            arr = o.to_ndarray()
            if arr.shape[1]:
                yield pos, arr
                pos += arr.shape[1]
        plausible.check_corrupt_share(path, corrupt_packets, good_packets)
    except AudioError:
        raise
    except av.error.FFmpegError as exc:
        raise AudioError(path, f"decoding failed ({_reason(exc)})") from None
    except (ValueError, MemoryError, OSError) as exc:
        raise AudioError(path, f"decoding failed ({exc})") from None


def _is_target_format(frame: av.AudioFrame) -> bool:
    return (
        frame.sample_rate == SAMPLE_RATE
        and frame.format.name == "fltp"
        and frame.layout.name == "stereo"
    )


def _read_spans_sequential(
    path, plan: list[Segment], on_part: PartCallback | None = None, skip: bool = True
) -> tuple[list[np.ndarray], int]:
    """Copy the planned slices out of one pass over the track; also returns its real length.

    Decoding goes on past the last window (at most one part, under 1% of the track) so that a
    wrong duration in the header is noticed.
    """
    parts = [np.zeros((CHANNELS, s.length), dtype=np.float32) for s in plan]
    filled = [0] * len(plan)
    first = 0  # index of the first segment not yet finished
    end = 0

    def next_needed() -> int | None:
        # After the last window: decode on to the end, to count the real length.
        return plan[first].start if first < len(plan) else None

    with _open(path) as container:
        stream = _audio_stream(path, container)
        gaps = SKIP_GAPS and skip and stream.codec_context.name in SKIP_GAP_CODECS
        skipping = next_needed if gaps else None
        for lo, chunk in _decode(path, container, stream, skipping):
            hi = lo + chunk.shape[1]
            end = max(end, hi)
            for i in range(first, len(plan)):
                s = plan[i]
                if s.start >= hi:
                    break
                a, b = max(lo, s.start), min(hi, s.end)
                if a < b:
                    parts[i][:, a - s.start : b - s.start] = chunk[:, a - lo : b - lo]
                    filled[i] = max(filled[i], b - s.start)
            while first < len(plan) and plan[first].end <= hi:
                if on_part:
                    on_part(plan, first, parts[first])
                first += 1
    pos = end
    # A duration estimate can overshoot the real length: keep only what was decoded.
    parts = [p[:, :f] for p, f in zip(parts, filled, strict=True)]
    if on_part:
        for i in range(first, len(plan)):
            on_part(plan, i, parts[i])
    return parts, pos


def _read_span(path, start: int, length: int) -> np.ndarray:
    """`length` samples from sample `start`, by seeking shortly before it.

    Some demuxers land after the requested time (seen with AAC in MP4); then seek again from
    further back, doubling the pre-roll, and from the very start as the last resort.
    """
    preroll = SEEK_PREROLL_SECONDS
    while True:
        first, out = _decode_span(path, start, length, preroll)
        if first <= start or preroll > start / SAMPLE_RATE:
            return out
        preroll *= 4


def _decode_span(path, start: int, length: int, preroll: float) -> tuple[int, np.ndarray]:
    """Decode from a seek `preroll` seconds before `start`; returns (first sample seen, audio)."""
    out = np.zeros((CHANNELS, length), dtype=np.float32)
    filled = 0
    first = 0
    with _open(path) as container:
        stream = _audio_stream(path, container)
        target = max(0.0, start / SAMPLE_RATE - preroll)
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
        pos: int | None = None
        origin = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    continue
                for frame in frames:
                    if pos is None:
                        if frame.time is None:
                            continue
                        first = pos = int(round((frame.time - origin) * SAMPLE_RATE))
                        if first > start:
                            return first, out[:, :0]
                    frame.pts = None
                    for o in resampler.resample(frame):
                        arr = o.to_ndarray()
                        lo, hi = pos, pos + arr.shape[1]
                        a, b = max(lo, start), min(hi, start + length)
                        if a < b:
                            out[:, a - start : b - start] = arr[:, a - lo : b - lo]
                            filled = max(filled, b - start)
                        pos = hi
                if pos is not None and pos >= start + length:
                    break
        except av.error.FFmpegError as exc:
            raise AudioError(path, f"decoding failed ({_reason(exc)})") from None
    return first, out[:, :filled]


def _count_samples(path) -> int:
    """Length at 44.1 kHz for files whose header states no duration: decode once and count."""
    return sum(chunk.shape[1] for chunk in iter_chunks(path))
