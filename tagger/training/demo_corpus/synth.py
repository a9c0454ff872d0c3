"""Sound sources for the demo corpus: guitar and bass voices, a drum kit, shouted voices, a room.

Everything works on whole arrays (numpy + scipy.signal's C filters); there is no per-sample Python
loop. Loops run over notes, drum instruments or voices, never over samples.

Signals are float64 mono arrays at SAMPLE_RATE unless a docstring says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal

from tagger.audio.segments import SAMPLE_RATE

SR = SAMPLE_RATE


def midi_to_hz(midi: np.ndarray | float) -> np.ndarray | float:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


# --- filters ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _sos(kind: str, low: int, high: int, order: int) -> np.ndarray:
    # Cut-offs are rounded to whole hertz by the callers so that this cache stays small.
    nyq = SR / 2 - 1
    if kind == "bandpass":
        return signal.butter(order, [max(low, 10), min(high, nyq)], "bandpass", fs=SR, output="sos")
    return signal.butter(order, min(low, nyq), kind, fs=SR, output="sos")


def lowpass(x: np.ndarray, cutoff: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("lowpass", int(cutoff), 0, order), x, axis=-1)


def highpass(x: np.ndarray, cutoff: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("highpass", int(cutoff), 0, order), x, axis=-1)


def bandpass(x: np.ndarray, low: float, high: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("bandpass", int(low), int(high), order), x, axis=-1)


# --- guitar and bass ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tone:
    """An amp-and-cabinet sound: how hard the waveshaper is driven and how dark the cabinet is."""

    drive: float  # gain into tanh; 2 is crunchy, 30 is saturated
    asymmetry: float  # bias before the shaper, adds even harmonics
    cab_low: float  # cabinet high-pass, Hz
    cab_high: float  # cabinet low-pass, Hz
    detune_cents: float  # spread of the two stacked oscillators per string
    pulse_mix: float  # share of a pulse wave next to the saw


@dataclass(frozen=True)
class NoteEvents:
    """A monophonic sequence of (possibly chorded) notes, all times in samples.

    A note sounds from its onset until the next onset or its own length, whichever is first.
    `chords` is [n, 3]: frequency ratios of up to three strings over the root; 0 = string unused.
    `brightness` 0 is a fully palm-muted (dark) pick, 1 an open one.
    """

    onsets: np.ndarray
    lengths: np.ndarray
    freqs: np.ndarray
    chords: np.ndarray
    amps: np.ndarray
    decays: np.ndarray  # seconds
    brightness: np.ndarray


def _per_sample(events: NoteEvents, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which note is sounding at each sample, the time since its onset, and a release gate."""
    pos = np.arange(n)
    idx = np.searchsorted(events.onsets, pos, side="right") - 1
    active = idx >= 0
    idx = np.maximum(idx, 0)
    since = (pos - events.onsets[idx]).astype(np.float64)
    release = 0.012 * SR
    gate = np.clip((events.lengths[idx] - since) / release, 0.0, 1.0) * active
    return idx, since, gate


def string_voice(events: NoteEvents, n: int, tone: Tone, rng: np.random.Generator) -> np.ndarray:
    """A distorted guitar (or, with a mild tone, a bass).

    Detuned saw/pulse stacks per string → palm-mute darkening → tanh waveshaper → cabinet filter.
    """
    if len(events.onsets) == 0:
        return np.zeros(n)
    idx, since, gate = _per_sample(events, n)
    attack = np.minimum(since / (0.0015 * SR), 1.0)
    decay = events.decays[idx] * SR
    env = events.amps[idx] * np.exp(-since / decay) * attack

    phase = np.cumsum(events.freqs[idx]) / SR + rng.random()
    osc = np.zeros(n)
    spread = tone.detune_cents / 1200.0
    for k in range(events.chords.shape[1]):
        ratio = events.chords[idx, k]
        if not ratio.any():
            continue
        weight = (ratio > 0) * (1.0 if k == 0 else 0.8)
        for detune in (-spread, spread):
            ph = phase * ratio * 2.0**detune + rng.random()
            frac = ph - np.floor(ph)
            saw = 2.0 * frac - 1.0
            if tone.pulse_mix > 0:
                saw = saw + tone.pulse_mix * (np.where(frac < 0.42, 1.0, -1.0) - saw)
            osc += weight * saw
    # Palm muting: the muted pick is darker before the amp, so mix toward a low-passed copy.
    dark = lowpass(osc, 420.0)
    bright = events.brightness[idx]
    osc = dark + bright * (osc - dark)

    shaped = np.tanh(tone.drive * env * osc + tone.asymmetry) - np.tanh(tone.asymmetry)
    # The amp keeps a note up long after the string would have died; let it fade eventually.
    shaped *= gate * np.exp(-since / (4.0 * decay))
    out = highpass(shaped, tone.cab_low)
    return lowpass(out, tone.cab_high, order=4)


