"""Arrangements: what the drums, guitar and voices play in one cycle of a song part.

A song part repeats a riff cycle of 1, 2 or 4 bars in 4/4. This module writes the notes of that
cycle on a step grid (4 steps a beat, or 3 for triplet feels); `render` turns steps into samples.

What tells the styles apart is only the pattern over time, never a global level or tempo:
- metal: tremolo-picked 16ths over blast beats or double-kick runs, gallops, thrash skank beats
  with 16th chugs, sustained chords over half-time double kick;
- hardcore: two-step and d-beat grooves with 8th-note chord strums, half-time breakdowns of
  syncopated open-string chugs doubled by the kick, triplet mosh parts, fast parts, gang shouts.
Timbre, loudness, tempo and tuning are drawn from one shared distribution in `plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

METAL = "metal"
HARDCORE = "hardcore"
NEUTRAL = "neutral"  # intros and outros: counted toward neither style


@dataclass(frozen=True)
class KindSpec:
    style: str
    weight: float  # how often a song of this style picks it
    tempo_range: tuple[float, float]  # effective BPM this part feels natural at
    steps_per_beat: int = 4


KINDS: dict[str, KindSpec] = {
    "blast": KindSpec(METAL, 1.0, (150, 250)),
    "double_kick": KindSpec(METAL, 1.0, (110, 210)),
    "gallop": KindSpec(METAL, 0.9, (120, 210)),
    "legato": KindSpec(METAL, 0.8, (60, 130)),
    "thrash": KindSpec(METAL, 0.7, (150, 240)),
    "twostep": KindSpec(HARDCORE, 1.0, (85, 170)),
    "dbeat": KindSpec(HARDCORE, 0.9, (120, 210)),
    "breakdown": KindSpec(HARDCORE, 1.1, (60, 120)),
    "mosh": KindSpec(HARDCORE, 0.6, (60, 110), steps_per_beat=3),
    "fastpart": KindSpec(HARDCORE, 0.7, (150, 240)),
    "intro": KindSpec(NEUTRAL, 0.0, (60, 140)),
}


def kinds_of(style: str) -> list[str]:
    return [name for name, spec in KINDS.items() if spec.style == style]


@dataclass(frozen=True)
class GuitarNote:
    step: float
    length: float  # steps; the note also stops at the next note
    pitch: int  # MIDI note of the lowest string played
    chord: tuple[int, ...]  # semitones above `pitch`, including 0
    muted: bool
    velocity: float
    ring: float  # decay time constant in seconds


@dataclass(frozen=True)
class Syllable:
    step: float
    length: float  # steps
    vowel: int
    gang: bool  # several voices at once


@dataclass
class Score:
    steps_per_beat: int
    steps: int
    swing: float = 0.0  # delay of the off-beat 8ths, in steps
    drums: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    guitar: list[GuitarNote] = field(default_factory=list)
    vocals: list[Syllable] = field(default_factory=list)

    def hit(self, instrument: str, step: float, velocity: float = 1.0) -> None:
        self.drums.setdefault(instrument, []).append((step, velocity))


@dataclass(frozen=True)
class Harmony:
    low: int  # MIDI note of the lowest open string
    root: int  # MIDI note of the key's root, at or above `low`
    scale: tuple[int, ...]

    def pitch(self, degree: int) -> int:
        octave, index = divmod(degree, len(self.scale))
        return self.root + self.scale[index] + 12 * octave


POWER = (0, 7, 12)
FIFTH = (0, 7)
OCTAVE = (0, 12)
SINGLE = (0,)
DISSONANT = ((0, 1, 7), (0, 6, 12), (0, 1), (0, 6))


def _line(rng: np.random.Generator, n: int, span: int = 5) -> list[int]:
    """A riff's melody as scale degrees: a walk that keeps coming home to the root."""
    degrees = [0]
    for _ in range(n - 1):
        step = int(rng.choice([-2, -1, 1, 1, 2, 3, -3]))
        nxt = degrees[-1] + step
        if rng.random() < 0.3 or not -1 <= nxt <= span:
            nxt = 0 if rng.random() < 0.6 else int(rng.integers(0, span))
        degrees.append(nxt)
    return degrees


def _jitter(rng: np.random.Generator, v: float) -> float:
    return float(v * rng.uniform(0.85, 1.0))


# --- metal --------------------------------------------------------------------------------------


