"""The corpus plan: every track's label, tags, sound and song structure, made without synthesis.

Planning is cheap and fully determined by (seed, number of tracks, duration range), so tests and
the manifest can see every parameter without rendering audio.

Overlap by construction: tempo, tuning, key, guitar tone, drum kit, mix levels, loudness, hiss
and room are drawn from one distribution for both labels. Only the choice of song parts (drum
patterns, riff rhythms, vocal phrasing) depends on the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tagger.training.demo_corpus.artists import Artist, genre, make_artists, title
from tagger.training.demo_corpus.score import HARDCORE, KINDS, METAL, OTHER, kinds_of
from tagger.training.demo_corpus.synth import KitSpec, Tone

LABELS = (METAL, HARDCORE)  # the default corpus
STYLES = (METAL, HARDCORE, OTHER)  # what a corpus may hold: `labels=(METAL, HARDCORE, OTHER)`
FORMATS = ("mp3", "flac", "ogg", "m4a", "wav")
TEMPO_RANGE = (90.0, 220.0)
MIXED_SHARE = 0.175  # share of tracks that mix both styles
MAX_CYCLE_SECONDS = 7.0

EMPTY_GENRE_SHARE = 0.2

# name: (MIDI note of the lowest string, is a drop tuning)
TUNINGS = {
    "E standard": (40, False),
    "Eb standard": (39, False),
    "Drop D": (38, True),
    "D standard": (38, False),
    "Drop C#": (37, True),
    "Drop C": (36, True),
    "C standard": (36, False),
    "Drop B": (35, True),
    "B standard": (35, False),
    "Drop A": (33, True),
}
MODES = {
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "minor pentatonic": (0, 3, 5, 7, 10),
}
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True)
class PartPlan:
    """A song part: a riff cycle of `cycle_bars` bars, played at tempo × `feel`."""

    kind: str
    style: str
    cycle_bars: int
    feel: float
    vocals: bool
    gang: bool
    seed: int

    def cycle_seconds(self, tempo: float) -> float:
        return self.cycle_bars * 4 * 60.0 / (tempo * self.feel)


@dataclass(frozen=True)
class SectionPlan:
    """One occurrence of a part in the song: `cycles` repeats, the last one with a drum fill."""

    part: int
    cycles: int
    start: float  # seconds
    end: float  # seconds; the last section may be cut short at the track's end


@dataclass(frozen=True)
class Sound:
    """Everything about how a track sounds, apart from what is played."""

    tuning: str
    tuning_low: int  # MIDI
    key: str
    key_root: int  # MIDI, at or above tuning_low
    mode: str
    guitar: Tone
    bass: Tone
    kit: KitSpec
    guitar_db: float
    bass_db: float
    drums_db: float
    cymbals_db: float
    vocals_db: float
    voice_pitch: float  # Hz
    voice_grit: float  # 0 voiced … 1 pure noise
    stereo_width: float
    tilt: float  # master EQ: gain of the added high band (above 2.5 kHz), -0.6 dull … 1.5 harsh
    room_mix: float
    room_decay: float  # seconds
    hiss_db: float  # dBFS of the hiss loop
    hum_db: float
    hum_hz: float
    loudness_db: float  # RMS of the finished track, dBFS
    ceiling_db: float  # the soft limiter's ceiling, dBFS
    fade_in: float
    fade_out: float


@dataclass(frozen=True)
class TrackPlan:
    index: int
    label: str
    artist: str
    album: str
    title: str
    year: int
    track_number: int
    genre: str  # "" for an untagged genre
    format: str
    relpath: str  # relative to the corpus folder, e.g. "metal/0003 Abyssal Throne - Ruin.mp3"
    tempo: float
    duration: float
    style_mix: float  # share of the duration played in the other style
    parts: tuple[PartPlan, ...]
    sections: tuple[SectionPlan, ...]
    sound: Sound
    seed: int

    @property
    def mixed(self) -> bool:
        return self.style_mix > 0


def _artist_sound(artist: Artist) -> dict:
    """A band's own sound: tuning, amp, kit and voice, before per-track variation."""
    rng = np.random.default_rng(artist.sound_seed)
    base = {
        "tuning": str(rng.choice(list(TUNINGS))),
        "drive": float(np.exp(rng.uniform(np.log(3), np.log(40)))),
        "cab_high": float(rng.uniform(2200, 7500)),
        "pulse_mix": float(rng.uniform(0, 0.6)),
        "kit": KitSpec(
            kick_pitch=float(rng.uniform(45, 70)),
            kick_click=float(rng.uniform(0.0, 1.0)),
            kick_decay=float(rng.uniform(0.08, 0.3)),
            snare_pitch=float(rng.uniform(160, 260)),
            snare_decay=float(rng.uniform(0.08, 0.25)),
            snare_snappy=float(rng.uniform(0.4, 0.85)),
            cymbal_hp=float(rng.uniform(4000, 9000)),
            cymbal_decay=float(rng.uniform(0.6, 1.8)),
            tom_pitch=float(rng.uniform(70, 120)),
        ),
        "voice_pitch": float(rng.uniform(90, 260)),
        "voice_grit": float(rng.uniform(0.2, 0.9)),
    }
    if artist.label == OTHER:  # drawn last, so the other styles' bands sound as before
        base["drive"] = float(rng.uniform(1.0, 2.5))  # a clean guitar
    return base


