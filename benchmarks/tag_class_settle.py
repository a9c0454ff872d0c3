"""What keeping each track's own tag class costs (library/tag_class.py).

    .venv/bin/python benchmarks/tag_class_settle.py [--tracks 100000]

A SQLite library of TRACKS rows is filled directly (genres drawn from a mix like a real
collection's: sub-genres in varied spellings, odd genres, none; one track in ten carries a genre
this program wrote), then timed:
- the first settle, every track stale (after the upgrade to revision 0008, or a genre-map edit);
- a settle with nothing stale (what every question of the app and `tagger list` pays);
- a settle after 25 tracks got new genres (what the scanner pays before each commit).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.schema import TagBatch, TagChange, TagChangeStatus, Track
from tagger.library.store import Library
from tagger.library.tag_class import settle

GENRES = [
    ["Death Metal"],
    ["THRASH_METAL"],
    ["Doom"],
    ["NYHC"],
    ["hardcore-punk"],
    ["Beatdown"],
    ["Metalcore"],
    ["Seen Live"],
    ["Rock", "Punk"],
    [],
    [],
    [],
]


def fill(library: Library, tracks: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with library.session() as s, s.begin():
        batch = TagBatch(mode="add")
        s.add(batch)
        s.flush()
        rows = [
            {
                "path": f"/music/{i // 1000:03d}/{i:06d}.flac",
                "size": 1,
                "mtime_ns": 1,
                "genres": rng.choice(GENRES) + (["Metal"] if i % 10 == 0 else []),
            }
            for i in range(tracks)
        ]
        s.execute(Track.__table__.insert(), rows)
        ids = [i for (i,) in s.execute(Track.__table__.select().with_only_columns(Track.id))]
        written = [
            {
                "batch_id": batch.id,
                "track_id": tid,
                "path": "x",
                "old_genres": [],
                "new_genres": ["Metal"],
                "status": TagChangeStatus.WRITTEN.value,
            }
            for n, tid in enumerate(ids)
            if n % 10 == 0
        ]
        s.execute(TagChange.__table__.insert(), written)


@contextlib.contextmanager
def filled_library(tracks: int) -> Iterator[Library]:
    """A temporary SQLite library filled by `fill`, closed and deleted afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp) / "library.db")
        try:
            fill(library, tracks)
            yield library
        finally:
            library.close()


def timed(library: Library) -> tuple[float, int]:
    start = time.perf_counter()
    with library.session() as s, s.begin():
        n = settle(s, DEFAULT_GENRE_MAP)
    return time.perf_counter() - start, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    args = parser.parse_args()
    with filled_library(args.tracks) as library:
        first, n_first = timed(library)
        settled = [timed(library)[0] for _ in range(20)]
        with library.session() as s, s.begin():
            for track in s.query(Track).order_by(Track.id).limit(25):
                track.genres = ["Speed Metal"]
        scanner, n_scanner = timed(library)
    print(f"{platform.processor() or platform.machine()}, {args.tracks:,} tracks")
    print(f"first settle (all stale): {first:.2f} s for {n_first:,} tracks")
    print(f"nothing stale: median {sorted(settled)[10] * 1000:.2f} ms (20 runs)")
    print(f"25 tracks with new genres: {scanner * 1000:.1f} ms for {n_scanner} tracks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