# --- drums --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KitSpec:
    """A drum kit's character; DrumKit renders the one-shots from it."""

    kick_pitch: float  # Hz at the end of the sweep
    kick_click: float  # level of the beater click
    kick_decay: float
    snare_pitch: float
    snare_decay: float
    snare_snappy: float  # noise vs. tone
    cymbal_hp: float  # Hz; higher is thinner and brighter
    cymbal_decay: float
    tom_pitch: float


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n)


def _exp(n: int, seconds: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (seconds * SR))


def _sweep(n: int, start_hz: float, end_hz: float, tau: float) -> np.ndarray:
    t = np.arange(n) / SR
    freq = end_hz + (start_hz - end_hz) * np.exp(-t / tau)
    return np.sin(2 * np.pi * np.cumsum(freq) / SR)


def _normalize(x: np.ndarray) -> np.ndarray:
    peak = np.max(np.abs(x))
    return x / peak if peak > 0 else x


class DrumKit:
    """One-shot samples for each drum instrument, synthesised once per track."""

    INSTRUMENTS = ("kick", "snare", "hat", "open_hat", "ride", "crash", "china", "tom_hi", "tom_lo")

    def __init__(self, spec: KitSpec, rng: np.random.Generator):
        s = spec
        n = int(0.45 * SR)
        kick = _sweep(n, s.kick_pitch * 3.2, s.kick_pitch, 0.025) * _exp(n, s.kick_decay)
        click = highpass(_noise(rng, n), 2500) * _exp(n, 0.004)
        kick = kick + s.kick_click * 0.6 * click

        n = int(0.5 * SR)
        body = _sweep(n, s.snare_pitch * 1.5, s.snare_pitch, 0.01) * _exp(n, 0.06)
        wires = bandpass(_noise(rng, n), 900, 9000) * _exp(n, s.snare_decay)
        snare = (1 - s.snare_snappy) * body + s.snare_snappy * 1.3 * _normalize(wires)

        def metal(n: int, decay: float, hp: float, partials: int) -> np.ndarray:
            noise = highpass(_noise(rng, n), hp, order=4)
            t = np.arange(n) / SR
            freqs = hp * (0.35 + rng.random(partials) * 0.9)
            ring = np.sin(2 * np.pi * freqs[:, None] * t).sum(axis=0) / partials
            return _normalize(noise + 0.5 * ring) * _exp(n, decay)

        hat = metal(int(0.12 * SR), 0.035, s.cymbal_hp * 1.2, 6)
        open_hat = metal(int(0.5 * SR), 0.2, s.cymbal_hp * 1.1, 6)
        ride = metal(int(1.2 * SR), s.cymbal_decay * 0.5, s.cymbal_hp * 0.7, 8)
        ride[: int(0.01 * SR)] *= 1.8  # the bell ping of a ride stroke
        crash = metal(int(2.0 * SR), s.cymbal_decay, s.cymbal_hp * 0.6, 10)
        china_raw = metal(int(1.4 * SR), s.cymbal_decay * 0.6, s.cymbal_hp * 0.45, 10)
        china = np.tanh(3 * china_raw) * _exp(len(china_raw), s.cymbal_decay * 0.6)

        n = int(0.6 * SR)
        tom_hi = _sweep(n, s.tom_pitch * 1.9, s.tom_pitch * 1.5, 0.04) * _exp(n, 0.22)
        tom_lo = _sweep(n, s.tom_pitch * 1.3, s.tom_pitch, 0.05) * _exp(n, 0.3)

        levels = {
            "kick": 1.0,
            "snare": 0.85,
            "hat": 0.25,
            "open_hat": 0.28,
            "ride": 0.3,
            "crash": 0.45,
            "china": 0.45,
            "tom_hi": 0.7,
            "tom_lo": 0.75,
        }
        raw = {
            "kick": kick,
            "snare": snare,
            "hat": hat,
            "open_hat": open_hat,
            "ride": ride,
            "crash": crash,
            "china": china,
            "tom_hi": tom_hi,
            "tom_lo": tom_lo,
        }
        self.samples = {k: levels[k] * _normalize(v) for k, v in raw.items()}


