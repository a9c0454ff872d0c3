"""A Metal/Hardcore corpus from a generator independent of the demo corpus (issue 11's target).

    python benchmarks/independent_corpus.py OUT --tracks 200 --seed S \
        [--min-seconds 150 --max-seconds 260] [--workers 2]

writes OUT/metal/*.EXT and OUT/hardcore/*.EXT (about half each; mostly mp3, some flac, ogg and
m4a, one format per album) tagged with title, artist, album, track number and year but no genre
(benchmarks/library_learning_quality.py adds genres), and OUT/corpus.json listing each track's
label, artist and album (the format benchmarks/one_feature_baseline.py reads).

The bundled model was trained on tagger/training/demo_corpus; this generator shares none of its
code or design (see independent_instruments.py and independent_songs.py), so it shows how a
model does on synthetic music it never heard. ~25-40 artists, each with one style, 1-3 albums
and its own tuning, tempo, voice and guitar tone, so splits by artist or album are meaningful.
A track depends only on (seed, its index, --tracks); OUT must be empty or absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1, TRCK
from mutagen.mp4 import MP4
from mutagen.oggvorbis import OggVorbis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import independent_instruments as ins  # noqa: E402
from independent_songs import compose  # noqa: E402

STYLES = ("metal", "hardcore")
FORMAT_ODDS = {"mp3": 0.56, "flac": 0.24, "ogg": 0.1, "m4a": 0.1}  # flac encodes fastest
ONSETS = ["gr", "th", "v", "k", "m", "dr", "s", "n", "b", "z", "kr", "h", "t", "f", "st"]
VOWELS = ["a", "o", "e", "u", "i", "ae", "or", "y"]
CODAS = ["k", "th", "x", "n", "r", "ss", "l", "m", "d", "g", ""]
WORDS = [
    "iron",
    "ash",
    "winter",
    "glass",
    "wolf",
    "grave",
    "silent",
    "broken",
    "black",
    "red",
    "north",
    "wire",
    "river",
    "stone",
    "burning",
    "empty",
    "last",
    "hollow",
    "cold",
    "dead",
    "bright",
    "lost",
    "young",
    "ancient",
    "rust",
    "blood",
    "salt",
    "fire",
    "bone",
    "crown",
    "torn",
    "faith",
    "lies",
    "truth",
    "street",
    "city",
    "night",
    "dawn",
    "chain",
    "storm",
    "sky",
    "war",
    "home",
    "hands",
    "heart",
    "machine",
    "shadow",
    "ghost",
    "mirror",
    "tide",
    "signal",
    "fever",
    "noise",
    "dust",
    "ember",
    "oath",
]


def name(rng: np.random.Generator, parts: int) -> str:
    return "".join(
        str(rng.choice(ONSETS)) + str(rng.choice(VOWELS)) + str(rng.choice(CODAS))
        for _ in range(parts)
    ).capitalize()


def words(rng: np.random.Generator, n: int) -> str:
    return " ".join(str(w) for w in rng.choice(WORDS, n, replace=False)).title()


@dataclass
class TrackPlan:
    index: int
    label: str
    artist: str
    album: str
    year: int
    title: str
    track_number: int
    fmt: str
    bit_rate: int
    seconds: float
    sound: dict  # the artist's tuning, tempo, voice, pitch of voice, tone seed

    def path(self) -> str:
        slug = f"{self.artist}_{self.album}_{self.track_number:02d}".replace(" ", "-")
        return f"{self.label}/{slug}.{self.fmt}"


def plan(tracks: int, seed: int, seconds: tuple[float, float]) -> list[TrackPlan]:
    """Artists (half per style), their albums and sounds, and the tracks dealt out to them."""
    rng = np.random.default_rng([seed, 0xC0])
    n_artists = (
        int(np.clip(round(tracks / 6), 2, 40)) if tracks < 150 else int(rng.integers(25, 41))
    )
    out: list[TrackPlan] = []
    counts = {"metal": (tracks + 1) // 2, "hardcore": tracks // 2}
    for s, style in enumerate(STYLES):
        artists = []
        for _ in range((n_artists + 1 - s) // 2):
            sound = {
                "tuning": int(rng.integers(0, 6)),
                # Metal a little faster: its half-time doom parts and double-kick 16ths make a
                # beat tracker hear slower tempos than the song's (measured with
                # benchmarks/one_feature_baseline.py).
                "bpm": float(rng.uniform(105, 225) if style == "metal" else rng.uniform(90, 210)),
                "voice": str(rng.choice(["growl", "shout", "shriek"])),
                "f0": float(rng.uniform(70, 190)),
                "tone_seed": int(rng.integers(1 << 30)),
            }
            year = int(rng.integers(1984, 2022))
            albums = [
                (
                    words(rng, int(rng.integers(1, 3))),
                    year + 2 * a,
                    str(rng.choice(list(FORMAT_ODDS), p=list(FORMAT_ODDS.values()))),
                    int(rng.integers(4)),
                )
                for a in range(int(rng.integers(1, 4)))
            ]
            artists.append((name(rng, int(rng.integers(1, 3))), sound, albums, [0] * len(albums)))
        for k in range(counts[style]):
            artist, sound, albums, numbers = artists[k % len(artists)]
            a = (k // len(artists)) % len(albums)
            numbers[a] += 1
            album, year, fmt, rate = albums[a]
            out.append(
                TrackPlan(
                    0,
                    style,
                    artist,
                    album,
                    year,
                    words(rng, int(rng.integers(1, 4))),
                    numbers[a],
                    fmt,
                    rate,
                    float(rng.uniform(*seconds)),
                    sound,
                )
            )
    metal, hardcore = out[: counts["metal"]], out[counts["metal"] :]
    out = [t for pair in zip(metal, hardcore, strict=False) for t in pair] + metal[len(hardcore) :]
    for i, track in enumerate(out):  # alternating styles, so a render cut short stays balanced
        track.index = i
    return out


def render(track: TrackPlan, seed: int) -> np.ndarray:
    """The track's audio, float32 [2, n]: score → instruments → mix → master."""
    rng = np.random.default_rng([seed, track.index, 1])
    score = compose(track.label, track.seconds, rng, track.sound)
    n = int(score.end * ins.SR)
    tone = ins.random_tone(np.random.default_rng(track.sound["tone_seed"]))
    tone.gain *= rng.uniform(0.7, 1.4)
    tone.cab_hz *= rng.uniform(0.85, 1.15)
    sides = [
        ins.amp(ins.render_notes(score.rhythm, n, ins.StringBank(tone, rng), 0.004), tone)
        for _ in range(2)
    ]
    width = rng.uniform(0.3, 1.0)
    left = sides[0] * (1 + width) / 2 + sides[1] * (1 - width) / 2
    right = sides[1] * (1 + width) / 2 + sides[0] * (1 - width) / 2
    bass_notes = [ins.Note(x.t, x.dur, x.pitch - 12, False, x.muted, x.vel) for x in score.rhythm]
    bass_tone = ins.random_tone(rng)
    bass_tone.open_t60, bass_tone.dark = 3.0, 0.6
    bass = ins.render_notes(bass_notes, n, ins.StringBank(bass_tone, rng), 0.003)
    drive = rng.uniform(1, 6)
    bass = ins.filt(
        bass * drive / (1 + np.abs(bass * drive)), ins.sos("lowpass", rng.uniform(900, 3000))
    )
    center = rng.uniform(0.35, 0.7) * bass
    send = np.zeros(n, np.float32)
    if score.lead:
        lead_tone = ins.random_tone(rng)
        lead_tone.gain = rng.uniform(40, 90)
        lead = ins.amp(
            ins.render_notes(score.lead, n, ins.StringBank(lead_tone, rng), 0.002), lead_tone
        )
        center += 0.6 * lead
        send += 0.5 * lead
    kit = ins.Kit.random(rng)
    pans = {
        "hat": 0.3,
        "open_hat": 0.3,
        "ride": -0.35,
        "crash": -0.2,
        "china": 0.4,
        "tom0": 0.3,
        "tom1": 0.0,
        "tom2": -0.3,
    }
    drum_level = rng.uniform(0.5, 1.0)
    voice_levels = {
        "kick": 1.0,
        "snare": 0.8,
        "hat": 0.25,
        "open_hat": 0.25,
        "ride": 0.3,
        "crash": 0.35,
        "china": 0.35,
    }
    for voice, hits in score.drums.items():
        hits.sort()
        x = drum_level * voice_levels.get(voice, 0.6) * ins.place(hits, kit.voices[voice], n)
        pan = pans.get(voice, 0.0) * rng.uniform(0.5, 1.5)
        left += x * (1 - pan) / 2 * 2
        right += x * (1 + pan) / 2 * 2
        if voice in ("snare", "tom0", "tom1", "tom2"):
            send += 0.4 * x
    vocal_level = rng.uniform(0.25, 0.6)
    for t, dur, f0, kind, pan in score.vocals:
        start = int(t * ins.SR)
        if start >= n:
            continue
        y = vocal_level * ins.syllable(dur, f0, kind, rng)[: n - start]
        left[start : start + len(y)] += y * (1 - pan)
        right[start : start + len(y)] += y * (1 + pan)
        send[start : start + len(y)] += 0.6 * y
    wet = ins.reverb(send, rng.uniform(0.4, 2.2), rng) * rng.uniform(0.05, 0.5)
    mix = np.stack([left + center + wet, right + center + np.roll(wet, 331)])
    fade_in = rng.choice([0.0, 0.05, 2.0, 6.0])
    return ins.master(mix, rng, fade_in, rng.choice([0.3, 3.0, 8.0]))


