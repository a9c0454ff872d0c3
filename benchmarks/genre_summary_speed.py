"""What reading the library's genres costs (`library/genre_labels.py` `genre_summary`): what
`tagger genres` and the Settings dialog's genre list (`gui/genre_preview.py`, off the GUI
thread) wait for.

    .venv/bin/python benchmarks/genre_summary_speed.py [--tracks 100000] [--rounds 3]

The library is `tag_class_settle.py`'s: TRACKS rows with genres drawn from a mix like a real
collection's, one track in ten carrying a genre this program wrote. Prints each round's time.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from tag_class_settle import filled_library

from tagger.library.genre_labels import genre_summary
from tagger.library.genre_map import DEFAULT_GENRE_MAP


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with filled_library(args.tracks) as library:
        for i in range(args.rounds):
            start = time.perf_counter()
            with library.session() as s:
                rows = genre_summary(s, DEFAULT_GENRE_MAP)
            took = time.perf_counter() - start
            print(f"round {i + 1}: {len(rows)} genres, {args.tracks:,} tracks: {took:.2f} s")
    print(f"{platform.processor() or platform.machine()}, load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
