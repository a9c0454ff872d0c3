"""How fast does the tag writer write genres into real-size mp3s, and undo them?

Writes a genre into 1,000 mp3s of about 4 MB each (4 minutes at 128 kbps) through the real
service (`TagWriter.apply`: stale check, fresh read, backup row, atomic verified write, re-read,
library update) with a real library database, then undoes the batch (`undo_batch`), and prints
files/s and MB/s for both.

One real mp3 is encoded with PyAV and copied 1,000 times with different tags (mutagen); the copies
are cached, and since every run ends with an undo, the next run reuses them as they are.

Usage:
    python benchmarks/tag_write_benchmark.py [--files 1000] [--cache /tmp/tagger-tag-bench]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import av
import numpy as np
from mutagen.id3 import ID3, TALB, TCON, TIT2, TPE1

from tagger.library.schema import ModelRecord, Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.library.tag_writer import TagRequest, TagWriter
from tagger.library.undo import undo_batch
from tagger.tags import read_genres

SECONDS = 250.0  # 250 s at 128 kbps ≈ 4.0 MB
RATE = 44_100
GENRES = (["Rock"], ["Punk", "Hardcore Punk"], [], ["Heavy Metal"], ["Thrash", "Crossover"])


def encode_master(path: Path) -> Path:
    """A 4-minute stereo 128 kbps mp3: tones plus noise, encoded block by block."""
    rng = np.random.default_rng(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.mp3")
    with av.open(str(tmp), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=RATE, layout="stereo")
        stream.bit_rate = 128_000
        block = 1152 * 40
        total = int(SECONDS * RATE)
        for start in range(0, total, block):
            n = min(block, total - start)
            t = (start + np.arange(n)) / RATE
            x = 0.3 * np.sin(2 * np.pi * (110 + 40 * np.sin(t / 7)) * t)
            data = np.stack([x, np.roll(x, 7)]) + 0.05 * rng.standard_normal((2, n))
            frame = av.AudioFrame.from_ndarray(
                data.astype(np.float32), format="fltp", layout="stereo"
            )
            frame.sample_rate = RATE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    tmp.replace(path)
    return path


def old_genres(n: int) -> list[str]:
    return GENRES[n % len(GENRES)]


def tag_copy(path: Path, n: int) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[f"Song {n}"]))
    tags.add(TPE1(encoding=3, text=[f"Band {n % 37}"]))
    tags.add(TALB(encoding=3, text=[f"Album {n % 91}"]))
    genres = old_genres(n)
    version = 3 if n % 2 else 4
    if genres:
        tags.add(TCON(encoding=1, text=["; ".join(genres)] if version == 3 else genres))
    tags.save(str(path), v2_version=version)


def prepare(cache: Path, count: int) -> list[Path]:
    master = cache / "master.mp3"
    if not master.exists():
        print(f"encoding one {SECONDS:.0f} s mp3 ...", flush=True)
        encode_master(master)
    files: list[Path] = []
    made = 0
    for n in range(count):
        path = cache / "music" / f"{n // 100:02d}" / f"song-{n:04d}.mp3"
        if not path.exists() or read_genres(path) != old_genres(n):
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(master, path)
            tag_copy(path, n)
            made += 1
        files.append(path)
    if made:
        print(f"made {made} tagged copies of {master.stat().st_size / 1e6:.1f} MB", flush=True)
    return files


def build_library(db: Path, files: list[Path]) -> Library:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    library = Library.open(db)
    with library.session() as s, s.begin():
        model = ModelRecord(
            name="bench", path="bench.safetensors", sha256="cd" * 32, classes=["hardcore", "metal"]
        )
        s.add(model)
        s.flush()
        for n, path in enumerate(files):
            st = path.stat()
            track = Track(
                path=os.path.realpath(path),
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                genres=old_genres(n),
                status=TrackStatus.OK,
            )
            s.add(track)
            s.flush()
            label = "metal" if n % 3 else "hardcore"
            s.add(
                Prediction(
                    track_id=track.id,
                    model_id=model.id,
                    label=label,
                    confidence=0.9,
                    probabilities={label: 0.9},
                    windows=[],
                    disagreement=0.0,
                    is_current=True,
                )
            )
            if n % 10 == 0:
                track.user_label = "hardcore" if label == "metal" else "metal"
    return library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tagger-tag-bench"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    files = prepare(args.cache, args.files)
    total_mb = sum(p.stat().st_size for p in files) / 1e6
    library = build_library(args.cache / "library.db", files)
    try:
        started = time.perf_counter()
        result = TagWriter(library).apply(TagRequest(mode="add"))
        apply_s = time.perf_counter() - started
        written = result.count("written")
        if written != len(files):
            print(f"expected {len(files)} written, got {written}", file=sys.stderr)
            return 1

        started = time.perf_counter()
        undone = undo_batch(library, result.batch_id)
        undo_s = time.perf_counter() - started
        if undone.count("restored") != len(files):
            print(
                f"expected {len(files)} restored, got {undone.count('restored')}", file=sys.stderr
            )
            return 1
    finally:
        library.close()

    report = {
        "files": len(files),
        "total_mb": round(total_mb, 1),
        "apply_s": round(apply_s, 2),
        "apply_files_per_s": round(len(files) / apply_s, 1),
        "apply_mb_per_s": round(total_mb / apply_s, 1),
        "undo_s": round(undo_s, 2),
        "undo_files_per_s": round(len(files) / undo_s, 1),
        "undo_mb_per_s": round(total_mb / undo_s, 1),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    print(
        f"tag write: {len(files)} mp3s, {total_mb:.0f} MB in {apply_s:.1f} s = "
        f"{report['apply_files_per_s']} files/s, {report['apply_mb_per_s']} MB/s"
    )
    print(
        f"undo:      {len(files)} mp3s, {total_mb:.0f} MB in {undo_s:.1f} s = "
        f"{report['undo_files_per_s']} files/s, {report['undo_mb_per_s']} MB/s"
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
