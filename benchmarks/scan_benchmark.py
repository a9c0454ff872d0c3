"""Library engine benchmark.

(a) scan + classify N four-minute tracks (stereo 44.1 kHz mp3 of synthesized noise and tones,
    generated once into a cache folder): tracks per minute and peak memory of the process tree
    (RSS summed over processes, which counts shared pages once per process, and PSS, which
    shares them out fairly; PSS is the honest total). Targets: >= 100 tracks/min, < 1 GB.
(b) rescan of an unchanged library of many tiny files (filled with --no-classify): seconds.
    Target: < 3 s for 10,000 files.

    .venv/bin/python benchmarks/scan_benchmark.py [--tracks 100] [--files 10000] [--workers N]

Uses models/cnn-bigru-demo.safetensors when it exists, else a random network of the same shape
(the verdicts do not matter for speed).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import threading
import time
from pathlib import Path

import av
import numpy as np
import platformdirs
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.library.pipeline import cpu_count, run_classification, select_for_classification
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.store import Library
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig
from tagger.model.predictor import Predictor

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "models" / "cnn-bigru-demo.safetensors"
DISTINCT_TRACKS = 10  # encoded once; the rest are copies (each copy is still decoded in full)


def encode_track(path: Path, seconds: float, seed: int) -> None:
    rate = 44100
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.layout = "stereo"
        stream.bit_rate = 192000
        stream.format = stream.codec_context.codec.audio_formats[0].name
        resampler = av.AudioResampler(format=stream.format, layout="stereo", rate=rate)
        chunk = rate  # one second at a time: never the whole track in memory
        freqs = rng.uniform(60, 2000, size=4)
        for start in range(0, int(seconds * rate), chunk):
            t = (start + np.arange(chunk)) / rate
            tone = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
            noise = rng.standard_normal((2, chunk))
            x = (0.2 * tone + 0.1 * noise).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(x), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def make_long_tracks(cache: Path, n: int, minutes: float) -> list[Path]:
    cache.mkdir(parents=True, exist_ok=True)
    distinct = []
    for i in range(min(n, DISTINCT_TRACKS)):
        path = cache / f"distinct-{minutes:g}min-{i:02d}.mp3"
        if not path.exists():
            tmp = path.with_suffix(".part.mp3")
            encode_track(tmp, minutes * 60, seed=i)
            tmp.replace(path)
        distinct.append(path)
    return distinct


class MemorySampler(threading.Thread):
    """Peak RSS and PSS summed over a process (default: this one) and its descendants,
    sampled every 0.1 s."""

    def __init__(self, root_pid: int | None = None) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid or os.getpid()
        self.peak_rss = 0
        self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = pss = 0
            for pid in [self.root_pid, *_children(self.root_pid)]:
                r, p = _memory(pid)
                rss, pss = rss + r, pss + p
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.stop.wait(0.1)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            kids = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            out.append(int(kid))
            out.extend(_children(int(kid)))
    return out


def _memory(pid: int) -> tuple[int, int]:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * 1024
    return values.get("Rss", 0), values.get("Pss", 0)


def bench_classify(args: argparse.Namespace, work: Path) -> None:
    cache = Path(args.cache)
    t0 = time.monotonic()
    distinct = make_long_tracks(cache, args.tracks, args.minutes)
    ready = time.monotonic() - t0
    print(f"(a) {len(distinct)} distinct {args.minutes:g}-min mp3s ready in {ready:.0f} s")
    music = work / "long"
    for i in range(args.tracks):
        dest = music / f"album {i // 10}" / f"track {i:03d}.mp3"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(distinct[i % len(distinct)], dest)
    if BUNDLED.exists():
        model_path = BUNDLED
    else:
        torch.manual_seed(0)
        model_path = save_model(
            work / "random.safetensors",
            Network(NetworkConfig()),
            ["hardcore", "metal"],
            FrontEndConfig(),
        )
    workers = args.workers or None
    sampler = MemorySampler()
    sampler.start()
    started = time.monotonic()
    library = Library.open(work / "long.db")
    predictor = Predictor.load(model_path)
    result = scan(library, [music])
    scanned = time.monotonic()
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    ids = select_for_classification(library, model_id, roots=result.roots)
    batch = run_classification(library, predictor, ids, workers=workers)
    finished = time.monotonic()
    sampler.stop.set()
    sampler.join()
    library.close()
    total = finished - started
    print(f"    model: {model_path.name}; workers: {workers or 'default'} on {cpu_count()} cores")
    print(
        f"    scan {scanned - started:.1f} s + classify {batch.seconds:.1f} s = {total:.1f} s for "
        f"{batch.classified}/{args.tracks} tracks ({batch.failed} failed)"
    )
    print(
        f"    throughput: {batch.classified / total * 60:.0f} tracks/min (scan + classify), "
        f"{batch.classified / batch.seconds * 60:.0f} tracks/min (classify only)"
    )
    print(
        f"    peak memory of the process tree: PSS {sampler.peak_pss / 2**20:.0f} MiB, "
        f"RSS sum {sampler.peak_rss / 2**20:.0f} MiB"
    )


def bench_rescan(args: argparse.Namespace, work: Path) -> None:
    tiny = work / "tiny.wav"
    rate = 8000
    with av.open(str(tiny), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), dtype=np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    root = work / "many"
    for i in range(args.files):
        folder = root / f"artist {i // 500}" / f"album {i // 20}"
        if i % 20 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tiny, folder / f"{i:05d}.wav")
    library = Library.open(work / "many.db")
    t0 = time.monotonic()
    first = scan(library, [root])
    t1 = time.monotonic()
    print(f"(b) fill: {first.added} files read in {t1 - t0:.1f} s (--no-classify)")
    times = []
    for _ in range(3):
        t = time.monotonic()
        again = scan(library, [root])
        times.append(time.monotonic() - t)
        assert again.unchanged == args.files, again
    library.close()
    print(
        f"    rescan of {args.files} unchanged files: best {min(times):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in times)} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0, help="0: the pipeline's default")
    parser.add_argument(
        "--cache",
        default=str(Path(platformdirs.user_cache_dir("metal-hardcore-tagger")) / "benchmark"),
    )
    parser.add_argument("--only", choices=("a", "b"))
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {cpu_count()} cores usable, "
        f"torch {torch.__version__}, python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="tagger-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "a"):
            bench_classify(args, work)
        if args.only in (None, "b"):
            bench_rescan(args, work)


if __name__ == "__main__":
    main()
