"""The `other` style's part kinds, for a third class that is neither Metal nor Hardcore: a jazz
swing (ride-cymbal triplets, feathered kick, walking bass line, shell-voiced seventh chords), a
four-on-the-floor electronic groove (kick on every beat, off-beat open hats, 16th arpeggios) and
a boom-bap hip-hop beat (syncopated kick, swung hats, sparse chord stabs). No lead vocals; the
guitar is played clean (`plan` gives `other` bands a low drive)."""

from __future__ import annotations

import numpy as np

from tagger.training.demo_corpus.score import (
    FIFTH,
    SINGLE,
    GuitarNote,
    Harmony,
    Score,
    jitter,
    riff_line,
)

SEVENTHS = ((0, 3, 10), (0, 4, 10), (0, 4, 11), (0, 3, 9))  # root, third, seventh (or sixth)


def other_swing(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    """Triplet grid (3 steps a beat): ride "ding, ding-a" swing, hi-hat on 2 and 4."""
    line = riff_line(rng, score.steps // 3 + 1, span=7)
    chord = SEVENTHS[int(rng.integers(len(SEVENTHS)))]
    for beat in range(score.steps // 3):
        s = beat * 3
        score.hit("ride", s, jitter(rng, 0.7))
        if beat % 2 == 1:
            score.hit("ride", s + 2, jitter(rng, 0.5))
            score.hit("hat", s, jitter(rng, 0.5))
        score.hit("kick", s, jitter(rng, 0.25))  # feathered
        if rng.random() < 0.25:
            score.hit("snare", s + int(rng.choice([0, 2])), jitter(rng, 0.45))
        # A walking line: one single note a beat.
        score.guitar.append(GuitarNote(s, 3, h.pitch(line[beat]), SINGLE, False, 0.7, 0.35))
        if beat % 4 in (0, 2) and rng.random() < 0.8:  # comping on the offbeat "a"
            at = s + 2 if rng.random() < 0.5 else s
            score.guitar.append(GuitarNote(at, 2, h.pitch(line[beat]) + 12, chord, False, 0.6, 0.4))


def other_four_floor(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    """Kick on every beat, clap on 2 and 4, open hat on the off-beats, a 16th arpeggio."""
    pattern = [int(x) for x in rng.choice([0, 2, 4, 7, 9, 12], 4)]
    for s in range(score.steps):
        pos = s % 16
        if pos % 4 == 0:
            score.hit("kick", s, jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, jitter(rng, 0.8))
        if pos % 4 == 2:
            score.hit("open_hat", s, jitter(rng, 0.6))
        elif pos % 2 == 1:
            score.hit("hat", s, jitter(rng, 0.35))
        note = h.root + 12 + pattern[s % len(pattern)]
        score.guitar.append(GuitarNote(s, 1, note, SINGLE, True, 0.6, 0.12))


def other_boom_bap(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    """Slow syncopated kick, snare on 2 and 4, swung 16th hats, a chord stab every bar or two."""
    score.swing = float(rng.uniform(0.4, 0.9))
    kicks = {0, int(rng.choice([6, 7])), int(rng.choice([10, 11, 14]))}
    every = int(rng.choice([16, 32]))
    line = riff_line(rng, score.steps // every + 1)
    chord = SEVENTHS[int(rng.integers(len(SEVENTHS)))]
    for s in range(score.steps):
        pos = s % 16
        if pos in kicks:
            score.hit("kick", s, jitter(rng, 1.0))
        if pos in (4, 12):
            score.hit("snare", s, jitter(rng, 1.0))
        if pos % 2 == 0 or rng.random() < 0.3:
            score.hit("hat", s, jitter(rng, 0.45))
        if s % every == 0:
            pitch = h.pitch(line[s // every])
            score.guitar.append(GuitarNote(s, 6, pitch, chord, False, 0.8, 0.6))
        elif pos == 10 and rng.random() < 0.5:
            score.guitar.append(GuitarNote(s, 2, h.low, FIFTH, True, 0.6, 0.1))
