"""Instruments and mixing of the independent corpus generator (benchmarks/independent_corpus.py).

Written apart from tagger/training/demo_corpus on purpose, so a model trained on the demo corpus
meets sounds it never heard: guitars and bass are Karplus-Strong plucks (palm mutes are plucks
with heavy string damping), driven through a rational two-stage clipper and a biquad cabinet;
drums are one-shots synthesised per track and dropped onto the timeline; voices are pulse trains
and noise through three formant band-passes. Everything is float32 NumPy/SciPy, per note at
most, so a 4-minute track renders in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.signal import butter, lfilter, oaconvolve, sosfilt

SR = 44_100


def sos(kind: str, freq: float | tuple[float, float], order: int = 2) -> np.ndarray:
    """A Butterworth design, cut-offs rounded to 1 Hz so that repeated designs come cached."""
    return _butter(kind, tuple(np.round(np.atleast_1d(freq)).tolist()), order)


@lru_cache(maxsize=4096)
def _butter(kind: str, freq: tuple[float, ...], order: int) -> np.ndarray:
    return butter(order, freq if len(freq) > 1 else freq[0], btype=kind, fs=SR, output="sos")


def peaking(f0: float, gain_db: float, q: float) -> np.ndarray:
    """One RBJ peaking-EQ biquad as an SOS row (a boost or cut around f0)."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * f0 / SR
    alpha = np.sin(w0) / (2 * q)
    b = [1 + alpha * a, -2 * np.cos(w0), 1 - alpha * a]
    den = [1 + alpha / a, -2 * np.cos(w0), 1 - alpha / a]
    return np.array([[*(np.array(b) / den[0]), 1.0, den[1] / den[0], den[2] / den[0]]])


def filt(x: np.ndarray, *stages: np.ndarray) -> np.ndarray:
    return sosfilt(np.vstack(stages), x).astype(np.float32)


def hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def pluck(freq: float, seconds: float, t60: float, dark: float, rng: np.random.Generator):
    """Karplus-Strong string: a noise burst circulating in a delay line of one period, averaged
    each pass. Computed one period at a time (each block depends only on the previous one), at
    an integer period, then resampled to the exact pitch."""
    exact = SR / freq
    period = max(int(exact), 2)
    n = int(seconds * SR) + 2
    burst = lfilter([1 - dark], [1, -dark], rng.uniform(-1, 1, period))
    z = np.zeros(n + period + 2)
    z[1 : period + 1] = burst - burst.mean()
    loss = 10 ** (-3 * (period + 0.5) / (t60 * SR))
    for k in range(period + 1, len(z), period):
        m = min(period, len(z) - k)
        prev = z[k - period - 1 : k - period + m]
        z[k : k + m] = loss * 0.5 * (prev[1:] + prev[:-1])
    y = z[1:]
    ratio = (period + 0.5) / exact
    pos = np.arange(n - 2) * ratio
    pos = pos[pos < len(y) - 1]
    out = np.interp(pos, np.arange(len(y)), y).astype(np.float32)
    return out / (np.abs(out).max() + 1e-9)


@dataclass
class Note:
    t: float  # seconds
    dur: float
    pitch: int  # MIDI
    chord: bool = False  # power chord: root, fifth, octave
    muted: bool = False  # palm mute
    vel: float = 1.0


@dataclass
class GuitarTone:
    open_t60: float
    muted_t60: float
    dark: float
    gain: float
    knee: int  # 1 or 2: the clipper's curve
    bias: float  # asymmetry of the first stage
    mid_hz: float
    scoop_db: float
    cab_hz: float
    cab_res_hz: float
    presence_db: float


def random_tone(rng: np.random.Generator) -> GuitarTone:
    return GuitarTone(
        open_t60=rng.uniform(2.0, 6.0),
        muted_t60=rng.uniform(0.08, 0.25),
        dark=rng.uniform(0.05, 0.5),
        gain=rng.uniform(6.0, 60.0),
        knee=int(rng.integers(1, 3)),
        bias=rng.uniform(0.0, 0.4),
        mid_hz=rng.uniform(350, 900),
        scoop_db=rng.uniform(-9, 2),
        cab_hz=rng.uniform(3200, 7000),
        cab_res_hz=rng.uniform(80, 160),
        presence_db=rng.uniform(-2, 5),
    )


class StringBank:
    """Plucks cached per (pitch, muted): a riff repeats a handful of pitches thousands of times."""

    def __init__(self, tone: GuitarTone, rng: np.random.Generator, octave_shift: int = 0):
        self.tone, self.rng, self.shift = tone, rng, octave_shift
        self.cache: dict[tuple[int, bool], np.ndarray] = {}

    def get(self, pitch: int, muted: bool) -> np.ndarray:
        key = (pitch, muted)
        if key not in self.cache:
            t60 = self.tone.muted_t60 if muted else self.tone.open_t60
            dark = min(self.tone.dark + (0.4 if muted else 0.0), 0.9)
            self.cache[key] = pluck(
                hz(pitch + 12 * self.shift), 0.7 if muted else 4.5, t60, dark, self.rng
            )
        return self.cache[key]


