"""A retrain after new review decisions: quick (`train --from-library --quick`) against a full run.

    .venv/bin/python benchmarks/quick_retrain.py TRAINED_WORK COPY_DIR [--decide 25] [--full]

TRAINED_WORK is a library_learning_quality.py work folder after its run: a library whose
active model was trained from its tags, and the music whose class folders are the truth. Its
library, settings and feature cache are copied to COPY_DIR (the cache by hard links: only new
entries are written), so TRAINED_WORK is left as it was. Then, each a `tagger` process as a user
runs it:
    tagger label --as CLASS PATH...     the user decides --decide unlabeled tracks (no genre of
                                        a class), with their true class
    tagger train --from-library --quick timed, warm cache (and with --full a full run, timed)
    tagger models use M && tagger scan  each new model classifies the library
and prints, for each retrain, its wall and CPU seconds and the track accuracy on the unlabeled
tracks nobody decided (untagged, and those with a genre the map does not label), with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from library_learning_quality import tagger, train_from_library  # noqa: E402

CLASSES = ("metal", "hardcore")


def copy_work(source: Path, copy: Path) -> None:
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    with sqlite3.connect(source / "library.db") as src, sqlite3.connect(copy / "library.db") as dst:
        src.backup(dst)  # a consistent copy, whatever WAL the source holds
    shutil.copytree(source / "config", copy / "config")
    shutil.copytree(source / "cache", copy / "cache", copy_function=os.link)


def unlabeled(work: Path) -> dict[str, str]:
    """path → true class, for the tracks with no decision and no own genre tag of a class
    (`tracks.tag_class`, settled by the library's earlier commands: `tagger stats` first)."""
    tagger(work, "stats")  # settles the tag classes, should anything be stale
    with sqlite3.connect(work / "library.db") as db:
        query = "SELECT path FROM tracks WHERE tag_class IS NULL AND user_label IS NULL"
        paths = [row[0] for row in db.execute(query)]
    return {p: Path(p).parent.name for p in paths if Path(p).parent.name in CLASSES}


def accuracy(work: Path, model: Path, music: Path, wanted: dict[str, str]) -> tuple[int, int]:
    tagger(work, "models", "use", str(model))
    tagger(work, "scan", str(music))
    listing, _ = tagger(work, "list", "--format", "json")
    rows = {r["path"]: r for r in json.loads(listing)}
    right = sum(rows[p].get("model_label") == cls for p, cls in wanted.items())
    return right, len(wanted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trained", type=Path)
    parser.add_argument("copy", type=Path)
    parser.add_argument("--decide", type=int, default=25, help="review decisions (25)")
    parser.add_argument("--full", action="store_true", help="also time a full retrain")
    args = parser.parse_args()

    copy_work(args.trained, args.copy)
    music = args.trained / "music"
    candidates = unlabeled(args.copy)
    chosen = sorted(candidates, key=lambda p: Path(p).name)[: args.decide]  # both classes
    for cls in CLASSES:
        paths = [p for p in chosen if candidates[p] == cls]
        if paths:
            tagger(args.copy, "label", "--as", cls, *paths)
    rest = {p: c for p, c in candidates.items() if p not in chosen}
    print(f"decided {len(chosen)}; {len(rest)} unlabeled tracks left to measure", flush=True)
    runs = {"quick": ["--quick"], "full": []} if args.full else {"quick": ["--quick"]}
    report = {"decided": len(chosen), "measured_on": len(rest)}
    for name, options in runs.items():
        tagger(args.copy, "models", "use", str(args.trained / "my-model.safetensors"))
        model = args.copy / f"retrained-{name}.safetensors"
        load = os.getloadavg()[0]
        _, seconds, cpu = train_from_library(args.copy, model, options)
        right, total = accuracy(args.copy, model, music, rest)
        report[name] = {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "right": right,
            "of": total,
            "load_before": round(load, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
        print(
            f"{name}: retrained in {seconds:.0f} s ({cpu:.0f} CPU s, load {load:.2f}); "
            f"{right} / {total} undecided unlabeled tracks right",
            flush=True,
        )
    print(json.dumps(report, indent=1))
    (args.copy / "quick_retrain.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
