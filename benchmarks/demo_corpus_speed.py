"""Render speed of the demo corpus, split into synthesis and encoding+tagging, on one core.

Usage:
    python benchmarks/demo_corpus_speed.py [--tracks 10] [--seconds 150] [--seed 0] [--json PATH]

Renders the first N tracks of a corpus plan with every track set to the same length, into a
temporary folder, and prints seconds per track by format: wall clock, and CPU time of this
process (the fairer number on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tagger.training.demo_corpus.encode import encode
from tagger.training.demo_corpus.plan import plan_demo_corpus
from tagger.training.demo_corpus.render import render_audio
from tagger.training.demo_corpus.tags import TrackTags, write_tags


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    plans = plan_demo_corpus(args.tracks, args.seed, (args.seconds, args.seconds))
    render_audio(plan_demo_corpus(1, args.seed + 1, (5.0, 5.0))[0])  # warm-up: filter cache
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for plan in plans:
            path = Path(tmp) / f"t{plan.index}.{plan.format}"
            c0, t0 = time.process_time(), time.perf_counter()
            audio = render_audio(plan)
            c1, t1 = time.process_time(), time.perf_counter()
            encode(audio, path, plan.format, plan.seed)
            tags = TrackTags(
                plan.title, plan.artist, plan.album, plan.year, plan.genre, plan.track_number
            )
            write_tags(path, plan.format, tags)
            c2, t2 = time.process_time(), time.perf_counter()
            rows.append(
                {
                    "format": plan.format,
                    "synth_s": t1 - t0,
                    "encode_s": t2 - t1,
                    "synth_cpu_s": c1 - c0,
                    "encode_cpu_s": c2 - c1,
                }
            )
            print(
                f"{plan.index:3d} {plan.label:<8} {plan.format:<4} synth {t1 - t0:5.2f} s  "
                f"encode+tag {t2 - t1:5.2f} s",
                flush=True,
            )
    by_format = defaultdict(list)
    for r in rows:
        by_format[r["format"]].append(r["synth_s"] + r["encode_s"])
    synth = sum(r["synth_s"] for r in rows) / len(rows)
    enc = sum(r["encode_s"] for r in rows) / len(rows)
    synth_cpu = sum(r["synth_cpu_s"] for r in rows) / len(rows)
    enc_cpu = sum(r["encode_cpu_s"] for r in rows) / len(rows)
    print(
        f"\n{len(rows)} tracks of {args.seconds:.0f} s: synth {synth:.2f} s + encode/tag "
        f"{enc:.2f} s = {synth + enc:.2f} s per track (wall clock)"
    )
    print(
        f"CPU time: synth {synth_cpu:.2f} s + encode/tag {enc_cpu:.2f} s = "
        f"{synth_cpu + enc_cpu:.2f} s per track"
    )
    print("per format: " + ", ".join(f"{f} {sum(v) / len(v):.2f} s" for f, v in by_format.items()))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": f"{platform.machine()} {platform.processor()} {os.cpu_count()} cpus",
                    "seconds_per_track": args.seconds,
                    "synth_s_mean": synth,
                    "encode_tag_s_mean": enc,
                    "synth_cpu_s_mean": synth_cpu,
                    "encode_tag_cpu_s_mean": enc_cpu,
                    "rows": rows,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
