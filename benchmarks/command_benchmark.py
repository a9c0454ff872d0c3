"""Whole `tagger` processes, today's code against this checkout's, measured in one run.

    .venv/bin/python benchmarks/command_benchmark.py --today DIR [--tracks 40] [--files 10000]

DIR is a copy of the code to compare with, e.g. `git archive <commit> | tar -x -C DIR`. Each
figure is taken for both, interleaved, so a change in the machine's load hits both alike:

(a) `tagger --help` and `tagger list` (as a table, JSON and CSV) on a library of --files tracks
    (tiny WAV files with artist and album tags, 60 % with a genre; not classified):
    seconds of the whole process (interpreter start to exit), best and median of --repeat runs;
    each code's first `list`, with an empty user cache folder (so this checkout's compiled-query
    cache is filled by it), is reported apart;
(b) `tagger scan` of --tracks four-minute mp3s into a new library: tracks per minute of the
    whole command and the peak PSS of its process tree, for today's code and this checkout,
    each as is and with TAGGER_PRECISION=fp32 (a CPU without bf16), and this checkout with
    TAGGER_RUNTIME=torch, or with TAGGER_PRECISION=int8 (--scan-variants chooses);
(c) `tagger gui` on the library of (a), offscreen: seconds from starting the process to the
    main window shown with its track list filled and the event loop running.

Run it at normal priority (no `nice`); it prints the load average beside each figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import platformdirs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_benchmark import MemorySampler, make_long_tracks  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "models" / "cnn-bigru-demo.safetensors"


def compile_bytecode(code: Path) -> None:
    """Byte-compile a code tree once, as installing a package does: with PYTHONDONTWRITEBYTECODE
    set (as on the development machine), every run would otherwise compile the tagger's own
    sources again, ~0.15 s of each command's start that no installed copy pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "tagger")], check=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def tagger(code: Path, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """`python -m tagger ARGS` on the code in `code`. It runs in the system's temporary folder:
    `-m` puts the working directory first on sys.path, which would pick this checkout."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(code)}
    return subprocess.Popen(
        [sys.executable, "-m", "tagger", *args],
        env=full_env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its descendants: less
    sensitive to other jobs on the machine than wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(code: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole process."""
    cpu, started = children_cpu(), time.perf_counter()
    process = tagger(code, args, env)
    _, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"tagger {' '.join(args)} failed:\n{err.decode()[-2000:]}")
    return time.perf_counter() - started, children_cpu() - cpu


def library_env(work: Path, name: str) -> dict[str, str]:
    """One library per code under test: a newer schema cannot be opened by older code. Each
    has its own user cache folder, so the compiled-query cache of `list` starts empty."""
    return {
        "TAGGER_DB": str(work / f"many-{name}.db"),
        "TAGGER_SETTINGS": str(work / "s.json"),
        "XDG_CACHE_HOME": str(work / f"cache-{name}"),
    }


ALBUM_GENRES = ["Death Metal", "Thrash Metal", "NYHC", "Hardcore Punk", "Rock", "Metalcore", "Doom"]


def tagged_copy(tiny: Path, dest: Path, album: int) -> Path:
    """`tiny` as album number `album` of a tagged collection: artist and album tags on every
    track (25 albums per artist, so the review rules that read albums and artists have rows),
    and on three albums of five one genre (so genre lists repeat, as in a real library)."""
    from mutagen.id3 import TALB, TCON, TPE1
    from mutagen.wave import WAVE

    shutil.copyfile(tiny, dest)
    audio = WAVE(dest)
    audio.add_tags()
    audio.tags.add(TPE1(encoding=3, text=[f"Artist {album // 25}"]))
    audio.tags.add(TALB(encoding=3, text=[f"Album {album}"]))
    if album % 5 < 3:
        audio.tags.add(TCON(encoding=3, text=[ALBUM_GENRES[album % len(ALBUM_GENRES)]]))
    audio.save()
    return dest


def fill_library(work: Path, files: int, codes: dict[str, Path]) -> None:
    tiny = work / "tiny.wav"
    import av
    import numpy as np

    with av.open(str(tiny), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    root = work / "many"
    for i in range(files):
        folder = root / f"artist {i // 500}" / f"album {i // 20}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 20 == 0:
            album = tagged_copy(tiny, work / "album.wav", i // 20)
        shutil.copyfile(album, folder / f"{i:05d}.wav")
    for name, code in codes.items():
        timed(code, ["scan", "--no-classify", str(root)], library_env(work, name))


def bench_commands(args: argparse.Namespace, codes: dict[str, Path], work: Path) -> None:
    print(f"(a) whole process on a library of {args.files} tracks (load {load()})")
    for name, code in codes.items():
        # The first `list` fills the compiled-query cache (service/list_cache.py); the runs
        # below read it, as every later `list` with the same options does.
        wall, cpu = timed(code, ["list"], library_env(work, name))
        print(f"    tagger list    {name:6s} first run (empty cache) {wall:.2f} s, CPU {cpu:.2f} s")
    for command in (
        ["--help"],
        ["list"],
        ["list", "--format", "json"],
        ["list", "--format", "csv"],
    ):
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
        for _ in range(args.repeat):
            for name, code in codes.items():
                times[name].append(timed(code, command, library_env(work, name)))
        for name, runs in times.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(
                f"    tagger {' '.join(command):20s} {name:6s} wall best {min(walls):.2f} s, "
                f"median {statistics.median(walls):.2f} s; CPU best {min(cpus):.2f} s"
            )
    print(f"    load after: {load()}")


# Runs `tagger gui` and prints the wall clock once the window is usable: the first turn of the
# event loop that finds the main window visible with rows in its track list.
GUI_DRIVER = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

def usable():
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and hasattr(w, "model") and w.model.rowCount() > 0:
            print(time.time(), w.model.rowCount(), flush=True)
            QApplication.instance().exit(0)
            return
    QTimer.singleShot(5, usable)

exec_ = QApplication.exec
QApplication.exec = lambda *_: (QTimer.singleShot(0, usable), exec_())[1]
from tagger.cli import main
sys.exit(main(["gui"]))
"""


def launch_seconds(code: Path, env: dict[str, str]) -> float:
    full_env = {**os.environ, **env, "PYTHONPATH": str(code), "QT_QPA_PLATFORM": "offscreen"}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", GUI_DRIVER],
        env=full_env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"tagger gui failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.split()[0]) - started


def bench_launch(args: argparse.Namespace, codes: dict[str, Path], work: Path) -> None:
    print(f"(c) tagger gui to a usable window, {args.files} tracks (load {load()})")
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(args.repeat):
        for name, code in codes.items():
            times[name].append(launch_seconds(code, library_env(work, name)))
    for name, runs in times.items():
        print(f"    {name:6s} best {min(runs):.2f} s, median {statistics.median(runs):.2f} s")
    print(f"    load after: {load()}")


def scan_run(
    code: Path, music: Path, work: Path, env: dict[str, str], tracks: int, extra: list[str]
) -> str:
    db = work / f"scan-{time.monotonic_ns()}.db"
    full_env = {**env, "TAGGER_DB": str(db), "TAGGER_SETTINGS": str(work / "settings.json")}
    before, cpu = load(), children_cpu()
    started = time.perf_counter()
    process = tagger(code, ["scan", "--model", str(MODEL), *extra, str(music)], full_env)
    sampler = MemorySampler(process.pid)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"tagger scan failed:\n{err.decode()[-2000:]}")
    cpu = children_cpu() - cpu
    db.unlink()
    return (
        f"{tracks / seconds * 60:5.0f} tracks/min ({seconds:.1f} s), "
        f"{cpu / tracks:.2f} CPU s per track, peak PSS "
        f"{sampler.peak_pss / 2**20:.0f} MiB (RSS sum {sampler.peak_rss / 2**20:.0f} MiB), "
        f"load {before} → {load()}"
    )


def bench_scan(args: argparse.Namespace, codes: dict[str, Path], work: Path) -> None:
    distinct = make_long_tracks(Path(args.cache), args.tracks, 4.0)
    music = work / "long"
    for i in range(args.tracks):
        dest = music / f"album {i // 10}" / f"track {i:03d}.mp3"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(distinct[i % len(distinct)], dest)
    print(f"(b) tagger scan of {args.tracks} four-minute mp3s, whole command, default workers")
    workers = ["--workers", str(os.cpu_count() or 1)]
    # The int8 runs share a user cache folder of their own: the first calibrates the model's
    # int8 form on its first tracks and writes it there, the second starts from it.
    int8 = {"TAGGER_PRECISION": "int8", "XDG_CACHE_HOME": str(work / "int8-cache")}
    variants: dict[str, tuple[str, dict[str, str], list[str]]] = {
        "today": ("today", {}, []),
        "new": ("new", {}, []),
        "today-fp32": ("today", {"TAGGER_PRECISION": "fp32"}, []),
        "new-fp32": ("new", {"TAGGER_PRECISION": "fp32"}, []),
        "new-torch": ("new", {"TAGGER_RUNTIME": "torch"}, []),
        "new-workers": ("new", {}, workers),
        "new-int8-calibrating": ("new", int8, []),
        "new-int8": ("new", int8, []),
    }
    for key in args.scan_variants.split(","):
        name, env, extra = variants[key]
        if name in codes:
            shown = {k: v for k, v in env.items() if k != "XDG_CACHE_HOME"}
            label = " ".join([name, *(f"{k}={v}" for k, v in shown.items()), *extra])
            if key == "new-int8-calibrating":
                label += " (first run)"
            result = scan_run(codes[name], music, work, env, args.tracks, extra)
            print(f"    {label:32s} {result}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--today", type=Path, help="a copy of the code to compare with")
    parser.add_argument("--tracks", type=int, default=40)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("a", "b", "c"))
    parser.add_argument(
        "--scan-variants",
        default="today,new,today-fp32,new-fp32,new-torch,new-workers",
        help="(b)'s runs, in this order: today, new, today-fp32, new-fp32, new-torch, "
        "new-workers, new-int8-calibrating (TAGGER_PRECISION=int8, its first run, which "
        "calibrates the int8 form), new-int8 (the form made by a calibrating run before it)",
    )
    parser.add_argument(
        "--cache",
        default=str(Path(platformdirs.user_cache_dir("metal-hardcore-tagger")) / "benchmark"),
    )
    args = parser.parse_args()
    codes = {"today": args.today.resolve()} if args.today else {}
    codes["new"] = REPO
    for code in codes.values():
        compile_bytecode(code)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}; load {load()}"
    )
    with tempfile.TemporaryDirectory(prefix="tagger-cmd-bench-") as tmp:
        if args.only in (None, "a", "c"):
            fill_library(Path(tmp), args.files, codes)
        if args.only in (None, "a"):
            bench_commands(args, codes, Path(tmp))
        if args.only in (None, "c"):
            bench_launch(args, codes, Path(tmp))
        if args.only in (None, "b"):
            bench_scan(args, codes, Path(tmp))


if __name__ == "__main__":
    main()
