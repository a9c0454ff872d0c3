"""What one refresh of the app's window asks of a large library while a classification runs.

    .venv/bin/python benchmarks/refresh_cost.py [--tracks 10000] [--refreshes 15]

During a scan or classification the main window refreshes every second (`MainWindow.refresh`):
the sidebar's counts (`LibraryClient.list_counts`), the current list's size and first page
(`count`, `fetch`), all in the GUI thread. Between two refreshes the worker has stored new
predictions, so whatever the client derives from the whole library is computed again. This
fills a SQLite library with TRACKS classified tracks shaped like a tagged collection (20 tracks
per album, 25 albums per artist, 60 % of the tracks with one of seven genres), then, REFRESHES
times, stores one more prediction and times one refresh's questions. Prints the median and the
longest. With --hold the client holds what it derived from the whole library, as the app's
does while its job runs (`LibraryClient.hold_derived`). With --review the window shows the review
queue, whose refresh also asks what came to need review since the queue opened: `new` as the app
does (`ReviewView.take_new`: the tracks whose prediction is newer than the snapshot), `whole`
by taking the whole queue again, the way not taken.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from tagger.library.queries import TrackFilter
from tagger.library.records import record_prediction
from tagger.library.schema import ModelRecord, Track, TrackStatus
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction
from tagger.service.library_client import LibraryClient

GENRES = ["Death Metal", "Thrash Metal", "NYHC", "Hardcore Punk", "Rock", "Metalcore", "Doom"]
CLASSES = ("hardcore", "metal")


def prediction(metal: float) -> TrackPrediction:
    probs = {"hardcore": 1 - metal, "metal": metal}
    label = max(probs, key=probs.__getitem__)
    return TrackPrediction("x", "m", CLASSES, label, probs[label], probs, (), 180.0)


def fill(library: Library, tracks: int) -> tuple[int, list[int]]:
    rng = random.Random(0)
    with library.session() as s, s.begin():
        model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
        s.add(model)
        s.flush()
        rows = [
            {
                "path": f"/music/artist {i // 500}/album {i // 20}/{i:05d}.mp3",
                "size": 1,
                "mtime_ns": 1,
                "genres": [GENRES[(i // 20) % len(GENRES)]] if rng.random() < 0.6 else [],
                "album": f"Album {i // 20}",
                "artist": f"Artist {i // 500}",
                "status": TrackStatus.OK,
            }
            for i in range(tracks)
        ]
        s.execute(Track.__table__.insert(), rows)
        ids = list(s.scalars(Track.__table__.select().with_only_columns(Track.id)))
        for track_id in ids:
            record_prediction(s, track_id, model.id, prediction(rng.random()))
        return model.id, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--refreshes", type=int, default=15)
    parser.add_argument("--hold", action="store_true", help="as the app during a job")
    parser.add_argument(
        "--review", choices=("new", "whole"), help="the review queue is open; how it grows"
    )
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp) / "library.db")
        try:
            model_id, ids = fill(library, args.tracks)
            client = LibraryClient(library, Settings())
            client.list_counts()  # the first question (and, after an upgrade, the first settle)
            client.hold_derived = args.hold
            times, queue, seen = [], 0, client.latest_prediction_id()
            for _ in range(args.refreshes):
                with library.session() as s, s.begin():  # the worker stores a prediction
                    record_prediction(s, rng.choice(ids), model_id, prediction(rng.random()))
                start = time.perf_counter()
                client.list_counts()
                client.count(TrackFilter())
                client.fetch(TrackFilter(), 0, 200, "path", False)
                if args.review == "whole":
                    queue = len(client.review_queue())
                elif args.review == "new":
                    latest = client.latest_prediction_id()
                    queue = len(client.review_queue(after_prediction=seen))
                    seen = latest
                times.append(time.perf_counter() - start)
        finally:
            library.close()
    held = ", held" if args.hold else ""
    if args.review:
        held += f", review queue open, asked for {args.review} ({queue:,} rows the last time)"
    print(f"{args.tracks:,} tracks, {args.refreshes} refreshes{held}, load {os.getloadavg()}")
    print(
        f"one refresh's questions: median {statistics.median(times) * 1000:.0f} ms, "
        f"longest {max(times) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