def _sound(rng: np.random.Generator, base: dict) -> Sound:
    tuning = base["tuning"] if rng.random() < 0.8 else str(rng.choice(list(TUNINGS)))
    low, _drop = TUNINGS[tuning]
    offset = 0 if rng.random() < 0.65 else int(rng.integers(1, 6))
    mode = str(rng.choice(list(MODES)))
    root = low + offset
    guitar = Tone(
        drive=base["drive"] * float(rng.uniform(0.8, 1.25)),
        asymmetry=float(rng.uniform(0.0, 0.4)),
        cab_low=float(rng.uniform(70, 140)),
        cab_high=base["cab_high"] * float(rng.uniform(0.85, 1.15)),
        detune_cents=float(rng.uniform(4, 18)),
        pulse_mix=base["pulse_mix"],
    )
    bass = Tone(
        drive=float(rng.uniform(0.8, 4.0)),
        asymmetry=0.1,
        cab_low=35.0,
        cab_high=float(rng.uniform(600, 2000)),
        detune_cents=3.0,
        pulse_mix=float(rng.uniform(0, 0.5)),
    )
    return Sound(
        tuning=tuning,
        tuning_low=low,
        key=f"{NOTE_NAMES[root % 12]} {mode}",
        key_root=root,
        mode=mode,
        guitar=guitar,
        bass=bass,
        kit=base["kit"],
        guitar_db=float(rng.uniform(-4, 3)),
        bass_db=float(rng.uniform(-9, 0)),
        drums_db=float(rng.uniform(-5, 2)),
        cymbals_db=float(rng.uniform(-12, 2)),
        vocals_db=float(rng.uniform(-14, -3)),
        voice_pitch=base["voice_pitch"] * float(rng.uniform(0.9, 1.1)),
        voice_grit=base["voice_grit"],
        stereo_width=float(rng.uniform(0.3, 1.0)),
        tilt=float(rng.uniform(-0.6, 1.5)),
        room_mix=float(rng.uniform(0.0, 0.35)),
        room_decay=float(rng.uniform(0.2, 1.2)),
        hiss_db=float(rng.uniform(-85, -50)),
        hum_db=float(rng.uniform(-90, -50)),
        hum_hz=float(rng.choice([50.0, 60.0])),
        loudness_db=float(rng.uniform(-20, -8)),
        ceiling_db=float(rng.uniform(-1.5, -0.1)),
        fade_in=float(rng.uniform(0.0, 1.5)),
        fade_out=float(rng.uniform(0.5, 5.0)),
    )


def _feel(kind: str, tempo: float, rng: np.random.Generator) -> float:
    """Half, normal or double time: whichever puts the part nearest its natural tempo."""
    lo, hi = KINDS[kind].tempo_range
    feels = np.array([0.5, 1.0, 2.0])
    eff = tempo * feels
    miss = np.maximum(lo - eff, 0) + np.maximum(eff - hi, 0) + rng.random(3) * 8
    return float(feels[int(np.argmin(miss))])


def _part(kind: str, tempo: float, rng: np.random.Generator) -> PartPlan:
    feel = _feel(kind, tempo, rng)
    bar = 4 * 60.0 / (tempo * feel)
    choices = [b for b in (1, 2, 2, 4) if b * bar <= MAX_CYCLE_SECONDS] or [1]
    style = KINDS[kind].style
    return PartPlan(
        kind=kind,
        style=style,
        cycle_bars=int(rng.choice(choices)),
        feel=feel,
        vocals=style in (METAL, HARDCORE) and rng.random() < 0.55,  # `other` is instrumental
        gang=style == HARDCORE and kind != "mosh" and rng.random() < 0.45,
        seed=int(rng.integers(2**31)),
    )


def _pick_kinds(rng: np.random.Generator, style: str, n: int) -> list[str]:
    names = kinds_of(style)
    weights = np.array([KINDS[k].weight for k in names])
    n = min(n, len(names))
    return [str(k) for k in rng.choice(names, n, replace=False, p=weights / weights.sum())]


