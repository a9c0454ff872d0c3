"""The log-Mel front end, on torch.stft (torchaudio cannot be installed next to a CPU torch).

It matches torchaudio's MelSpectrogram(power=2, htk mel scale, norm=None, center=True,
pad_mode="constant") followed by AmplitudeToDB("power", top_db=80), which is the same as librosa's
melspectrogram(htk=True, norm=None, center=True) + power_to_db(ref=1, amin=1e-10, top_db=80).
The dB floor is applied per window over both channels together, as torchaudio does per item.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

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

    @property
    def n_frames(self) -> int:
        return 1 + self.window_samples // self.hop_length  # center=True: 259 for 3 s

    def to_dict(self) -> dict:
        return asdict(self)


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


class LogMel(nn.Module):
    """[..., samples] waveform → [..., n_mels, frames] log-Mel power in dB."""

    def __init__(self, config: FrontEndConfig | None = None) -> None:
        super().__init__()
        self.config = config or FrontEndConfig()
        c = self.config
        self.register_buffer("window", torch.hann_window(c.n_fft, periodic=True), persistent=False)
        fb = torch.from_numpy(mel_filterbank(c)).to(torch.float32)
        self.register_buffer("filterbank", fb, persistent=False)

    @torch.no_grad()
    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        c = self.config
        lead, n = waveform.shape[:-1], waveform.shape[-1]
        flat = waveform.reshape(-1, n)  # (B*C, samples)
        spec = torch.stft(
            flat,
            n_fft=c.n_fft,
            hop_length=c.hop_length,
            window=self.window.to(flat.dtype),
            center=True,
            pad_mode="constant",
            return_complex=True,
        )  # (B*C, n_freqs, frames)
        power = spec.real.square() + spec.imag.square()
        mel = torch.matmul(power.transpose(1, 2), self.filterbank.to(power.dtype)).transpose(1, 2)
        db = 10.0 * torch.log10(torch.clamp(mel, min=c.amin))  # (B*C, n_mels, frames)
        db = db.reshape(*lead, c.n_mels, -1)
        if c.top_db is not None and db.dim() >= 3:
            # Floor per item over (channels, mels, frames), like torchaudio's AmplitudeToDB.
            items = db.reshape(-1, *db.shape[-3:]) if db.dim() > 3 else db.unsqueeze(0)
            peak = items.amax(dim=(-3, -2, -1), keepdim=True)
            items = torch.maximum(items, peak - c.top_db)
            db = items.reshape(db.shape)
        return db


def log_mel(windows: np.ndarray, config: FrontEndConfig | None = None) -> np.ndarray:
    """[n, channels, samples] float32 windows → [n, channels, n_mels, frames] float32 dB."""
    front = LogMel(config)
    return front(torch.from_numpy(np.ascontiguousarray(windows, dtype=np.float32))).numpy()
