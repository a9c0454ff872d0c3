"""How long does the GUI thread stall while the main window scans and classifies a library?

A QTimer beats every 10 ms in the GUI thread; the longest gap between two beats (minus the
10 ms period) is the longest time the event loop could not run. The real MainWindow scans and
classifies generated tracks with the real worker thread, services and model, exactly as a user's
"Add folder…" does. Target: max stall <= 100 ms.

    .venv/bin/python benchmarks/gui_stall_benchmark.py               # 200 tracks, offscreen
    .venv/bin/python benchmarks/gui_stall_benchmark.py --tracks 50 --no-classify

Uses models/cnn-bigru-demo.safetensors when present, else a random model of the same shape.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from mutagen.flac import FLAC

HEARTBEAT_MS = 10
REPO = Path(__file__).resolve().parents[1]


def write_tone(path: Path, seconds: float, freq: float, rate: int = 22_050) -> None:
    with av.open(str(path), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout="stereo")
        t = np.arange(int(seconds * rate)) / rate
        x = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(np.stack([x, x]).T.reshape(1, -1)), format="s16", layout="stereo"
        )
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


# With --genre-tags, three tracks in five carry one of these (the rest none), as a tagged
# collection does: the scan then reads genres the review rule needs settled (tag_class.py).
GENRES = ("Thrash Metal", "NYHC", "Death-Metal")


def make_library(folder: Path, tracks: int, seconds: float, genre_tags: bool = False) -> None:
    distinct = []
    for i in range(8):
        path = folder / f"seed-{i}.flac"
        write_tone(path, seconds, 110.0 + 55 * i)
        distinct.append(path)
    for i in range(tracks):
        dest = folder / f"Artist {i % 13:02d}" / f"{i:04d} track.flac"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(distinct[i % len(distinct)], dest)
        if genre_tags and i % 5 < 3:
            tags = FLAC(dest)
            tags["genre"] = GENRES[i % len(GENRES)]
            tags.save()
    for path in distinct:
        path.unlink()


def model_file(work: Path) -> Path:
    bundled = REPO / "models" / "cnn-bigru-demo.safetensors"
    if bundled.exists():
        return bundled
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    torch.manual_seed(0)
    return save_model(
        work / "random.safetensors", Network(NetworkConfig()), ["hardcore", "metal"],
        FrontEndConfig(),
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each track")
    parser.add_argument("--no-classify", action="store_true", help="scan (read tags) only")
    parser.add_argument("--workers", type=int, default=None, help="decoding processes")
    parser.add_argument(
        "--genre-tags", action="store_true", help="three tracks in five carry a genre tag"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    work = Path(tempfile.mkdtemp(prefix="gui-stall-"))
    os.environ["TAGGER_SETTINGS"] = str(work / "settings.json")
    try:
        music = work / "music"
        music.mkdir()
        make_library(music, args.tracks, args.seconds, args.genre_tags)
        model = work / "none.safetensors" if args.no_classify else model_file(work)

        from PySide6.QtCore import QSettings, QTimer

        from tagger.gui.app import create_application, prepare_runtime
        from tagger.gui.main_window import MainWindow
        from tagger.gui.settings_store import SettingsStore
        from tagger.library.settings import Settings
        from tagger.library.store import Library

        app = create_application()
        prepare_runtime()  # as `tagger gui` does before its window opens
        library = Library.open(work / "library.db")
        store = SettingsStore(QSettings(str(work / "gui.ini"), QSettings.Format.IniFormat))
        settings = Settings(model_path=str(model), workers=args.workers)
        window = MainWindow(library, store, settings, audio=False)
        window.show()
        app.processEvents()

        gaps: list[float] = []
        last = [time.perf_counter()]
        phase_first: dict[str, float] = {}

        big: list[tuple[float, float]] = []  # (when, stall ms) of stalls over 50 ms

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            if (now - last[0]) * 1000 - HEARTBEAT_MS > 50:
                big.append((last[0] - started, (now - last[0]) * 1000 - HEARTBEAT_MS))
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(beat)
        window.runner.progress.connect(
            lambda p: phase_first.setdefault(p.phase, time.perf_counter())
        )

        started = time.perf_counter()
        last[0] = started
        heartbeat.start()
        window.add_folders([str(music)])
        while window.runner.busy:
            app.processEvents()
            time.sleep(0.001)
        heartbeat.stop()
        elapsed = time.perf_counter() - started
        outcome = window.last_outcome

        stalls = sorted(max(0.0, g * 1000 - HEARTBEAT_MS) for g in gaps)
        p99 = stalls[min(len(stalls) - 1, int(0.99 * len(stalls)))]
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
              f"python {sys.version.split()[0]}, Qt platform {app.platformName()}")  # fmt: skip
        print(f"model: {model.name if not args.no_classify else '(none: scan only)'}")
        print(f"job: {outcome.summary if outcome else '(no outcome)'}")
        print(f"tracks: {args.tracks} x {args.seconds:g} s; scan+classify time: {elapsed:.1f} s")
        for phase, t in sorted(phase_first.items(), key=lambda kv: kv[1]):
            print(f"  phase {phase!r} began at {t - started:.1f} s")
        print(f"heartbeats: {len(gaps)} (every {HEARTBEAT_MS} ms)")
        print(f"max stall: {stalls[-1]:.1f} ms")
        print(f"p99 stall: {p99:.1f} ms")
        print(f"median stall: {statistics.median(stalls):.1f} ms")
        for when, ms in big[:20]:
            print(f"  stall of {ms:.0f} ms at {when:.2f} s")
        verdict = "PASS" if stalls[-1] <= 100 else "FAIL"
        print(f"target max stall <= 100 ms: {verdict}")
        window.close()
        library.close()
        return 0 if verdict == "PASS" else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
