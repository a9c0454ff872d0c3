"""Metal's part kinds: tremolo-picked 16ths over blast beats or double-kick runs, gallops,
thrash skank beats with 16th chugs, sustained chords over half-time double kick."""

from __future__ import annotations

import numpy as np

from tagger.training.demo_corpus.score import (
    FIFTH,
    OCTAVE,
    POWER,
    SINGLE,
    GuitarNote,
    Harmony,
    Score,
    jitter,
    riff_line,
)


def _tremolo(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    hold = int(rng.choice([2, 4, 4, 8]))
    chord = [SINGLE, OCTAVE, FIFTH, POWER][int(rng.integers(4))]
    line = riff_line(rng, score.steps // hold + 1, span=7)
    ring = rng.uniform(0.1, 0.25)
    for s in range(score.steps):
        accent = 1.0 if s % hold == 0 else 0.8
        pitch = h.pitch(line[s // hold])
        score.guitar.append(GuitarNote(s, 1, pitch, chord, False, accent, ring))


def _chug16(score: Score, h: Harmony, rng: np.random.Generator, kick: bool) -> None:
    """16th palm-muted chugs on the open string, broken by accented chords on a few beats."""
    accents = set(range(0, score.steps, 4 * int(rng.choice([1, 2]))))
    line = riff_line(rng, len(accents) + 1)
    order = sorted(accents)
    for s in range(score.steps):
        if s in accents:
            deg = line[order.index(s)]
            score.guitar.append(GuitarNote(s, 2, h.pitch(deg), POWER, False, 1.0, 0.5))
        elif s % 2 == 0 or rng.random() < 0.85:
            score.guitar.append(GuitarNote(s, 1, h.low, FIFTH, True, 0.85, 0.07))
        if kick:
            score.hit("kick", s, jitter(rng, 0.95))


def metal_blast(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    variant = rng.choice(["traditional", "hammer", "bomb"])
    cymbal = str(rng.choice(["ride", "crash", "china", "hat"]))
    for s in range(score.steps):
        even = s % 2 == 0
        if variant == "traditional":
            score.hit("kick" if even else "snare", s, jitter(rng, 0.9))
        elif variant == "hammer" and even:
            score.hit("kick", s, jitter(rng, 0.9))
            score.hit("snare", s, jitter(rng, 0.8))
        elif variant == "bomb":
            score.hit("kick", s, jitter(rng, 0.9))
            if even:
                score.hit("snare", s, jitter(rng, 0.8))
        if even:
            score.hit(cymbal, s, jitter(rng, 0.8))
    _tremolo(score, h, rng)


def metal_double_kick(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["ride", "crash", "hat", "china"]))
    cymbal_every = int(rng.choice([2, 4]))
    triplet_kicks = rng.random() < 0.25
    for s in range(score.steps):
        if s % 16 in (4, 12):
            score.hit("snare", s, jitter(rng, 1.0))
        if s % cymbal_every == 0:
            score.hit(cymbal, s, jitter(rng, 0.9))
    if triplet_kicks:
        for k in np.arange(0, score.steps, 4 / 3):
            score.hit("kick", float(k), jitter(rng, 0.9))
    if rng.random() < 0.5:
        if not triplet_kicks:
            for s in range(score.steps):
                score.hit("kick", s, jitter(rng, 0.9))
        _tremolo(score, h, rng)
    else:
        _chug16(score, h, rng, kick=not triplet_kicks)


def metal_gallop(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cell = [0, 2, 3] if rng.random() < 0.7 else [0, 1, 3]
    every = int(rng.choice([4, 8]))  # beats between accented chords
    cymbal = str(rng.choice(["ride", "hat", "crash"]))
    line = riff_line(rng, score.steps // 4 // every + 2)
    for beat in range(score.steps // 4):
        base = beat * 4
        score.hit(cymbal, base, jitter(rng, 0.9))
        score.hit(cymbal, base + 2, jitter(rng, 0.7))
        if beat % 2 == 1:
            score.hit("snare", base, jitter(rng, 1.0))
        for off in cell:
            score.hit("kick", base + off, jitter(rng, 0.9))
            if beat % every == 0 and off == 0:
                pitch = h.pitch(line[beat // every])
                score.guitar.append(GuitarNote(base, 2, pitch, POWER, False, 1.0, 0.6))
            else:
                score.guitar.append(GuitarNote(base + off, 1, h.low, FIFTH, True, 0.85, 0.08))


def metal_legato(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    s = 0
    line = riff_line(rng, score.steps // 4 + 1)
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
            score.hit("kick", s, jitter(rng, 0.85))
        elif s % 16 in (0, 6, 10):
            score.hit("kick", s, jitter(rng, 1.0))
        if s % 16 == 8:
            score.hit("snare", s, jitter(rng, 1.0))
        if s % 2 == 0:
            score.hit("ride", s, jitter(rng, 0.8 if s % 4 == 0 else 0.6))


def metal_thrash(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["hat", "ride", "crash", "china"]))
    for s in range(0, score.steps, 2):
        score.hit("kick" if s % 4 == 0 else "snare", s, jitter(rng, 0.95))
        score.hit(cymbal, s, jitter(rng, 0.9))
    _chug16(score, h, rng, kick=False)
