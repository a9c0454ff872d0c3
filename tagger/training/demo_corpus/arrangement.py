"""One cycle of a song part: the kind's arranger writes drums and guitar, then lead vocals,
gang shouts and a closing fill are added. `render` turns the score into samples."""

from __future__ import annotations

import numpy as np

from tagger.training.demo_corpus import hardcore_parts as hc
from tagger.training.demo_corpus import metal_parts as mt
from tagger.training.demo_corpus import other_parts as ot
from tagger.training.demo_corpus.score import (
    HARDCORE,
    KINDS,
    METAL,
    NEUTRAL,
    POWER,
    GuitarNote,
    Harmony,
    Score,
    Syllable,
    jitter,
    riff_line,
)


def intro(score: Score, h: Harmony, rng: np.random.Generator) -> None:
    """Ringing chords over cymbal swells and floor toms: the same in both styles."""
    line = riff_line(rng, score.steps // 16 + 1)
    for bar in range(score.steps // 16):
        s = bar * 16
        score.guitar.append(GuitarNote(s, 16, h.pitch(line[bar]), POWER, False, 1.0, 2.5))
        score.hit("crash", s, 0.9)
        score.hit("kick", s, 1.0)
        for k in range(4, 16, 4 if rng.random() < 0.5 else 8):
            score.hit("tom_lo", s + k, jitter(rng, 0.8))


ARRANGERS = {
    "blast": mt.metal_blast,
    "double_kick": mt.metal_double_kick,
    "gallop": mt.metal_gallop,
    "legato": mt.metal_legato,
    "thrash": mt.metal_thrash,
    "twostep": hc.hardcore_twostep,
    "dbeat": hc.hardcore_dbeat,
    "breakdown": hc.hardcore_breakdown,
    "mosh": hc.hardcore_mosh,
    "fastpart": hc.hardcore_fastpart,
    "swing": ot.other_swing,
    "four_floor": ot.other_four_floor,
    "boom_bap": ot.other_boom_bap,
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
        hc.gang_shouts(score, voice_rng)
    if fill:
        _fill(score, np.random.default_rng([seed, 2]))
    return score
