"""Render a whole demo corpus: plan → audio → encoded, tagged files → corpus.json manifest."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagger.training.demo_corpus.encode import encode
from tagger.training.demo_corpus.plan import LABELS, TrackPlan, plan_demo_corpus
from tagger.training.demo_corpus.render import render_audio
from tagger.training.demo_corpus.tags import TrackTags, write_tags

MANIFEST_NAME = "corpus.json"
GENERATOR_VERSION = 1


class DemoCorpusStopped(Exception):
    """Rendering was asked to stop before every track was done."""


@dataclass(frozen=True)
class DemoTrack:
    """One rendered file and the truth about it."""

    path: Path
    label: str  # "metal", "hardcore" (the majority style) or "other"
    artist: str
    year: int
    tempo: float  # BPM of the track's pulse; parts play at half, normal or double time over it
    style_mix: float  # share of the duration in the other style; 0 for a pure track
    album: str
    title: str
    track_number: int
    genre: str  # the genre tag as written; "" when the file has none
    format: str
    key: str
    tuning: str
    duration: float  # seconds
    sections: tuple[str, ...]  # the part kind of each section, in order
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def mixed(self) -> bool:
        return self.style_mix > 0

    def manifest_entry(self, root: Path) -> dict[str, Any]:
        return {
            "path": self.path.relative_to(root).as_posix(),
            "label": self.label,
            "artist": self.artist,
            "album": self.album,
            "title": self.title,
            "year": self.year,
            "track_number": self.track_number,
            "genre": self.genre,
            "format": self.format,
            "duration": round(self.duration, 3),
            "tempo": self.tempo,
            "key": self.key,
            "tuning": self.tuning,
            "style_mix": self.style_mix,
            "mixed": self.mixed,
            "sections": list(self.sections),
            "params": self.params,
        }


def _params(plan: TrackPlan) -> dict[str, Any]:
    s = plan.sound
    return {
        "guitar_db": round(s.guitar_db, 2),
        "bass_db": round(s.bass_db, 2),
        "drums_db": round(s.drums_db, 2),
        "cymbals_db": round(s.cymbals_db, 2),
        "vocals_db": round(s.vocals_db, 2),
        "drive": round(s.guitar.drive, 2),
        "cab_high_hz": round(s.guitar.cab_high),
        "loudness_db": round(s.loudness_db, 2),
        "ceiling_db": round(s.ceiling_db, 2),
        "tilt": round(s.tilt, 2),
        "hiss_db": round(s.hiss_db, 1),
        "room_mix": round(s.room_mix, 3),
        "room_decay": round(s.room_decay, 2),
        "section_times": [[round(x.start, 2), round(x.end, 2)] for x in plan.sections],
        "section_styles": [plan.parts[x.part].style for x in plan.sections],
        "feels": [plan.parts[x.part].feel for x in plan.sections],
    }


def demo_track(plan: TrackPlan, out_dir: Path) -> DemoTrack:
    """The DemoTrack a plan becomes under `out_dir` (whether or not it is rendered yet)."""
    return DemoTrack(
        path=out_dir / plan.relpath,
        label=plan.label,
        artist=plan.artist,
        year=plan.year,
        tempo=plan.tempo,
        style_mix=plan.style_mix,
        album=plan.album,
        title=plan.title,
        track_number=plan.track_number,
        genre=plan.genre,
        format=plan.format,
        key=plan.sound.key,
        tuning=plan.sound.tuning,
        duration=plan.duration,
        sections=tuple(plan.parts[s.part].kind for s in plan.sections),
        params=_params(plan),
    )


def render_track(plan: TrackPlan, out_dir: Path) -> DemoTrack:
    """Render, encode and tag one track. The file appears under its name only when complete."""
    track = demo_track(plan, out_dir)
    track.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = track.path.with_name(f".{track.path.name}.partial")
    try:
        encode(render_audio(plan), tmp, plan.format, bit_rate_choice=plan.seed)
        write_tags(
            tmp,
            plan.format,
            TrackTags(
                plan.title, plan.artist, plan.album, plan.year, plan.genre, plan.track_number
            ),
        )
        os.replace(tmp, track.path)
    finally:
        tmp.unlink(missing_ok=True)
    return track


def write_manifest(
    out_dir: Path,
    tracks: list[DemoTrack],
    *,
    seed: int,
    duration_range: tuple[float, float],
    labels: tuple[str, ...] = LABELS,
) -> Path:
    path = out_dir / MANIFEST_NAME
    doc = {
        "generator": "tagger demo-corpus",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "labels": list(labels),
        "duration_range": list(duration_range),
        "tracks": [t.manifest_entry(out_dir) for t in tracks],
    }
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def render_demo_corpus(
    out_dir: Path,
    tracks: int = 240,
    seed: int = 0,
    *,
    duration_range: tuple[float, float] = (100.0, 200.0),
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    labels: tuple[str, ...] = LABELS,
    should_stop: Callable[[], bool] | None = None,
) -> list[DemoTrack]:
    """Render `tracks` labelled, tagged audio files into one folder per label (out_dir/metal,
    out_dir/hardcore, and out_dir/other if asked for), and write out_dir/corpus.json. The same
    seed gives the same parameters (the encoded bytes may differ between platforms). Returns the
    tracks in plan order.

    When `should_stop()` turns true, no new track is started and DemoCorpusStopped is raised
    once the tracks in progress are done; no manifest is written."""
    stop = should_stop or (lambda: False)
    out_dir = Path(out_dir)
    plans = plan_demo_corpus(tracks, seed, duration_range, labels)
    out_dir.mkdir(parents=True, exist_ok=True)
    done: dict[int, DemoTrack] = {}
    if progress:
        progress(0, len(plans))
    if workers <= 1 or len(plans) <= 1:
        for plan in plans:
            if stop():
                raise DemoCorpusStopped
            done[plan.index] = render_track(plan, out_dir)
            if progress:
                progress(len(done), len(plans))
    else:
        # spawn, not fork: the caller may be a GUI or hold threads that fork would copy badly.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(render_track, plan, out_dir): plan.index for plan in plans}
            for future in as_completed(futures):
                if stop():
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise DemoCorpusStopped
                done[futures[future]] = future.result()
                if progress:
                    progress(len(done), len(plans))
    result = [done[p.index] for p in plans]
    write_manifest(out_dir, result, seed=seed, duration_range=duration_range, labels=labels)
    return result
