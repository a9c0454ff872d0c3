"""Turn a TrackPlan into stereo audio: cycles of each part, tiled into sections, then mastered.

Speed comes from repetition, as in the music itself: each part's riff cycle (and its variant
with a drum fill) is synthesised once, with its ringing tail folded back onto its start so that
copies join without a click, and the sections are tiled from those cycles. Only tiling, hiss and
the master stage touch the whole track.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from tagger.training.demo_corpus.arrangement import arrange
from tagger.training.demo_corpus.plan import MODES, PartPlan, TrackPlan
from tagger.training.demo_corpus.score import Harmony, Score
from tagger.training.demo_corpus.synth import (
    SR,
    DrumKit,
    NoteEvents,
    db_to_gain,
    highpass,
    hiss_loop,
    midi_to_hz,
    place_hits,
    room_impulse,
    shout,
    string_voice,
)

TAIL_SECONDS = 1.5
HUMANIZE_SECONDS = 0.002
CYMBALS = {"hat", "open_hat", "ride", "crash", "china"}
# Left/right gains of each drum; the kit is heard from the drummer's side.
DRUM_PAN = {
    "kick": 0.5,
    "snare": 0.5,
    "hat": 0.65,
    "open_hat": 0.65,
    "ride": 0.3,
    "crash": 0.7,
    "china": 0.25,
    "tom_hi": 0.6,
    "tom_lo": 0.35,
}


def _pan(x: np.ndarray, right: float) -> np.ndarray:
    return np.stack([x * np.sqrt(1 - right), x * np.sqrt(right)])


def _fold_tail(x: np.ndarray, length: int) -> np.ndarray:
    """Wrap whatever rings past the cycle's end onto its start, so tiled copies join seamlessly."""
    out = x[:, :length].copy()
    pos = length
    while pos < x.shape[1]:
        chunk = x[:, pos : pos + length]
        out[:, : chunk.shape[1]] += chunk
        pos += length
    return out