def _tremolo(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    hold = int(rng.choice([2, 4, 4, 8]))
    chord = [SINGLE, OCTAVE, FIFTH, POWER][int(rng.integers(4))]
    line = _line(rng, score.steps // hold + 1, span=7)
    ring = rng.uniform(0.1, 0.25)
    for s in range(score.steps):
        accent = 1.0 if s % hold == 0 else 0.8
        pitch = h.pitch(line[s // hold])
        score.guitar.append(GuitarNote(s, 1, pitch, chord, False, accent, ring))


def _chug16(score: Score, h: Harmony, rng: np.random.Generator, kick: bool) -> None:
    """16th palm-muted chugs on the open string, broken by accented chords on a few beats."""
    accents = set(range(0, score.steps, 4 * int(rng.choice([1, 2]))))
    line = _line(rng, len(accents) + 1)
    order = sorted(accents)
    for s in range(score.steps):
        if s in accents:
            deg = line[order.index(s)]
            score.guitar.append(GuitarNote(s, 2, h.pitch(deg), POWER, False, 1.0, 0.5))
        elif s % 2 == 0 or rng.random() < 0.85:
            score.guitar.append(GuitarNote(s, 1, h.low, FIFTH, True, 0.85, 0.07))
        if kick:
            score.hit("kick", s, _jitter(rng, 0.95))


def metal_blast(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    variant = rng.choice(["traditional", "hammer", "bomb"])
    cymbal = str(rng.choice(["ride", "crash", "china", "hat"]))
    for s in range(score.steps):
        even = s % 2 == 0
        if variant == "traditional":
            score.hit("kick" if even else "snare", s, _jitter(rng, 0.9))
        elif variant == "hammer" and even:
            score.hit("kick", s, _jitter(rng, 0.9))
            score.hit("snare", s, _jitter(rng, 0.8))
        elif variant == "bomb":
            score.hit("kick", s, _jitter(rng, 0.9))
            if even:
                score.hit("snare", s, _jitter(rng, 0.8))
        if even:
            score.hit(cymbal, s, _jitter(rng, 0.8))
    _tremolo(score, h, rng)


def metal_double_kick(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["ride", "crash", "hat", "china"]))
    cymbal_every = int(rng.choice([2, 4]))
    triplet_kicks = rng.random() < 0.25
    for s in range(score.steps):
        if s % 16 in (4, 12):
            score.hit("snare", s, _jitter(rng, 1.0))
        if s % cymbal_every == 0:
            score.hit(cymbal, s, _jitter(rng, 0.9))
    if triplet_kicks:
        for k in np.arange(0, score.steps, 4 / 3):
            score.hit("kick", float(k), _jitter(rng, 0.9))
    if rng.random() < 0.5:
        if not triplet_kicks:
            for s in range(score.steps):
                score.hit("kick", s, _jitter(rng, 0.9))
        _tremolo(score, h, rng)
    else:
        _chug16(score, h, rng, kick=not triplet_kicks)


def metal_gallop(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cell = [0, 2, 3] if rng.random() < 0.7 else [0, 1, 3]
    every = int(rng.choice([4, 8]))  # beats between accented chords
    cymbal = str(rng.choice(["ride", "hat", "crash"]))
    line = _line(rng, score.steps // 4 // every + 2)
    for beat in range(score.steps // 4):
        base = beat * 4
        score.hit(cymbal, base, _jitter(rng, 0.9))
        score.hit(cymbal, base + 2, _jitter(rng, 0.7))
        if beat % 2 == 1:
            score.hit("snare", base, _jitter(rng, 1.0))
        for off in cell:
            score.hit("kick", base + off, _jitter(rng, 0.9))
            if beat % every == 0 and off == 0:
                pitch = h.pitch(line[beat // every])
                score.guitar.append(GuitarNote(base, 2, pitch, POWER, False, 1.0, 0.6))
            else:
                score.guitar.append(GuitarNote(base + off, 1, h.low, FIFTH, True, 0.85, 0.08))


def metal_legato(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    s = 0
    line = _line(rng, score.steps // 4 + 1)
    i = 0
    while s < score.steps:
        length = int(rng.choice([4, 8, 8, 16]))
        length = min(length, score.steps - s)
        score.guitar.append(
            GuitarNote(s, length, h.pitch(line[i]), POWER, False, 1.0, float(rng.uniform(1.0, 2.5)))
        )
        s += length
        i += 1
    double = rng.random() < 0.65
    for s in range(score.steps):
        if double:
            score.hit("kick", s, _jitter(rng, 0.85))
        elif s % 16 in (0, 6, 10):
            score.hit("kick", s, _jitter(rng, 1.0))
        if s % 16 == 8:
            score.hit("snare", s, _jitter(rng, 1.0))
        if s % 2 == 0:
            score.hit("ride", s, _jitter(rng, 0.8 if s % 4 == 0 else 0.6))


def metal_thrash(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["hat", "ride", "crash", "china"]))
    for s in range(0, score.steps, 2):
        score.hit("kick" if s % 4 == 0 else "snare", s, _jitter(rng, 0.95))
        score.hit(cymbal, s, _jitter(rng, 0.9))
    _chug16(score, h, rng, kick=False)


# --- hardcore -----------------------------------------------------------------------------------


def _strums(
    score: Score,
    h: Harmony,
    rng: np.random.Generator,
    density: float,
    change: int,
    muted_offbeats: bool,
) -> None:
    """8th-note power-chord strums; the chord changes every `change` steps."""
    line = _line(rng, score.steps // change + 1)
    onsets = [s for s in range(0, score.steps, 2) if s % change == 0 or rng.random() < density]
    for s, nxt in zip(onsets, [*onsets[1:], score.steps], strict=True):
        pitch = h.pitch(line[s // change])
        muted = muted_offbeats and s % 4 == 2
        ring = 0.08 if muted else float(rng.uniform(0.4, 0.9))
        # Open chords ring on into the next strum; muted stabs are cut short.
        score.guitar.append(
            GuitarNote(
                s, 1 if muted else nxt - s, pitch, POWER, muted, 0.85 if muted else 1.0, ring
            )
        )


def _gang(score: Score, rng: np.random.Generator) -> None:
    """Gang shouts at the end of the cycle: one to three short bursts on 8th-note positions."""
    count = int(rng.integers(1, 4))
    end = score.steps
    start = end - 2 * count - int(rng.choice([0, 2]))
    vowel = int(rng.integers(len(SHOUT_VOWELS)))
    for k in range(count):
        score.vocals.append(Syllable(start + 2 * k, 1.6, SHOUT_VOWELS[vowel], True))
    score.hit("crash", start, 0.5)


SHOUT_VOWELS = (0, 1, 2, 3)


def hardcore_twostep(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    score.swing = float(rng.uniform(0.0, 0.6))
    extra_kick = int(rng.choice([10, 11, 14, -1]))
    open_hats = rng.random() < 0.5
    for s in range(score.steps):
        pos = s % 16
        if pos in (0, 8) or pos == extra_kick:
            score.hit("kick", s, _jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, _jitter(rng, 1.0))
        if pos % 2 == 0:
            hat = "open_hat" if open_hats and pos % 4 == 2 else "hat"
            score.hit(hat, s, _jitter(rng, 0.6))
    _strums(score, h, rng, density=0.55, change=8, muted_offbeats=True)


def hardcore_dbeat(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["crash", "ride", "open_hat"]))
    extra = rng.random() < 0.5
    for s in range(score.steps):
        pos = s % 16
        if pos in (0, 6, 8) or (extra and pos == 14):
            score.hit("kick", s, _jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, _jitter(rng, 1.0))
        if pos % 2 == 0:
            score.hit(cymbal, s, _jitter(rng, 0.55))
    _strums(score, h, rng, density=1.0, change=int(rng.choice([4, 8])), muted_offbeats=False)


# Chug cells of a breakdown, on the 16th grid: "x" is a chug, "." a rest.
CHUG_CELLS = ("x..", "x.", "x...", "xx..", "x.x.", "..", "x..x..", "....", "xx.")


def hardcore_breakdown(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    # One bar of chugs, repeated with a changed ending: breakdowns are built to be felt.
    pattern = ""
    while len(pattern) < 16:
        pattern += str(rng.choice(CHUG_CELLS))
    pattern = "x" + pattern[1:16]
    chug_chord = [SINGLE, FIFTH, OCTAVE][int(rng.integers(3))]
    accent_chord = DISSONANT[int(rng.integers(len(DISSONANT)))]
    accent_pitch = h.low + int(rng.choice([0, 1, 3, 5, 6]))
    cymbal = str(rng.choice(["china", "crash", "ride", "hat"]))
    cymbal_every = int(rng.choice([4, 8]))
    ring = float(rng.uniform(0.06, 0.16))
    for s in range(score.steps):
        pos = s % 16
        bar = s // 16
        if pos == 8:
            score.hit("snare", s, _jitter(rng, 1.0))
        if pos % cymbal_every == 0:
            score.hit(cymbal, s, _jitter(rng, 0.55))
        hit = pattern[pos] == "x"
        if bar % 2 == 1 and pos >= 12:
            hit = rng.random() < 0.5
        if not hit:
            continue
        score.hit("kick", s, _jitter(rng, 1.0))
        if pos == 0 and bar % 2 == 1:
            score.guitar.append(GuitarNote(s, 4, accent_pitch, accent_chord, False, 1.0, 0.5))
        else:
            score.guitar.append(GuitarNote(s, 1.5, h.low, chug_chord, True, 1.0, ring))


def hardcore_mosh(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    # Triplet grid: 12 steps a bar.
    cells = ("x..", "x.x", "...", "xx.", "x..", "..x")
    pattern = "x.." + "".join(str(rng.choice(cells)) for _ in range(3))
    chord = [POWER, FIFTH, SINGLE][int(rng.integers(3))]
    for s in range(score.steps):
        pos = s % 12
        if pos == 6:
            score.hit("snare", s, _jitter(rng, 1.0))
        if pos % 6 == 0:
            score.hit("china", s, _jitter(rng, 0.55))
        if pattern[pos] == "x":
            score.hit("kick", s, _jitter(rng, 1.0))
            open_hit = pos == 0
            score.guitar.append(
                GuitarNote(
                    s,
                    3 if open_hit else 1,
                    h.low,
                    chord,
                    not open_hit,
                    1.0,
                    0.6 if open_hit else 0.12,
                )
            )


def hardcore_fastpart(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["hat", "ride", "crash"]))
    for s in range(0, score.steps, 2):
        score.hit("kick" if s % 4 == 0 else "snare", s, _jitter(rng, 0.95))
        score.hit(cymbal, s, _jitter(rng, 0.6))
    _strums(score, h, rng, density=1.0, change=int(rng.choice([4, 8])), muted_offbeats=False)


# --- shared -------------------------------------------------------------------------------------


def intro(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    """Ringing chords over cymbal swells and floor toms: the same in both styles."""
    line = _line(rng, score.steps // 16 + 1)
    for bar in range(score.steps // 16):
        s = bar * 16
        score.guitar.append(GuitarNote(s, 16, h.pitch(line[bar]), POWER, False, 1.0, 2.5))
        score.hit("crash", s, 0.9)
        score.hit("kick", s, 1.0)
        for k in range(4, 16, 4 if rng.random() < 0.5 else 8):
            score.hit("tom_lo", s + k, _jitter(rng, 0.8))


ARRANGERS = {
    "blast": metal_blast,
    "double_kick": metal_double_kick,
    "gallop": metal_gallop,
    "legato": metal_legato,
    "thrash": metal_thrash,
    "twostep": hardcore_twostep,
    "dbeat": hardcore_dbeat,
    "breakdown": hardcore_breakdown,
    "mosh": hardcore_mosh,
    "fastpart": hardcore_fastpart,
    "intro": intro,
}


def _lead_vocals(score: Score, style: str, rng: np.random.Generator) -> None:
    """Harsh lead vocals: long growled lines in metal, clipped rhythmic barks in hardcore."""
    spb = score.steps_per_beat
    if style == METAL:
        for s in range(0, score.steps, 2 * spb):
            if rng.random() < 0.75:
                length = float(rng.uniform(1.2, 1.9)) * spb
                score.vocals.append(Syllable(s, length, int(rng.integers(5)), False))
    else:
        s = 0
        while s < score.steps:
            for _ in range(int(rng.integers(2, 5))):
                if s >= score.steps:
                    break
                score.vocals.append(
                    Syllable(s, float(rng.uniform(0.7, 1.6)), int(rng.integers(5)), False)
                )
                s += int(rng.choice([1, 2, 2])) * spb // 2 or 1
            s += 2 * spb


def _fill(score: Score, rng: np.random.Generator) -> None:
    """Replace the drums of the cycle's last beat or two with a tom or snare fill."""
    spb = score.steps_per_beat
    length = spb * int(rng.choice([1, 2]))
    start = score.steps - length
    for instrument, hits in score.drums.items():
        score.drums[instrument] = [(s, v) for s, v in hits if s < start]
    toms = rng.random() < 0.6
    for k in range(length):
        instrument = ("tom_hi" if k < length / 2 else "tom_lo") if toms else "snare"
        score.hit(instrument, start + k, 0.6 + 0.4 * k / length)
        if k % 2 == 0:
            score.hit("kick", start + k, 0.8)


def arrange(
    kind: str, harmony: Harmony, bars: int, seed: int, *, fill: bool, vocals: bool, gang: bool
) -> Score:
    """The notes of one cycle of a part. Same seed, same riff: a part's repeats sound alike."""
    spec = KINDS[kind]
    rng = np.random.default_rng(seed)
    score = Score(spec.steps_per_beat, bars * 4 * spec.steps_per_beat)
    ARRANGERS[kind](score, harmony, rng)
    # The lead vocal and gang parts use their own generators so that a fill, which only the last
    # cycle has, does not change the riff the other cycles play.
    voice_rng = np.random.default_rng([seed, 1])
    if vocals and spec.style != NEUTRAL:
        _lead_vocals(score, spec.style, voice_rng)
    if gang and spec.style == HARDCORE:
        _gang(score, voice_rng)
    if fill:
        _fill(score, np.random.default_rng([seed, 2]))
    return score
