"""Quality of learning from a library: train on its genre tags, classify its untagged tracks.

    .venv/bin/python benchmarks/library_learning_quality.py CORPUS WORK_DIR [--seed 0]
        [--recipe library|paper] [--epochs N]

CORPUS is a class-folder tree (CORPUS/metal, CORPUS/hardcore; e.g. from `tagger demo-corpus`),
whose folders are the ground truth. It is copied to WORK_DIR/music and retagged the way a real
collection looks (issue 11's target library):
- TAGGED_SHARE (~60 %) carry a sub-genre tag of their class in a varied spelling
  ("Death-Metal", "THRASH_METAL", "NYHC", "hardcore-punk", ...);
- ODD_SHARE (~8 %) carry an unrelated or ambiguous genre ("Metalcore", "Rock", "Seen Live");
- the rest carry no genre.
Then: scan into a fresh library (no classification), labels through the default genre map,
`train --from-library` with the chosen recipe, classify every track that had no usable label
with the trained model, and print the track accuracy on the untagged ones (the target: 95 %)
and on all unlabeled ones, with the held-out metrics, the labels used, the time and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import mutagen
import numpy as np
from mutagen.id3 import TCON
from mutagen.wave import WAVE

from tagger.audio.formats import AUDIO_EXTENSIONS
from tagger.library.genre_labels import training_labels
from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.scanner import scan
from tagger.library.store import Library
from tagger.model.predictor import Predictor
from tagger.training.feature_cache import FeatureCache
from tagger.training.labeled_set import labeled_set
from tagger.training.recipes import RECIPES
from tagger.training.train import train

TAGGED_SHARE = 0.60
ODD_SHARE = 0.08
SPELLINGS = {
    "metal": [
        "Death Metal",
        "Death-Metal",
        "THRASH_METAL",
        "thrash metal",
        "Black Metal",
        "Doom",
        "Heavy Metal",
        "Speed Metal",
        "Prog-Metal",
        "NWOBHM",
        "Sludge",
        "Groove Metal",
        "Melodic Death Metal",
        "Power Metal",
        "Metal",
    ],
    "hardcore": [
        "NYHC",
        "Hardcore Punk",
        "hardcore-punk",
        "Beatdown",
        "Powerviolence",
        "Youth Crew",
        "HxC",
        "Crust Punk",
        "HARDCORE",
        "Hardcore",
        "Beatdown Hardcore",
        "D-Beat",
    ],
}
ODD = ["Metalcore", "Rock", "Punk", "Crossover", "Seen Live", "Favourites", "Post-Hardcore"]


def set_genre(path: Path, genre: str | None) -> None:
    """Replace the genre tag (None: remove it), through mutagen's format-neutral easy tags."""
    if path.suffix.lower() == ".wav":
        audio = WAVE(str(path))
        if audio.tags is None:
            audio.add_tags()
        audio.tags.delall("TCON")
        if genre:
            audio.tags.add(TCON(encoding=3, text=[genre]))
        audio.save()
        return
    audio = mutagen.File(str(path), easy=True)
    if audio is None:
        raise ValueError(f"mutagen cannot tag {path}")
    if audio.tags is None:
        audio.add_tags()
    if genre:
        audio["genre"] = [genre]
    elif "genre" in audio:
        del audio["genre"]
    audio.save()


def retag(corpus: Path, music: Path, seed: int) -> dict[str, tuple[str, str]]:
    """Copy and retag; path → (true class, what was written: tagged / odd / none)."""
    rng = np.random.default_rng(seed)
    truth = {}
    for cls in ("metal", "hardcore"):
        for src in sorted((corpus / cls).rglob("*")):
            if src.suffix.lower() not in AUDIO_EXTENSIONS:
                continue
            dst = music / cls / src.relative_to(corpus / cls)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            r = rng.random()
            if r < TAGGED_SHARE:
                kind, genre = "tagged", str(rng.choice(SPELLINGS[cls]))
            elif r < TAGGED_SHARE + ODD_SHARE:
                kind, genre = "odd", str(rng.choice(ODD))
            else:
                kind, genre = "none", None
            set_genre(dst, genre)
            truth[str(dst.resolve())] = (cls, kind)
    return truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="library")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    music = args.work / "music"
    if music.exists():
        shutil.rmtree(music)
    truth = retag(args.corpus, music, args.seed)
    kinds = {k: sum(1 for _, kk in truth.values() if kk == k) for k in ("tagged", "odd", "none")}
    print(f"{len(truth)} tracks retagged: {kinds}")

    db = args.work / "library.db"
    db.unlink(missing_ok=True)
    library = Library.open(db)
    scan(library, [music])
    with library.session() as s:
        labels = training_labels(s, DEFAULT_GENRE_MAP)
    data = labeled_set(labels, f"library {music}")
    wrong = sum(1 for t in labels if truth[str(t.path)][0] != t.label)
    print(f"labels: {data.counts} (wrong by the folders: {wrong}); dropped: {data.dropped}")

    config = RECIPES[args.recipe]
    changes = {"workers": args.workers, "seed": args.seed}
    if args.epochs:
        changes["epochs"] = args.epochs
    config = config.__class__(**{**config.__dict__, **changes})
    out = args.work / f"model-{args.recipe}.safetensors"
    start = time.perf_counter()
    load_before = os.getloadavg()
    train(
        data,
        out,
        config,
        cache=FeatureCache(args.work / "cache"),
        held_out=True,
        resume=False,
        show_progress=False,
        log=lambda line: print(line, flush=True),
    )
    seconds = time.perf_counter() - start

    labeled = {str(t.path) for t in labels}
    predictor = Predictor.load(out)
    results: dict[str, list[bool]] = {"none": [], "odd": []}
    for path, (cls, kind) in truth.items():
        if path in labeled:
            continue
        got = predictor.classify(path).label
        results.setdefault(kind, []).append(got == cls)
    report = {
        "corpus": str(args.corpus),
        "seed": args.seed,
        "recipe": args.recipe,
        "config": {k: v for k, v in config.__dict__.items()},
        "labels": data.counts,
        "held_out": predictor.model.metrics.get("test", {}).get("track_level", {}),
        "untagged_accuracy": float(np.mean(results["none"])) if results["none"] else None,
        "untagged_tracks": len(results["none"]),
        "unlabeled_accuracy": float(np.mean(sum(results.values(), []))),
        "unlabeled_tracks": len(sum(results.values(), [])),
        "train_seconds": round(seconds, 1),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    held = report["held_out"].get("accuracy")
    print(json.dumps(report, indent=1, default=str))
    print(
        f"untagged track accuracy {report['untagged_accuracy']:.3f} "
        f"({report['untagged_tracks']} tracks); all unlabeled {report['unlabeled_accuracy']:.3f}; "
        f"held-out {held}; trained in {seconds:.0f} s"
    )
    (args.work / f"quality-{args.recipe}-seed{args.seed}.json").write_text(
        json.dumps(report, indent=1, default=str)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