class TrackRenderer:
    def __init__(self, plan: TrackPlan):
        self.plan = plan
        self.sound = plan.sound
        self.rng = np.random.default_rng([plan.seed, 7])
        self.kit = DrumKit(self.sound.kit, self.rng)
        self.harmony = Harmony(self.sound.tuning_low, self.sound.key_root, MODES[self.sound.mode])
        self.room = room_impulse(self.sound.room_decay, self.rng)
        self._cycles: dict[tuple[int, bool], np.ndarray] = {}

    # --- one cycle ------------------------------------------------------------------------------

    def _positions(self, score: Score, steps: np.ndarray, step_len: float) -> np.ndarray:
        steps = np.asarray(steps, dtype=np.float64)
        if score.swing and score.steps_per_beat == 4:
            steps = steps + score.swing * (np.round(steps) % 4 == 2)
        jitter = self.rng.normal(0.0, HUMANIZE_SECONDS * SR, len(steps))
        return np.maximum(np.round(steps * step_len + jitter), 0).astype(np.int64)

    def _drums(self, score: Score, step_len: float, n: int) -> np.ndarray:
        out = np.zeros((2, n))
        cymbal_gain = db_to_gain(self.sound.cymbals_db)
        for instrument, hits in score.drums.items():
            if not hits:
                continue
            steps, vel = (np.array(v, dtype=np.float64) for v in zip(*hits, strict=True))
            mono = place_hits(
                self.kit.samples[instrument], self._positions(score, steps, step_len), vel, n
            )
            if instrument in CYMBALS:
                mono *= cymbal_gain
            out += _pan(mono, DRUM_PAN[instrument])
        return out

    def _note_events(self, score: Score, step_len: float, bass: bool) -> NoteEvents:
        notes = sorted(score.guitar, key=lambda g: g.step)
        steps = np.array([g.step for g in notes], dtype=np.float64)
        onsets = self._positions(score, steps, step_len)
        onsets, first = np.unique(onsets, return_index=True)
        notes = [notes[i] for i in first]
        chords = np.zeros((len(notes), 3))
        for i, g in enumerate(notes):
            intervals = (0,) if bass else g.chord[:3]
            chords[i, : len(intervals)] = 2.0 ** (np.array(intervals) / 12.0)
        freqs = midi_to_hz(np.array([g.pitch for g in notes], dtype=np.float64))
        if bass:
            freqs = np.where(freqs / 2 >= 27.0, freqs / 2, freqs)
        return NoteEvents(
            onsets=onsets,
            lengths=np.array([g.length for g in notes]) * step_len,
            freqs=freqs,
            chords=chords,
            amps=np.array([g.velocity for g in notes]),
            decays=np.array([g.ring * (1.5 if bass else 1.0) for g in notes]),
            brightness=np.array([(0.5 if bass else 0.2) if g.muted else 1.0 for g in notes]),
        )

    def _vocals(self, score: Score, step_len: float, n: int) -> np.ndarray:
        out = np.zeros((2, n))
        s = self.sound
        for syl in score.vocals:
            voices = 4 if syl.gang else 1
            for v in range(voices):
                pitch = s.voice_pitch * (self.rng.uniform(0.75, 1.35) if syl.gang else 1.0)
                shift = self.rng.uniform(0.9, 1.15) if syl.gang else 1.0
                burst = shout(
                    syl.length * step_len / SR, pitch, syl.vowel, s.voice_grit, self.rng, shift
                )
                start = int(syl.step * step_len + (self.rng.normal(0, 0.012 * SR) if v else 0))
                start = min(max(start, 0), n - 1)
                burst = burst[: n - start]
                right = self.rng.uniform(0.2, 0.8) if syl.gang else 0.5
                gain = 0.45 if syl.gang else 0.6
                out[:, start : start + len(burst)] += gain * _pan(burst, right)
        return out

    def _render_cycle(self, part: PartPlan, fill: bool) -> np.ndarray:
        s = self.sound
        plan = self.plan
        score = arrange(
            part.kind,
            self.harmony,
            part.cycle_bars,
            part.seed,
            fill=fill,
            vocals=part.vocals,
            gang=part.gang,
        )
        step_len = SR * 60.0 / (plan.tempo * part.feel * score.steps_per_beat)
        length = int(round(score.steps * step_len))
        n = length + int(TAIL_SECONDS * SR)

        mix = 0.8 * db_to_gain(s.drums_db) * self._drums(score, step_len, n)
        if score.guitar:
            w = s.stereo_width
            for right in (0.5 - w / 2, 0.5 + w / 2):  # two takes, double-tracked
                take = string_voice(
                    self._note_events(score, step_len, bass=False), n, s.guitar, self.rng
                )
                mix += 0.5 * db_to_gain(s.guitar_db) * _pan(take, right)
            bass = string_voice(self._note_events(score, step_len, bass=True), n, s.bass, self.rng)
            mix += 0.7 * db_to_gain(s.bass_db) * _pan(bass, 0.5)
        if score.vocals:
            mix += db_to_gain(s.vocals_db) * self._vocals(score, step_len, n)
        # Master EQ tilt: from dull to harsh, the same range for both styles.
        mix = mix + s.tilt * highpass(mix, 2500.0)
        if s.room_mix > 0:
            wet = signal.oaconvolve(mix, self.room, axes=-1)[:, :n]
            mix = mix + s.room_mix * wet
        return _fold_tail(mix, length).astype(np.float32)

    def cycle(self, part_id: int, fill: bool) -> np.ndarray:
        key = (part_id, fill)
        if key not in self._cycles:
            self._cycles[key] = self._render_cycle(self.plan.parts[part_id], fill)
        return self._cycles[key]

    # --- the whole track ------------------------------------------------------------------------

    def render(self) -> np.ndarray:
        """The finished track as float32 [2, samples] in [-1, 1]."""
        plan, s = self.plan, self.sound
        total = int(round(plan.duration * SR))
        out = np.zeros((2, total), dtype=np.float32)
        crash = (
            0.8
            * db_to_gain(s.drums_db)
            * db_to_gain(s.cymbals_db)
            * _pan(self.kit.samples["crash"], DRUM_PAN["crash"])
        ).astype(np.float32)
        for section in plan.sections:
            start = int(round(section.start * SR))
            end = min(int(round(section.end * SR)), total)
            if end <= start:
                continue
            main = self.cycle(section.part, fill=False)
            last = self.cycle(section.part, fill=True)
            body = [main] * (section.cycles - 1) + [last]
            audio = np.concatenate(body, axis=1)[:, : end - start]
            out[:, start : start + audio.shape[1]] += audio
            # A crash marks each new section, as drummers do; it also hides the joint.
            n = min(crash.shape[1], total - start)
            out[:, start : start + n] += crash[:, :n]

        loop = hiss_loop(2.9, db_to_gain(s.hiss_db), db_to_gain(s.hum_db), self.rng, s.hum_hz)
        reps = -(-total // loop.shape[1])
        noise = np.tile(loop.astype(np.float32), (1, reps))[:, :total]

        out += noise
        _limit_to_loudness(out, db_to_gain(s.loudness_db), db_to_gain(s.ceiling_db))

        fade_in = min(int(s.fade_in * SR), total // 4)
        fade_out = min(int(s.fade_out * SR), total // 4)
        if fade_in:
            out[:, :fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
        if fade_out:
            out[:, total - fade_out :] *= np.linspace(1, 0, fade_out, dtype=np.float32)
        return out


def _limit_to_loudness(x: np.ndarray, target_rms: float, ceiling: float) -> None:
    """Drive `x` (in place) into a tanh soft limiter with the given ceiling, as hard as it takes
    for the result's RMS to land on `target_rms`.

    Matching the RMS after the limiter keeps loudness a shared random parameter: with a fixed
    drive, a dense blast part would come out louder than a sparse breakdown.
    """
    probe = x[:, ::16]
    rms = float(np.sqrt(np.mean(probe**2))) or 1.0

    def loudness(gain: float) -> float:
        y = np.tanh(probe * np.float32(gain / ceiling))
        return ceiling * float(np.sqrt(np.mean(y**2)))

    lo, hi = 0.5 * target_rms / rms, 1000.0 * target_rms / rms
    for _ in range(16):  # bisection on a log scale; loudness rises with gain
        mid = float(np.sqrt(lo * hi))
        lo, hi = (mid, hi) if loudness(mid) < target_rms else (lo, mid)
    x *= np.float32(np.sqrt(lo * hi) / ceiling)
    np.tanh(x, out=x)
    x *= np.float32(ceiling)


def render_audio(plan: TrackPlan) -> np.ndarray:
    return TrackRenderer(plan).render()
