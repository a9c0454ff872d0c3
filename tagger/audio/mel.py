"""The log-Mel front end in NumPy/SciPy, so decoding processes never load torch.

It matches torchaudio's MelSpectrogram(power=2, htk mel scale, norm=None, center=True,
pad_mode="constant") followed by AmplitudeToDB("power", top_db=80), which is the same as librosa's
melspectrogram(htk=True, norm=None, center=True) + power_to_db(ref=1, amin=1e-10, top_db=80).
The dB floor is applied per window over both channels together, as torchaudio does per item.

scipy.fft (pocketfft with SIMD over many transforms) is used rather than numpy.fft: on the
development machine it takes a third of numpy.fft's time for a chunk of windows and keeps the
whole front end as fast as the torch.stft version it replaced (benchmarks/mel_speed.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tagger.audio.segments import SAMPLE_RATE, WINDOW_SAMPLES


@dataclass(frozen=True)
class FrontEndConfig:
    sample_rate: int = SAMPLE_RATE
    window_samples: int = WINDOW_SAMPLES
    n_fft: int = 1024
    hop_length: int = 512
    n_mels: int = 64
    f_min: float = 0.0
    f_max: float = SAMPLE_RATE / 2
    amin: float = 1e-10
    top_db: float = 80.0
    n_parts: int = 60
    # The segment plan for tracks under N whole windows (segments.py): False pads the paper's
    # parts with silence, True takes N full overlapping windows.
    overlap_short_tracks: bool = False

    @property
    def n_frames(self) -> int:
        return 1 + self.window_samples // self.hop_length  # center=True: 259 for 3 s

    def to_dict(self) -> dict:
        # The paper plan leaves the field out, so the feature-cache keys and model files written
        # before the option existed stay valid (a missing field reads as False).
        out = asdict(self)
        if not self.overlap_short_tracks:
            del out["overlap_short_tracks"]
        return out


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(config: FrontEndConfig) -> np.ndarray:
    """HTK-scale triangular filters, no area normalisation: [n_freqs, n_mels], float64."""
    n_freqs = config.n_fft // 2 + 1
    fft_freqs = np.linspace(0.0, config.sample_rate / 2, n_freqs)
    mels = np.linspace(
        _hz_to_mel(np.float64(config.f_min)),
        _hz_to_mel(np.float64(config.f_max)),
        config.n_mels + 2,
    )
    hz = _mel_to_hz(mels)
    widths = np.diff(hz)
    ramps = hz[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    return np.maximum(0.0, np.minimum(lower, upper)).T


class LogMel:
    """[..., samples] waveform → [..., n_mels, frames] log-Mel power in dB.

    float64 input is computed in float64 (the oracle tests use it); anything else in float32.
    """

    def __init__(self, config: FrontEndConfig | None = None) -> None:
        import scipy.fft  # here: ~0.3 s to import, and FrontEndConfig alone must stay light

        self._rfft = scipy.fft.rfft
        self.config = c = config or FrontEndConfig()
        hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(c.n_fft) / c.n_fft)  # periodic Hann
        fb = mel_filterbank(c)
        self._window = {np.dtype(t): hann.astype(t) for t in (np.float32, np.float64)}
        self._filterbank = {np.dtype(t): fb.astype(t) for t in (np.float32, np.float64)}

    def __call__(self, waveform: np.ndarray) -> np.ndarray:
        c = self.config
        dtype = np.dtype(np.float64 if waveform.dtype == np.float64 else np.float32)
        lead, n = waveform.shape[:-1], waveform.shape[-1]
        flat = waveform.reshape(-1, n)  # (B*C, samples)
        pad = c.n_fft // 2  # center=True with zero padding, as torch.stft(pad_mode="constant")
        padded = np.zeros((flat.shape[0], n + 2 * pad), dtype=dtype)
        padded[:, pad : pad + n] = flat
        frames = sliding_window_view(padded, c.n_fft, axis=-1)[:, :: c.hop_length]  # a view
        spectrum = self._rfft(frames * self._window[dtype], axis=-1, overwrite_x=True)
        # |X|² as re² + im² over the interleaved floats, then one product with the n_freqs
        # filter rows: half the multiply-adds of squaring in place and meeting each filter row
        # twice (the Mel product was a third of the front end's time).
        interleaved = spectrum.view(dtype)  # (B*C, T, 2·n_freqs): re, im, re, im, ...
        np.square(interleaved, out=interleaved)
        power = interleaved[..., 0::2] + interleaved[..., 1::2]  # (B*C, T, n_freqs)
        n_items, n_frames = power.shape[:2]
        mel = power.reshape(-1, power.shape[-1]) @ self._filterbank[dtype]
        np.maximum(mel, c.amin, out=mel)
        db = 10.0 * np.log10(mel, out=mel)  # (B*C·T, n_mels)
        db = db.reshape(n_items, n_frames, c.n_mels).transpose(0, 2, 1)
        db = np.ascontiguousarray(db).reshape(*lead, c.n_mels, n_frames)
        if c.top_db is not None and db.ndim >= 3:
            # Floor per item over (channels, mels, frames), like torchaudio's AmplitudeToDB.
            items = db.reshape(-1, *db.shape[-3:])
            peak = items.max(axis=(-3, -2, -1), keepdims=True)
            np.maximum(items, peak - c.top_db, out=items)
        return db


def log_mel(windows: np.ndarray, config: FrontEndConfig | None = None) -> np.ndarray:
    """[n, channels, samples] float32 windows → [n, channels, n_mels, frames] float32 dB."""
    return LogMel(config)(np.ascontiguousarray(windows, dtype=np.float32))