def render_notes(notes: list[Note], n: int, bank: StringBank, humanize: float) -> np.ndarray:
    out = np.zeros(n, np.float32)
    fade = int(0.012 * SR)
    ramp = np.linspace(0, 1, fade, dtype=np.float32)
    for note in notes:
        start = int((note.t + bank.rng.normal(0, humanize)) * SR)
        start = min(max(start, 0), n - 1)
        length = min(int(note.dur * SR), n - start)
        for p in (note.pitch, note.pitch + 7, note.pitch + 12) if note.chord else (note.pitch,):
            tone = bank.get(p, note.muted)
            m = min(length, len(tone))
            seg = out[start : start + m]
            seg += note.vel * tone[:m]
            k = min(fade, m)
            seg[m - k :] -= note.vel * tone[m - k : m] * ramp[fade - k :]
    return out


def amp(x: np.ndarray, tone: GuitarTone) -> np.ndarray:
    """Boosted mids into a rational clipper (y / (1 + |y|^k)^(1/k), biased for even
    harmonics), then a cubic soft clip, then a 4x12-ish cabinet: resonance, scoop, roll-off."""
    pre = filt(x, sos("highpass", 180), peaking(tone.mid_hz * 1.4, 9, 0.8))
    y = tone.gain * pre + tone.bias
    curve = (
        (lambda v: v / (1 + np.abs(v))) if tone.knee == 1 else (lambda v: v / np.sqrt(1 + v * v))
    )
    y = np.clip(1.6 * (curve(y) - curve(np.float32(tone.bias))), -1, 1)
    y = y - y**3 / 3
    return filt(
        y,
        sos("highpass", 75),
        peaking(tone.cab_res_hz, 5, 1.2),
        peaking(tone.mid_hz, tone.scoop_db, 0.9),
        peaking(2600, tone.presence_db, 1.0),
        sos("lowpass", tone.cab_hz, 4),
    )


def _exp(n: int, tau: float) -> np.ndarray:
    return np.exp(-np.arange(n, dtype=np.float32) / (tau * SR))


def _sweep(n: int, f0: float, f1: float, tau: float) -> np.ndarray:
    t = np.arange(n) / SR
    f = f1 + (f0 - f1) * np.exp(-t / tau)
    return np.sin(2 * np.pi * np.cumsum(f) / SR).astype(np.float32)


@dataclass
class Kit:
    """Sample-free one-shots, synthesised once per track with its own tuning and decay."""

    voices: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def random(cls, rng: np.random.Generator) -> Kit:
        def noise(n: int) -> np.ndarray:
            return rng.uniform(-1, 1, n).astype(np.float32)

        n = int(0.5 * SR)
        kick = _sweep(n, rng.uniform(110, 220), rng.uniform(42, 62), rng.uniform(0.01, 0.04))
        kick *= _exp(n, rng.uniform(0.06, 0.2))
        click = filt(noise(n), sos("highpass", 2500)) * _exp(n, 0.002) * rng.uniform(0.2, 1.2)
        kick = np.tanh(1.5 * (kick + click))
        body = rng.uniform(160, 260)
        m = int(0.45 * SR)
        snare = 0.6 * _sweep(m, body * 1.4, body, 0.01) * _exp(m, rng.uniform(0.03, 0.09))
        wires = filt(noise(m), sos("bandpass", (rng.uniform(900, 2500), 9000)))
        snare += rng.uniform(0.6, 1.4) * wires * _exp(m, rng.uniform(0.06, 0.18))
        hat_n = int(0.3 * SR)
        hat_f = rng.uniform(6000, 10000)
        hat = filt(noise(hat_n), sos("highpass", hat_f)) * _exp(hat_n, rng.uniform(0.015, 0.05))
        open_hat = filt(noise(hat_n), sos("highpass", hat_f)) * _exp(hat_n, 0.12)
        c = int(2.5 * SR)
        ratios = rng.uniform(1, 4.5, 7)
        base = rng.uniform(280, 520)
        t = np.arange(c) / SR
        partials = sum(np.sign(np.sin(2 * np.pi * base * r * t)) for r in ratios) / 7
        crash_noise = filt(noise(c), sos("highpass", rng.uniform(2500, 5000)))
        crash = (0.5 * partials + crash_noise).astype(np.float32) * _exp(c, rng.uniform(0.5, 1.1))
        ride = filt(partials.astype(np.float32), sos("highpass", 1500)) * _exp(c, 0.35)
        china = np.clip(2.5 * crash, -1, 1) * _exp(c, 0.4)
        toms = [_sweep(n, f * 1.5, f, 0.03) * _exp(n, 0.18) for f in rng.uniform(80, 200, 3)]
        voices = {
            "kick": kick,
            "snare": snare,
            "hat": hat,
            "open_hat": open_hat,
            "crash": crash,
            "ride": ride,
            "china": china,
        }
        voices.update({f"tom{i}": tom for i, tom in enumerate(toms)})
        return cls(
            {k: (v / (np.abs(v).max() + 1e-9)).astype(np.float32) for k, v in voices.items()}
        )