ENCODERS = {  # container, codec, sample format, options, bit rates
    "mp3": (
        "mp3",
        "libmp3lame",
        "fltp",
        {"compression_level": "9"},
        (128_000, 192_000, 256_000, 320_000),
    ),
    "flac": ("flac", "flac", "s16", {}, ()),
    "ogg": ("ogg", "vorbis", "fltp", {"strict": "experimental"}, ()),
    "m4a": ("ipod", "aac", "fltp", {"aac_coder": "fast"}, (128_000, 192_000, 256_000)),
}


def encode(audio: np.ndarray, path: Path, fmt: str, bit_rate: int) -> None:
    container_name, codec, sample_format, options, rates = ENCODERS[fmt]
    with av.open(str(path), "w", format=container_name) as container:
        stream = container.add_stream(codec, rate=ins.SR, layout="stereo", options=options)
        if rates:
            stream.bit_rate = rates[bit_rate % len(rates)]
        if sample_format == "s16":
            data = np.ascontiguousarray((np.round(audio * 32767).astype(np.int16)).T).reshape(1, -1)
        else:
            data = np.ascontiguousarray(audio, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(data, format=sample_format, layout="stereo")
        frame.sample_rate, frame.pts = ins.SR, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def tag(path: Path, track: TrackPlan) -> None:
    fields = {
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "date": str(track.year),
        "tracknumber": str(track.track_number),
    }
    if track.fmt == "mp3":
        id3 = ID3()
        for frame in (TIT2, TPE1, TALB, TDRC, TRCK):
            key = {TIT2: "title", TPE1: "artist", TALB: "album", TDRC: "date", TRCK: "tracknumber"}[
                frame
            ]
            id3.add(frame(encoding=3, text=fields[key]))
        id3.save(str(path), v2_version=4)
    elif track.fmt == "m4a":
        audio = MP4(str(path))
        audio.add_tags() if audio.tags is None else None
        keys = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb", "date": "\xa9day"}
        for key, atom in keys.items():
            audio.tags[atom] = [fields[key]]
        audio.tags["trkn"] = [(track.track_number, 0)]
        audio.save()
    else:
        audio = (FLAC if track.fmt == "flac" else OggVorbis)(str(path))
        for key, value in fields.items():
            audio[key] = [value]
        audio.save()


def make_track(out: Path, track: TrackPlan, seed: int) -> tuple[TrackPlan, float]:
    start = time.perf_counter()
    path = out / track.path()
    encode(render(track, seed), path, track.fmt, track.bit_rate)
    tag(path, track)
    return track, time.perf_counter() - start


def write_manifest(args: argparse.Namespace, finished: list[TrackPlan]) -> None:
    manifest = {
        "generator": "benchmarks/independent_corpus.py",
        "seed": args.seed,
        "duration_range": [args.min_seconds, args.max_seconds],
        "tracks": [
            {**asdict(t), "path": t.path()} for t in sorted(finished, key=lambda t: t.index)
        ],
    }
    tmp = args.out / "corpus.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1))
    tmp.replace(args.out / "corpus.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-seconds", type=float, default=150.0)
    parser.add_argument("--max-seconds", type=float, default=260.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"refusing to write into {args.out}: it is not empty", file=sys.stderr)
        return 2
    if args.tracks < 2 or not 1 <= args.min_seconds <= args.max_seconds:
        print("need --tracks >= 2 and 1 <= --min-seconds <= --max-seconds", file=sys.stderr)
        return 2
    tracks = plan(args.tracks, args.seed, (args.min_seconds, args.max_seconds))
    for style in STYLES:
        (args.out / style).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    finished: list[TrackPlan] = []
    with ProcessPoolExecutor(max(args.workers, 1)) as pool:
        jobs = [pool.submit(make_track, args.out, t, args.seed) for t in tracks]
        for job in as_completed(jobs):
            track, seconds = job.result()
            finished.append(track)
            write_manifest(args, finished)  # after each track: a render cut short stays usable
            print(
                f"[{len(finished)}/{len(tracks)}] {track.path()} "
                f"({track.seconds:.0f} s of audio, {seconds:.1f} s)",
                flush=True,
            )
    print(f"{len(tracks)} tracks in {time.perf_counter() - start:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
