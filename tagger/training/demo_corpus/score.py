"""The notes of a song part, as data: the part kinds of each style, and the score (drum hits,
guitar notes, vocal syllables on a step grid) that the arrangers write and `render` plays.

A song part repeats a riff cycle of 1, 2 or 4 bars in 4/4, written on a step grid (4 steps a
beat, or 3 for triplet feels). Timbre, loudness, tempo and tuning are drawn from one shared
distribution in `plan`; what tells the styles apart is only the pattern over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

METAL = "metal"
HARDCORE = "hardcore"
NEUTRAL = "neutral"  # intros and outros: counted toward neither style
OTHER = "other"  # a third class, neither Metal nor Hardcore (other_parts.py)


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
    "swing": KindSpec(OTHER, 1.0, (110, 220), steps_per_beat=3),
    "four_floor": KindSpec(OTHER, 1.0, (115, 135)),
    "boom_bap": KindSpec(OTHER, 0.8, (80, 100)),
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


def riff_line(rng: np.random.Generator, n: int, span: int = 5) -> list[int]:
    """A riff's melody as scale degrees: a walk that keeps coming home to the root."""
    degrees = [0]
    for _ in range(n - 1):
        step = int(rng.choice([-2, -1, 1, 1, 2, 3, -3]))
        nxt = degrees[-1] + step
        if rng.random() < 0.3 or not -1 <= nxt <= span:
            nxt = 0 if rng.random() < 0.6 else int(rng.integers(0, span))
        degrees.append(nxt)
    return degrees


def jitter(rng: np.random.Generator, v: float) -> float:
    return float(v * rng.uniform(0.85, 1.0))