def _structure(
    rng: np.random.Generator, label: str, tempo: float, duration: float, mix_target: float
) -> tuple[tuple[PartPlan, ...], tuple[SectionPlan, ...], float]:
    other = HARDCORE if label == METAL else METAL
    parts = [_part(k, tempo, rng) for k in _pick_kinds(rng, label, int(rng.integers(2, 5)))]
    main_ids = list(range(len(parts)))
    other_ids: list[int] = []
    if mix_target > 0:
        for k in _pick_kinds(rng, other, int(rng.integers(1, 3))):
            other_ids.append(len(parts))
            parts.append(_part(k, tempo, rng))
    intro_id = None
    if rng.random() < 0.4 and duration >= 40:
        intro_id = len(parts)
        parts.append(_part("intro", tempo, rng))

    sections: list[SectionPlan] = []
    t = 0.0
    other_time = 0.0

    def add(pid: int, seconds: float) -> None:
        nonlocal t
        cycle = parts[pid].cycle_seconds(tempo)
        cycles = max(1, round(seconds / cycle))
        sections.append(SectionPlan(pid, cycles, t, t + cycles * cycle))
        t += cycles * cycle

    if intro_id is not None:
        add(intro_id, rng.uniform(4, 12))
    last = None
    main_time = 0.0
    while t < duration:
        # The label's own style opens the song and keeps the majority.
        use_other = bool(other_ids) and main_time > 0 and other_time < mix_target * (t + 15.0)
        pool = other_ids if use_other else main_ids
        choices = [p for p in pool if p != last] or pool
        pid = int(rng.choice(choices))
        before = t
        add(pid, rng.uniform(10, 28))
        if pid in other_ids:
            other_time += t - before
        else:
            main_time += t - before
        last = pid
    # Cut the song at its planned length.
    kept = []
    for s in sections:
        if s.start >= duration:
            break
        kept.append(SectionPlan(s.part, s.cycles, s.start, min(s.end, duration)))
    other_time = sum(s.end - s.start for s in kept if s.part in other_ids)
    return tuple(parts), tuple(kept), other_time / duration


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 .,'&()-]+", "", text).strip()


def plan_demo_corpus(
    tracks: int = 240,
    seed: int = 0,
    duration_range: tuple[float, float] = (100.0, 200.0),
    labels: tuple[str, ...] = LABELS,
) -> list[TrackPlan]:
    """Every track's parameters, in index order, the labels taking turns. No audio is made here.
    Mixed-style tracks mix Metal and Hardcore only; `other` tracks are always plain."""
    if tracks < 0:
        raise ValueError("tracks must be >= 0")
    if not labels or len(set(labels)) != len(labels) or not set(labels) <= set(STYLES):
        raise ValueError(f"labels must be distinct names from {STYLES}, got {labels}")
    lo, hi = duration_range
    if not 0 < lo <= hi:
        raise ValueError("duration_range must be (min, max) with 0 < min <= max")
    rng = np.random.default_rng([seed, 0])
    track_labels = [labels[i % len(labels)] for i in range(tracks)]

    taken: set[str] = set()
    slots: dict[int, tuple[Artist, int, int]] = {}  # track index -> (artist, album, number)
    for label in labels:
        indices = [i for i, lab in enumerate(track_labels) if lab == label]
        if not indices:
            continue
        order = list(rng.permutation(indices))
        for artist, size in make_artists(rng, label, len(indices), taken):
            mine = sorted(order[:size])
            order = order[size:]
            counters = [0] * len(artist.albums)
            for i in mine:
                album = int(rng.integers(len(artist.albums)))
                counters[album] += 1
                slots[int(i)] = (artist, album, counters[album])

    formats = [FORMATS[i % len(FORMATS)] for i in range(tracks)]
    rng.shuffle(formats)
    n_mixed = round(tracks * MIXED_SHARE)
    mixed = set(int(i) for i in rng.choice(tracks, n_mixed, replace=False)) if n_mixed else set()

    plans = []
    for i in range(tracks):
        artist, album, number = slots[i]
        trng = np.random.default_rng([seed, 1, i])
        label = track_labels[i]
        song = title(trng)
        tag_genre = "" if trng.random() < EMPTY_GENRE_SHARE else genre(trng, label)
        tempo = round(float(trng.uniform(*TEMPO_RANGE)), 2)
        duration = round(float(trng.uniform(lo, hi)), 2)
        sound = _sound(trng, _artist_sound(artist))
        mix_target = float(trng.uniform(0.2, 0.42)) if i in mixed and label != OTHER else 0.0
        for _ in range(20):
            parts, sections, style_mix = _structure(trng, label, tempo, duration, mix_target)
            if (style_mix >= 0.15) == (mix_target > 0) and style_mix < 0.48:
                break
        else:  # too short to hold both styles: make it a plain track of its label
            parts, sections, style_mix = _structure(trng, label, tempo, duration, 0.0)
        fmt = formats[i]
        relpath = f"{label}/{i:04d} {_safe(artist.name)} - {_safe(song)}.{fmt}"
        plans.append(
            TrackPlan(
                index=i,
                label=label,
                artist=artist.name,
                album=artist.albums[album][0],
                title=song,
                year=artist.albums[album][1],
                track_number=number,
                genre=tag_genre,
                format=fmt,
                relpath=relpath,
                tempo=tempo,
                duration=duration,
                style_mix=round(style_mix, 4),
                parts=parts,
                sections=sections,
                sound=sound,
                seed=int(trng.integers(2**31)),
            )
        )
    return plans
