"""The album rules of the review queue on a large library's rows, in-process.

    .venv/bin/python benchmarks/album_rules_speed.py [--tracks 10000] [--repeat 7]

Every `tagger list`, `tagger review` and refresh of the app's queue runs them over every track
that has an album or an artist tag (`album_votes.py`): the verdict rule ("against its album"),
the tags rule ("against its album's tags", on each track's tag class: `tag_class.py`) and the
artist rule ("against its artist's tags"). The rows are synthetic, shaped like a tagged
collection: 20 tracks per album, 25 albums per artist, 60 % of the albums' tracks carrying one of
eight genres (their tag class is that genre's under the default genre map), the rest none.
Prints the best of --repeat runs of each rule and of all three together, and the load.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable

from tagger.library.album_votes import (
    AlbumRow,
    against_artist_tags_from_rows,
    against_from_rows,
    against_tags_from_rows,
    album_review_reasons,
)
from tagger.library.genre_map import DEFAULT_GENRE_MAP, Verdict

GENRES = ["Death Metal", "Thrash Metal", "NYHC", "Hardcore Punk", "Rock", "Metalcore", "Doom"]


def tag_class(genre: str) -> str | None:
    label = DEFAULT_GENRE_MAP.label([genre])
    return label.label if label.verdict == Verdict.LABELED else None


def library_rows(tracks: int) -> list[AlbumRow]:
    rng = random.Random(0)
    classes = [tag_class(g) for g in GENRES]
    rows: list[AlbumRow] = []
    for i in range(tracks):
        metal = rng.random()
        own = classes[(i // 20) % len(GENRES)] if rng.random() < 0.6 else None
        path = f"/music/artist {i // 500}/album {i // 20}/{i:05d}.mp3"
        label = "metal" if metal >= 0.5 else "hardcore"
        probs = {"metal": metal, "hardcore": 1 - metal}
        rows.append((i, path, f"Album {i // 20}", None, probs, label, own, f"Artist {i // 500}"))
    return rows


def best_of(repeat: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = library_rows(args.tracks)
    print(f"{args.tracks} album tracks, load {os.getloadavg()[0]:.2f}")
    jobs = {
        "against its album (verdict)": lambda: against_from_rows(rows),
        "against its album's tags": lambda: against_tags_from_rows(rows),
        "against its artist's tags": lambda: against_artist_tags_from_rows(rows),
        "all three (album_review_reasons)": lambda: album_review_reasons(rows),
    }
    for name, job in jobs.items():
        print(f"  {name:34s} best {best_of(args.repeat, job) * 1000:6.1f} ms")
    print(f"load after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
