"""Scale-out benchmark: the figures behind docs/scale-out.md's cost model.

(a) each stage on one core: decode + log-Mel, and the network, for a four-minute track;
(b) tracks/min of a whole classification run: the local engine on SQLite, and the Ray engine
    with 1 and 2 workers on PostgreSQL (a throwaway cluster, as the tests start it, unless
    --db names one); Ray's own start-up is timed apart;
(c) the database write rate of one worker: claim 4 tracks at a time, store their predictions
    (60 windows each) one or four per transaction, on SQLite and on PostgreSQL.

    PYTHONPATH=. .venv/bin/python benchmarks/scale_out_benchmark.py [--tracks 12] [--writes 300]

Tracks are the mp3s of scan_benchmark.py (stereo 44.1 kHz, 192 kbit/s), cached between runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import platformdirs
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the throwaway PostgreSQL cluster of the tests

from postgres_cluster import start_cluster  # noqa: E402
from scan_benchmark import BUNDLED, make_long_tracks  # noqa: E402

from tagger.audio.features import track_features  # noqa: E402
from tagger.audio.mel import LogMel  # noqa: E402
from tagger.library.claims import ClaimQueue  # noqa: E402
from tagger.library.pipeline import (  # noqa: E402
    run_classification,
    select_for_classification,
    store_outcomes,
)
from tagger.library.records import register_model  # noqa: E402
from tagger.library.scanner import scan  # noqa: E402
from tagger.library.schema import Track  # noqa: E402
from tagger.library.store import Library  # noqa: E402
from tagger.model.predictor import Predictor  # noqa: E402


def stages(predictor: Predictor, track: Path, repeat: int = 3) -> None:
    torch.set_num_threads(1)
    front = LogMel(predictor.model.frontend)
    decode, network = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        features = track_features(track, predictor.model.frontend, front=front)
        t1 = time.perf_counter()
        predictor.predict_features(features)
        decode.append(t1 - t0)
        network.append(time.perf_counter() - t1)
    d, n = min(decode), min(network)
    print(f"(a) one core, one 4-min track: decode + log-Mel {d:.3f} s ({1 / d:.2f} tracks/s), "
          f"network {n:.3f} s ({1 / n:.2f} tracks/s), both {1 / (d + n):.2f} tracks/s")  # fmt: skip


def fresh_library(db: str, predictor: Predictor, folder: Path) -> tuple[Library, list[int]]:
    library = Library.open(db)
    scan(library, [folder])
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    return library, select_for_classification(library, model_id)


def engines(predictor: Predictor, folder: Path, new_db, work: Path) -> None:
    library, ids = fresh_library(str(work / "local.db"), predictor, folder)
    result = run_classification(library, predictor, ids)
    library.close()
    rate = 60 * result.classified / result.seconds
    print(f"(b) local engine, SQLite, default workers: {result.classified} tracks in "
          f"{result.seconds:.1f} s = {rate:.1f} tracks/min")  # fmt: skip
    from tagger.library.ray_engine import import_ray, run_classification_ray

    ray = import_ray(local=True)
    for workers in (1, 2):
        library, ids = fresh_library(new_db(), predictor, folder)
        t0 = time.monotonic()
        ray.init(num_cpus=2 * workers, include_dashboard=False, log_to_driver=False)
        startup = time.monotonic() - t0
        result = run_classification_ray(library, predictor, ids, workers=workers)
        ray.shutdown()
        library.close()
        rate = 60 * result.classified / result.seconds
        print(f"(b) Ray engine, PostgreSQL, {workers} worker(s): {result.classified} tracks in "
              f"{result.seconds:.1f} s = {rate:.1f} tracks/min (Ray start-up {startup:.1f} s "
              f"apart; actors load the model inside the run)")  # fmt: skip


def writes(predictor: Predictor, track: Path, db: str, name: str, n: int) -> None:
    prediction = predictor.classify(track)
    library = Library.open(db)
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    for per_transaction in (1, 4):
        with library.session() as s, s.begin():
            rows = [
                Track(path=f"/bench/{per_transaction}/{i:06d}.mp3", size=1, mtime_ns=1, genres=[])
                for i in range(n)
            ]
            s.add_all(rows)
            s.flush()
            ids = [r.id for r in rows]
        queue = ClaimQueue(library, model_id, ids)
        t0 = time.perf_counter()
        stored = 0
        while not queue.finished:
            claimed = queue.take(4)
            for i in range(0, len(claimed), per_transaction):
                group = [
                    (tid, path, prediction, None) for tid, path in claimed[i : i + per_transaction]
                ]
                stored += sum(
                    r is not None for r in store_outcomes(library, queue, model_id, group)
                )
        seconds = time.perf_counter() - t0
        rate = stored / seconds
        print(f"(c) {name}: {stored} predictions claimed 4 at a time, stored {per_transaction} "
              f"per transaction: {seconds:.2f} s = {rate:.0f} tracks/s for one worker")  # fmt: skip
    library.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--parts", default="abc", help="which of (a), (b), (c) to run")
    parser.add_argument("--db", help="a PostgreSQL server URL to use instead of a throwaway one")
    parser.add_argument(
        "--cache", default=str(Path(platformdirs.user_cache_dir("tagger-bench")) / "tracks")
    )
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    distinct = make_long_tracks(Path(args.cache), 3, 4.0)  # copies decode in full all the same
    predictor = Predictor.load(BUNDLED if BUNDLED.exists() else None)
    cluster = None if args.db else start_cluster()

    def new_db() -> str:
        if args.db:
            return args.db
        return cluster.url(cluster.new_database())

    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            folder = work / "music"
            folder.mkdir()
            for i in range(args.tracks):
                shutil.copyfile(distinct[i % len(distinct)], folder / f"{i:03d}.mp3")
            if "a" in args.parts:
                stages(predictor, distinct[0])
            if "b" in args.parts:
                engines(predictor, folder, new_db, work)
                print(f"load average after (b): {os.getloadavg()[0]:.1f}")
            if "c" in args.parts:
                torch.set_num_threads(1)
                writes(predictor, distinct[0], str(work / "writes.db"), "SQLite", args.writes)
                writes(predictor, distinct[0], new_db(), "PostgreSQL", args.writes)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
