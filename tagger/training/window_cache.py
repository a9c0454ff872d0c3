"""Each training track's 60 windows, decoded once and kept as log-Mel images.

Random-offset padding is the training-time augmentation. Drawing the offset in whole hops
(512 samples, 11.6 ms) makes it exact to shift a cached spectrogram instead of decoding every
track every epoch: with center=True and zero padding, the spectrogram of a window whose audio
starts k hops later is the same spectrogram moved k frames right, the gap at the floor value.
That turns each epoch from minutes of decoding into array slicing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from tagger.audio.decode import read_parts
from tagger.audio.feature_pool import FeatureFailure, map_features
from tagger.audio.mel import FrontEndConfig, LogMel
from tagger.training.dataset import LabeledTrack
from tagger.training.feature_cache import FeatureCache
from tagger.training.split import Split


@dataclass
class CachedTrack:
    """mel: [n, 2, n_mels, frames] float16 dB, audio at offset 0; lengths: samples per window;
    starts: where each window's audio begins in the track (None in entries written before it
    was kept; classifying from the cache needs it, training does not)."""

    mel: np.ndarray
    lengths: np.ndarray
    starts: np.ndarray | None = None

    def arrays(self) -> dict[str, np.ndarray]:
        """What a feature cache entry holds."""
        out = {"mel": self.mel, "lengths": self.lengths}
        return out if self.starts is None else {**out, "starts": self.starts}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> CachedTrack | None:
        """A cache entry read back, or None when it lacks what training needs."""
        if not {"mel", "lengths"} <= arrays.keys():
            return None
        return cls(arrays["mel"], arrays["lengths"], arrays.get("starts"))


def cache_key(path: Path, fingerprint: str | None, config: FrontEndConfig) -> str:
    """The feature cache key: the content fingerprint when known, else path + size + mtime."""
    if fingerprint is None:
        st = path.stat()
        fingerprint = f"stat:{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return FeatureCache.key(fingerprint, config.to_dict())


def compute_cached_track(path: Path, config: FrontEndConfig) -> CachedTrack:
    _, plan, parts = read_parts(path, config.window_samples, overlap=config.overlap_short_tracks)
    windows = np.zeros((len(parts), 2, config.window_samples), dtype=np.float32)
    for i, part in enumerate(parts):
        windows[i, :, : part.shape[1]] = part
    mel = LogMel(config)(windows).astype(np.float16)
    return CachedTrack(
        mel=mel,
        lengths=np.array([p.shape[1] for p in parts], dtype=np.int64),
        starts=np.array([s.start for s in plan], dtype=np.int64),
    )


def load_or_compute(
    path: Path, fingerprint: str | None, config: FrontEndConfig, cache: FeatureCache | None
) -> CachedTrack:
    """A feature-pool job: the cached windows of `path`, computed and stored on a miss."""
    key = cache_key(path, fingerprint, config) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.get(key)
        cached = CachedTrack.from_arrays(hit) if hit is not None else None
        if cached is not None:
            return cached
    track = compute_cached_track(path, config)
    if cache is not None and key is not None:
        cache.put(key, track.arrays())
    return track


def build_cache(
    tracks: Iterable[tuple[Path, str | None]],
    config: FrontEndConfig,
    cache: FeatureCache | None,
    workers: int,
    on_done: Callable[[Path, CachedTrack | str], None],
) -> None:
    """Windows of each (path, fingerprint) on `workers` processes (the one feature pool),
    through the feature cache; `on_done` gets a CachedTrack or an error text."""
    jobs = ((p, (p, fp, config, cache)) for p, fp in tracks)
    for path, result in map_features(load_or_compute, jobs, workers):
        on_done(path, result.reason if isinstance(result, FeatureFailure) else result)
    if cache is not None:
        cache.trim()


def assemble_batch(
    tracks: list[CachedTrack],
    items: np.ndarray,
    config: FrontEndConfig,
    rng: np.random.Generator | None,
    augment: bool = False,
) -> np.ndarray:
    """items: [B, 2] (track, window) → [B, 2, n_mels, frames] float32, padded per the plan.

    With `rng` each window's audio starts at a random whole hop; without it, centred (to the hop).
    `augment` (training only) adds the generic augmentations of `augment_window`.
    """
    hop = config.hop_length
    out = np.empty((len(items), 2, config.n_mels, config.n_frames), dtype=np.float32)
    for b, (t, w) in enumerate(items):
        track = tracks[t]
        mel = track.mel[w].astype(np.float32)
        max_shift = max(0, (config.window_samples - int(track.lengths[w])) // hop)
        shift = int(rng.integers(0, max_shift + 1)) if rng is not None else max_shift // 2
        if shift == 0:
            out[b] = mel
        else:
            out[b, :, :, shift:] = mel[:, :, :-shift]
            out[b, :, :, :shift] = mel.min()
        if augment and rng is not None:
            augment_window(out[b], rng)
    return out


def augment_window(mel: np.ndarray, rng: np.random.Generator) -> None:
    """Label-preserving changes that hold for any music, not tuned to one corpus (in place):

    - gain: ±6 dB, as recordings differ in level (exact: the dB image shifts as a whole);
    - SpecAugment-style masks (Park et al. 2019): one band of up to 8 of the 64 Mel bands and
      one stretch of up to 24 frames (0.28 s) set to the window's floor, so that no single
      band or moment decides.
    """
    floor = mel.min()
    mel += rng.uniform(-6.0, 6.0)
    n_mels, frames = mel.shape[-2:]
    width = int(rng.integers(0, 9))
    start = int(rng.integers(0, n_mels - width + 1))
    mel[:, start : start + width, :] = floor
    width = int(rng.integers(0, 25))
    start = int(rng.integers(0, frames - width + 1))
    mel[:, :, start : start + width] = floor


TrackSet = tuple[list[CachedTrack], list[LabeledTrack]]  # windows and their tracks, in step


def decode_tracks(
    tracks: list[LabeledTrack],
    frontend: FrontEndConfig,
    cache: FeatureCache | None,
    workers: int,
    on_done: Callable[[], None] | None = None,
) -> tuple[TrackSet, dict[str, str]]:
    """The (windows, tracks) of those of `tracks` that could be read, in order, and why the
    others could not (path → reason)."""
    results: dict[Path, CachedTrack | str] = {}

    def done(path: Path, result: CachedTrack | str) -> None:
        results[path] = result
        if on_done is not None:
            on_done()

    build_cache([(t.path, t.fingerprint) for t in tracks], frontend, cache, workers, done)
    kept = [t for t in tracks if not isinstance(results[t.path], str)]
    skipped = {str(p): r for p, r in results.items() if isinstance(r, str)}
    return ([results[t.path] for t in kept], kept), skipped  # type: ignore[misc]


def decode_split(
    split: Split,
    frontend: FrontEndConfig,
    cache: FeatureCache | None,
    workers: int,
    show_progress: bool,
    log: Callable[[str], None],
) -> tuple[TrackSet, TrackSet, dict[str, str]]:
    """Decode train and validation tracks once (the test split is never touched here): the
    (windows, tracks) of each that could be read, and why the others could not."""
    wanted = split.train + split.val
    bar = tqdm(
        total=len(wanted), desc="decoding", unit="track", disable=not show_progress, file=sys.stderr
    )
    (windows, kept), skipped = decode_tracks(wanted, frontend, cache, workers, bar.update)
    bar.close()
    for path, reason in skipped.items():
        log(f"skipping {path}: {reason}")
    train_ids = {id(t) for t in split.train}  # kept keeps the order: train first, then val
    n_train = sum(1 for t in kept if id(t) in train_ids)
    return (windows[:n_train], kept[:n_train]), (windows[n_train:], kept[n_train:]), skipped
