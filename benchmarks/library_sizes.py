"""What the benchmarks that time the app on libraries of several sizes share
(`select_all_speed.py`, `label_count_speed.py`): a library of track rows alone (no audio, rows
as a scan leaves them: 20 tracks an album, 500 an artist), and the loop: the machine's load, a
temporary folder per size with the user's folders inside it, the figures as best and median."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_rows_library(
    db: Path,
    tracks: int,
    genres: Callable[[int], list[str]],
    decision: Callable[[int], str | None] = lambda _i: None,
) -> None:
    """`tracks` rows; track i has the genres `genres(i)` and the decision `decision(i)`."""
    from sqlalchemy import insert

    from tagger.library.schema import Track
    from tagger.library.store import Library

    library = Library.open(db)
    rows = [
        {
            "path": f"/music/artist {i // 500:03d}/album {i // 20:05d}/{i:06d}.mp3",
            "size": 1000 + i,
            "mtime_ns": i,
            "title": f"Track {i:06d}",
            "artist": f"Artist {i // 500:03d}",
            "album": f"Album {i // 20:05d}",
            "genres": genres(i),
            "user_label": decision(i),
        }
        for i in range(tracks)
    ]
    with library.session() as session, session.begin():
        session.execute(insert(Track), rows)
    library.close()


def load_text() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"


def run_sizes(
    doc: str,
    make_library: Callable[[Path, int], None],
    measure: Callable[[Path, int], dict[str, list[float]]],
    what: str = "tracks",
) -> int:
    """Parse --tracks and --repeat; for each size make the library and print `measure`'s
    figures (name → seconds of each repeat)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load {load_text()}, Python {sys.version.split()[0]}")
    for n in args.tracks:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
                os.environ[name] = str(folder / name)
            make_library(folder / "library.db", n)
            times = measure(folder / "library.db", args.repeat)
        width = max(len(name) for name in times)
        for name, values in times.items():
            print(
                f"{n:>7,} {what}, {name:>{width}}: best {min(values):.3f} s, "
                f"median {statistics.median(values):.3f} s"
            )
    print(f"load after: {load_text()}")
    return 0
