"""Hardcore's part kinds: two-step and d-beat grooves with 8th-note chord strums, half-time
breakdowns of syncopated open-string chugs doubled by the kick, triplet mosh parts, fast parts,
gang shouts."""

from __future__ import annotations

import numpy as np

from tagger.training.demo_corpus.score import (
    DISSONANT,
    FIFTH,
    OCTAVE,
    POWER,
    SINGLE,
    GuitarNote,
    Harmony,
    Score,
    Syllable,
    jitter,
    riff_line,
)


def _strums(
    score: Score,
    h: Harmony,
    rng: np.random.Generator,
    density: float,
    change: int,
    muted_offbeats: bool,
) -> None:
    """8th-note power-chord strums; the chord changes every `change` steps."""
    line = riff_line(rng, score.steps // change + 1)
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


def gang_shouts(score: Score, rng: np.random.Generator) -> None:
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
            score.hit("kick", s, jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, jitter(rng, 1.0))
        if pos % 2 == 0:
            hat = "open_hat" if open_hats and pos % 4 == 2 else "hat"
            score.hit(hat, s, jitter(rng, 0.6))
    _strums(score, h, rng, density=0.55, change=8, muted_offbeats=True)


def hardcore_dbeat(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    cymbal = str(rng.choice(["crash", "ride", "open_hat"]))
    extra = rng.random() < 0.5
    for s in range(score.steps):
        pos = s % 16
        if pos in (0, 6, 8) or (extra and pos == 14):
            score.hit("kick", s, jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, jitter(rng, 1.0))
        if pos % 2 == 0:
            score.hit(cymbal, s, jitter(rng, 0.55))
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
            score.hit("snare", s, jitter(rng, 1.0))
        if pos % cymbal_every == 0:
            score.hit(cymbal, s, jitter(rng, 0.55))
        hit = pattern[pos] == "x"
        if bar % 2 == 1 and pos >= 12:
            hit = rng.random() < 0.5
        if not hit:
            continue
        score.hit("kick", s, jitter(rng, 1.0))
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
            score.hit("snare", s, jitter(rng, 1.0))
        if pos % 6 == 0:
            score.hit("china", s, jitter(rng, 0.55))
        if pattern[pos] == "x":
            score.hit("kick", s, jitter(rng, 1.0))
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
        score.hit("kick" if s % 4 == 0 else "snare", s, jitter(rng, 0.95))
        score.hit(cymbal, s, jitter(rng, 0.6))
    _strums(score, h, rng, density=1.0, change=int(rng.choice([4, 8])), muted_offbeats=False)