def place_hits(
    sample: np.ndarray, onsets: np.ndarray, velocities: np.ndarray, n: int
) -> np.ndarray:
    """Mix `sample` at every onset, scaled by velocity: an impulse train convolved with the shot."""
    if len(onsets) == 0:
        return np.zeros(n)
    impulses = np.zeros(n)
    keep = (onsets >= 0) & (onsets < n)
    np.add.at(impulses, onsets[keep], velocities[keep])
    return signal.oaconvolve(impulses, sample)[:n]


# --- voices -------------------------------------------------------------------------------------

# Formant centre frequencies (F1, F2, F3) of shouted vowels: "ah", "eh", "oh", "ay", "oo".
VOWELS = np.array(
    [[750, 1200, 2600], [550, 1750, 2500], [500, 900, 2400], [650, 1500, 2450], [380, 950, 2300]],
    dtype=np.float64,
)


def shout(
    seconds: float,
    pitch: float,
    vowel: int,
    grit: float,
    rng: np.random.Generator,
    formant_shift: float = 1.0,
) -> np.ndarray:
    """One shouted or growled syllable: a buzzy, noisy source through three formant band-passes."""
    n = max(int(seconds * SR), 64)
    t = np.arange(n) / SR
    wobble = 1.0 + 0.03 * np.sin(2 * np.pi * (4 + 3 * rng.random()) * t)
    glide = 1.0 + 0.12 * np.exp(-t / 0.05)  # shouts start sharp and fall onto the note
    phase = np.cumsum(pitch * wobble * glide) / SR
    buzz = 2.0 * (phase - np.floor(phase)) - 1.0
    source = (1 - grit) * buzz + grit * 1.5 * _noise(rng, n)
    out = np.zeros(n)
    for j, (formant, gain) in enumerate(
        zip(VOWELS[vowel] * formant_shift, (1.0, 0.7, 0.4), strict=True)
    ):
        width = 0.22 if j == 0 else 0.15
        out += gain * bandpass(source, formant * (1 - width), formant * (1 + width))
    env = np.minimum(t / 0.015, 1.0) * np.clip((seconds - t) / 0.06, 0.0, 1.0)
    return np.tanh(2.5 * _normalize(out) * env)


# --- space and noise ----------------------------------------------------------------------------


def room_impulse(decay: float, rng: np.random.Generator) -> np.ndarray:
    """A stereo [2, n] diffuse tail: decaying noise, darker as it decays less fast."""
    n = int(min(3.0 * decay, 1.5) * SR)
    ir = _noise(rng, (2, n)) * _exp(n, decay / 3.0)
    ir = lowpass(ir, 5500)
    ir[:, : int(0.008 * SR)] = 0.0  # pre-delay
    return ir / np.sqrt(np.sum(ir**2) / 2)


def hiss_loop(
    seconds: float, hiss_gain: float, hum_gain: float, rng: np.random.Generator, hum_hz: float
) -> np.ndarray:
    """Stereo tape hiss plus mains hum, as a loop that is tiled under the whole track."""
    n = int(seconds * SR)
    hiss = highpass(_noise(rng, (2, n)), 1500) * hiss_gain
    t = np.arange(n) / SR
    # A whole number of hum cycles keeps the loop seamless.
    hz = round(hum_hz * seconds) / seconds
    hum = hum_gain * (np.sin(2 * np.pi * hz * t) + 0.4 * np.sin(2 * np.pi * 3 * hz * t))
    return hiss + hum