def place(hits: list[tuple[float, float]], sample: np.ndarray, n: int) -> np.ndarray:
    """Drop a one-shot at each (seconds, velocity); a new hit of the same voice chokes it."""
    out = np.zeros(n, np.float32)
    starts = [int(t * SR) for t, _ in hits]
    for i, (start, (_, vel)) in enumerate(zip(starts, hits, strict=True)):
        if start >= n:
            continue
        end = min(n, start + len(sample), starts[i + 1] if i + 1 < len(hits) else n)
        out[start:end] += vel * sample[: end - start]
    return out


def syllable(seconds: float, f0: float, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A shouted, growled or shrieked syllable: jittery pulse train plus breath noise, through
    three formant band-passes, then clipped like a strained throat."""
    n = max(int(seconds * SR), 64)
    jitter = 1 + 0.03 * np.cumsum(rng.normal(0, 0.02, n)) / np.sqrt(n)
    phase = np.cumsum(f0 * jitter / SR)
    source = 2 * (phase % 1.0) - 1
    breath = {"growl": 0.6, "shout": 1.0, "shriek": 2.5}[kind]
    source = source + breath * rng.uniform(-1, 1, n)
    shift = {"growl": 0.75, "shout": 1.0, "shriek": 1.35}[kind]
    f1, f2, f3 = rng.uniform(450, 850) * shift, rng.uniform(1000, 1900) * shift, 2700 * shift
    y = sum(
        g * filt(source, sos("bandpass", (f / 1.25, min(f * 1.25, SR / 2 - 100))))
        for f, g in ((f1, 1.0), (f2, 0.6), (f3, 0.3))
    )
    t = np.arange(n) / SR
    env = np.minimum(t / 0.02, 1) * np.clip((seconds - t) / 0.08, 0, 1)
    y = y * env / (np.abs(y).max() + 1e-9)
    return (3 * y / (1 + np.abs(3 * y))).astype(np.float32)


def reverb(x: np.ndarray, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A room: a few early reflections plus a decaying noise tail, convolved at a quarter of the
    rate (the tail is dark anyway) and brought back up by interpolation."""
    small = x[::4]
    rate = SR / 4
    n = int(seconds * rate)
    ir = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (seconds * rate / 6.9))
    ir[: int(0.01 * rate)] = 0
    for d in rng.uniform(0.005, 0.04, 5):
        ir[int(d * rate)] += rng.uniform(0.5, 1.5) * 8
    ir = lfilter([0.3], [1, -0.7], ir)
    wet = oaconvolve(small, ir / np.sqrt(np.sum(ir**2)), mode="full")[: len(small)]
    return np.interp(np.arange(len(x)) / 4, np.arange(len(wet)), wet).astype(np.float32)


def master(mix: np.ndarray, rng: np.random.Generator, seconds_in: float, seconds_out: float):
    """Tilt EQ, an envelope-follower compressor, a soft-knee limiter, a random loudness, hiss,
    sometimes hum, and fades. `mix` is [2, n]."""
    tilt = (peaking(90, rng.uniform(-3, 4), 0.7), peaking(9000, rng.uniform(-5, 4), 0.7))
    mix = np.stack([filt(ch, *tilt) for ch in mix])
    env = np.maximum(filt(np.abs(mix).mean(axis=0), sos("lowpass", 8)), 1e-6)
    thr = np.quantile(env[::64], 0.6) + 1e-9  # every 64th sample: the envelope is slow
    ratio = rng.uniform(1.5, 6)
    gain = np.where(env > thr, (env / thr) ** (1 / ratio - 1), 1.0).astype(np.float32)
    mix = mix * gain
    target_rms = 10 ** (rng.uniform(-20, -9) / 20)
    mix = mix * (target_rms / (np.sqrt(np.mean(mix**2)) + 1e-9))
    knee = rng.uniform(2, 6)
    mix = mix / (1 + np.abs(mix / 0.95) ** knee) ** (1 / knee)
    n = mix.shape[1]
    hiss = filt(rng.standard_normal(n, dtype=np.float32), sos("lowpass", rng.uniform(3000, 12000)))
    mix += 10 ** (rng.uniform(-80, -48) / 20) * np.stack([hiss, np.roll(hiss, 9973)])
    if rng.random() < 0.3:
        mains = rng.choice([50, 60])
        mix += 10 ** (rng.uniform(-70, -55) / 20) * np.sin(2 * np.pi * mains * np.arange(n) / SR)
    fade_in = np.minimum(np.arange(n) / (seconds_in * SR + 1), 1)
    fade_out = np.clip((n - np.arange(n)) / (seconds_out * SR + 1), 0, 1)
    return np.clip(mix * (fade_in * fade_out).astype(np.float32), -1, 1).astype(np.float32)
