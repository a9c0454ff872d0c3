"""Songs of the independent corpus: riffs on a 16th-note grid, drum beats, voices, song forms.

Metal songs string together longer riff cycles (tremolo-picked lines, gallops, thrash chords,
slow doom parts) with double-kick or blast beats, growls or shrieks, and often a solo. Hardcore
songs are shorter sections of palm-muted chugs with syncopated rests, punk/d-beat/two-step
drums, half-time breakdowns, full-band stops and gang shouts. Every kind of riff and beat can
appear in either style, only with different odds, and tempo, key and tuning are drawn from the
same ranges for both, so no single global feature gives the style away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from independent_instruments import Note

# 16th-note steps of one 4/4 bar per voice; hats and rides keep the time.
BEATS: dict[str, dict[str, list[int]]] = {
    "blast": {
        "kick": list(range(0, 16, 2)),
        "snare": list(range(1, 16, 2)),
        "ride": list(range(0, 16, 2)),
    },
    "double_kick": {"kick": list(range(16)), "snare": [4, 12], "ride": [0, 4, 8, 12]},
    "skank": {"kick": [0, 4, 8, 12], "snare": [2, 6, 10, 14], "hat": list(range(0, 16, 2))},
    "gallop": {
        "kick": [0, 2, 3, 4, 6, 7, 8, 10, 11, 12, 14, 15],
        "snare": [4, 12],
        "hat": [0, 4, 8, 12],
    },
    "doom": {"kick": [0, 10], "snare": [8], "ride": [0, 4, 8, 12]},
    "dbeat": {"kick": [0, 3, 8, 11], "snare": [4, 12], "hat": list(range(0, 16, 2))},
    "two_step": {"kick": [0, 7, 10], "snare": [4, 12], "open_hat": list(range(0, 16, 2))},
    "halftime": {"kick": [0, 3, 6], "snare": [8], "china": [0, 4, 8, 12]},
    "rock": {"kick": [0, 8, 10], "snare": [4, 12], "hat": list(range(0, 16, 2))},
}
SCALES = {
    "minor": [0, 2, 3, 5, 7, 8, 10],
    "phrygian": [0, 1, 3, 5, 7, 8, 10],
    "harmonic": [0, 2, 3, 5, 7, 8, 11],
    "dim": [0, 1, 3, 5, 6, 8, 10],
}
# Odds of each riff kind per style; every kind is possible in both.
RIFF_ODDS = {
    "metal": {"tremolo": 3.0, "gallop": 2.0, "thrash": 2.0, "doom": 0.8, "chug": 0.6, "punk": 0.3},
    "hardcore": {
        "chug": 3.0,
        "punk": 2.5,
        "breakdown": 1.6,
        "stops": 0.9,
        "thrash": 0.5,
        "tremolo": 0.3,
    },
}
BEAT_ODDS = {
    "tremolo": {"blast": 2, "double_kick": 2, "skank": 1},
    "gallop": {"gallop": 3, "double_kick": 1, "rock": 1},
    "thrash": {"skank": 2, "double_kick": 1, "rock": 1, "dbeat": 0.5},
    "doom": {"doom": 3, "halftime": 1},
    "chug": {"two_step": 2, "rock": 1, "dbeat": 1, "double_kick": 0.4},
    "punk": {"dbeat": 2, "skank": 2, "rock": 1},
    "breakdown": {"halftime": 3, "doom": 0.5},
    "stops": {"rock": 1},
}


def pick(rng: np.random.Generator, odds: dict[str, float]) -> str:
    names = list(odds)
    p = np.array([odds[k] for k in names], float)
    return names[rng.choice(len(names), p=p / p.sum())]


@dataclass
class Riff:
    """One riff: per-bar lists of (step, length in steps, scale degree, chord, muted, velocity)
    repeated as a cycle, with the drum beat it goes with and the tempo factor (half time)."""

    kind: str
    bars: list[list[tuple[float, float, int, bool, bool, float]]]
    beat: str
    tempo_factor: float = 1.0
    lead: bool = False
    stops: list[list[int]] | None = None  # steps where the whole band hits, else silence
    cymbal: str = "hat"  # what keeps time where the beat says hat, open hat or ride
    kick_follows: bool = False  # the kick doubles the guitar's rhythm


def make_riff(kind: str, rng: np.random.Generator) -> Riff:
    r = rng.random
    if kind == "tremolo":
        cycle = int(rng.choice([2, 4]))
        sub = 6 if r() < 0.25 else 4
        line = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 8], cycle * 4)
        bars = [
            [
                (b * 4 + k * 4 / sub, 4 / sub, int(line[bar * 4 + b]), False, False, 0.85)
                for b in range(4)
                for k in range(sub)
            ]
            for bar in range(cycle)
        ]
    elif kind == "gallop":
        cycle = int(rng.choice([2, 4]))
        accents = rng.choice([0, 1, 2, 4, 5, 6], cycle * 2)
        bars = []
        for bar in range(cycle):
            notes = []
            for b in range(4):
                chord_here = b % 2 == 0
                deg = int(accents[bar * 2 + b // 2]) if chord_here else 0
                notes.append((b * 4, 2, deg, chord_here, not chord_here, 1.0))
                notes += [(b * 4 + 2, 1, 0, False, True, 0.8), (b * 4 + 3, 1, 0, False, True, 0.8)]
            bars.append(notes)
    elif kind in ("thrash", "punk"):
        cycle = int(rng.choice([2, 4]))
        prog = rng.choice([0, 1, 2, 3, 4, 5, 6], cycle * 2)
        bars = []
        for bar in range(cycle):
            notes = []
            for half in range(2):
                deg = int(prog[bar * 2 + half])
                if kind == "punk":
                    notes += [(half * 8 + s, 2, deg, True, False, 0.9) for s in range(0, 8, 2)]
                else:
                    notes.append((half * 8, 3, deg, True, False, 1.0))
                    notes += [(half * 8 + s, 1, 0, False, True, 0.75) for s in range(3, 8)]
            bars.append(notes)
    elif kind == "doom":
        cycle = int(rng.choice([2, 4]))
        prog = rng.choice([0, 1, 2, 4, 5], cycle * 2)
        bars = [
            [(h * 8, 8, int(prog[bar * 2 + h]), True, False, 1.0) for h in range(2)]
            for bar in range(cycle)
        ]
    elif kind == "chug":
        cycle = int(rng.choice([1, 2]))
        bars = []
        for _ in range(cycle):
            on = rng.random(16) < rng.uniform(0.35, 0.6)
            on[0] = True
            notes = []
            for s in np.flatnonzero(on):
                accent = r() < 0.25 and s % 4 != 0  # open chords land off the beat
                length = 2.0 if accent else 1.0
                notes.append(
                    (
                        float(s),
                        length,
                        int(rng.choice([0, 1, 6])) if accent else 0,
                        accent,
                        not accent,
                        1.0 if accent else 0.85,
                    )
                )
            bars.append(notes)
    elif kind == "breakdown":
        cycle = 2
        bars = []
        for _ in range(cycle):
            hits = sorted(set(rng.choice([0, 3, 6, 8, 10, 11, 14], int(rng.integers(2, 5)))) | {0})
            bars.append(
                [
                    (float(s), 2.0, int(rng.choice([0, 0, 1, 6])), r() < 0.6, r() < 0.4, 1.0)
                    for s in hits
                ]
            )
    else:  # stops
        cycle = 2
        stops = [
            sorted(set(rng.choice([0, 3, 6, 8, 10, 12], int(rng.integers(1, 4)))) | {0})
            for _ in range(cycle)
        ]
        bars = []
        for hits in stops:  # each hit rings part of the way to the next one
            gaps = np.diff([*hits, 16])
            bars.append(
                [
                    (
                        float(s),
                        float(g * rng.uniform(0.4, 1.0)),
                        int(rng.choice([0, 1, 5])),
                        True,
                        False,
                        1.0,
                    )
                    for s, g in zip(hits, gaps, strict=True)
                ]
            )
        return Riff(kind, bars, "rock", 1.0, stops=stops, cymbal=keeper(rng))
    factor = 0.5 if kind == "doom" else (rng.choice([1.0, 0.75]) if kind == "breakdown" else 1.0)
    beat = pick(rng, BEAT_ODDS[kind])
    follows = kind in ("chug", "breakdown") and rng.random() < 0.5 or beat == "halftime"
    return Riff(kind, bars, beat, float(factor), cymbal=keeper(rng), kick_follows=follows)


def keeper(rng: np.random.Generator) -> str:
    """The time-keeping cymbal, drawn with the same odds in both styles (the style's beats
    differ in where they hit, not in how bright the cymbals are)."""
    return str(rng.choice(["hat", "hat", "open_hat", "ride", "ride", "china"]))


@dataclass
class Score:
    rhythm: list[Note] = field(default_factory=list)
    lead: list[Note] = field(default_factory=list)
    drums: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    vocals: list[tuple[float, float, float, str, float]] = field(
        default_factory=list
    )  # t, dur, f0, kind, pan
    end: float = 0.0

    def hit(self, voice: str, t: float, vel: float) -> None:
        self.drums.setdefault(voice, []).append((t, vel))


@dataclass
class Song:
    style: str
    bpm: float
    root: int  # MIDI of the riffs' home note
    scale: list[int]
    voice: str  # "growl", "shout" or "shriek"
    f0: float
    rng: np.random.Generator
    score: Score = field(default_factory=Score)
    t: float = 0.0

    def pitch(self, degree: int) -> int:
        return self.root + self.scale[degree % 7] + 12 * (degree // 7)

    def play(self, riff: Riff, bars: int, sing: bool, gang: bool = False) -> None:
        rng, sc = self.rng, self.score
        step = 60.0 / (self.bpm * riff.tempo_factor) / 4
        beat = BEATS[riff.beat]
        sc.hit("crash", self.t, 0.9)
        for bar in range(bars):
            t0 = self.t + bar * 16 * step
            cycle_bar = bar % len(riff.bars)
            for s, length, deg, chord, muted, vel in riff.bars[cycle_bar]:
                sc.rhythm.append(
                    Note(t0 + s * step, length * step, self.pitch(deg), chord, muted, vel)
                )
            fill = bar == bars - 1 and rng.random() < 0.5
            if riff.stops is not None:
                for s in riff.stops[cycle_bar]:
                    sc.hit("kick", t0 + s * step, 1.0)
                    sc.hit("crash" if s == 0 else riff.cymbal, t0 + s * step, 0.8)
            else:
                for voice, steps in beat.items():
                    voice = riff.cymbal if voice in ("hat", "open_hat", "ride") else voice
                    for s in steps:
                        if fill and s >= 8 and voice != "kick":
                            continue
                        accent = 1.0 if s % 4 == 0 else 0.8
                        sc.hit(voice, t0 + s * step, accent * rng.uniform(0.8, 1.0))
                if riff.kick_follows:
                    for s, *_ in riff.bars[cycle_bar]:
                        sc.hit("kick", t0 + s * step, 1.0)
            if fill:
                for i, s in enumerate(range(8, 16, 2)):
                    sc.hit(f"tom{min(i // 2, 2)}", t0 + s * step, 0.9)
                    sc.hit("snare", t0 + (s + 1) * step, 0.7)
            if sing and bar % 2 == 0:
                self.phrase(t0, step, gang)
        if riff.lead:
            self.solo(bars * 16 * step, step)
        self.t += bars * 16 * step

    def phrase(self, t0: float, step: float, gang: bool) -> None:
        rng = self.rng
        n = int(rng.integers(2, 7))
        starts = np.sort(rng.choice(np.arange(0, 28, 2), n, replace=False))
        for s in starts:
            dur = float(rng.choice([1, 2, 3, 4])) * step * 1.8
            self.score.vocals.append(
                (t0 + s * step, dur, self.f0 * rng.uniform(0.9, 1.15), self.voice, 0.0)
            )
        if gang:
            for s in (24, 28):
                for pan in np.linspace(-0.8, 0.8, int(rng.integers(3, 7))):
                    self.score.vocals.append(
                        (
                            t0 + s * step + rng.normal(0, 0.01),
                            4 * step,
                            rng.uniform(110, 220),
                            "shout",
                            float(pan),
                        )
                    )

    def solo(self, seconds: float, step: float) -> None:
        rng, t = self.rng, self.t
        deg = 14
        while t < self.t + seconds:
            length = float(rng.choice([0.5, 1, 1, 2, 4, 8])) * step
            deg = int(np.clip(deg + rng.integers(-2, 3), 8, 24))
            self.score.lead.append(Note(t, length * 0.95, self.pitch(deg) + 12, vel=0.9))
            t += length


def compose(style: str, seconds: float, rng: np.random.Generator, artist: dict) -> Score:
    """A whole song of about `seconds`: intro, sections drawn from the style's odds (a few riffs,
    each returning), optionally a solo, and an outro that rings out or stops dead."""
    bpm = float(np.clip(artist["bpm"] * rng.uniform(0.85, 1.15), 80, 235))
    root = 40 - artist["tuning"] + int(rng.choice([0, 0, 0, 2, 3, 5]))
    scale = SCALES[str(rng.choice(list(SCALES)))]
    voice = artist["voice"] if rng.random() < 0.8 else str(rng.choice(["growl", "shout", "shriek"]))
    song = Song(style, bpm, root, scale, voice, artist["f0"], rng)
    riffs = [make_riff(pick(rng, RIFF_ODDS[style]), rng) for _ in range(int(rng.integers(3, 6)))]
    lengths = [4, 8, 8, 16] if style == "metal" else [2, 4, 4, 8]
    if seconds > 30 and rng.random() < 0.5:  # the first riff alone, no drums, or a held chord
        song.score.rhythm.append(Note(0.0, 60 / bpm * 8, root, True, False, 1.0))
        song.t = 60 / bpm * 8
    soloed = False
    order = 0
    while True:
        riff = (
            riffs[order % len(riffs)]
            if rng.random() < 0.6
            else riffs[int(rng.integers(len(riffs)))]
        )
        order += 1
        bars = int(rng.choice(lengths))
        bar_seconds = 60 / (bpm * riff.tempo_factor) * 4
        left = seconds - 4.0 - song.t
        bars = min(bars, int(left // bar_seconds))
        if bars < 1:
            break
        lead = style == "metal" and not soloed and song.t > seconds * 0.4 and rng.random() < 0.5
        lead = lead or (style == "hardcore" and rng.random() < 0.03)
        soloed = soloed or lead
        riff_now = Riff(**{**riff.__dict__, "lead": lead})
        gang = (
            style == "hardcore" and rng.random() < 0.35 or style == "metal" and rng.random() < 0.05
        )
        song.play(riff_now, bars, sing=not lead and rng.random() < 0.65, gang=gang)
    ring = max(60 / bpm * (8 if rng.random() < 0.6 else 1), seconds - 1.0 - song.t)
    song.score.rhythm.append(Note(song.t, ring, root, True, False, 1.0))
    song.score.hit("crash", song.t, 1.0)
    song.score.hit("kick", song.t, 1.0)
    song.score.end = song.t + ring + 1.0
    return song.score
