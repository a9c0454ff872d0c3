"""Quality of learning from a library: train on its genre tags, classify its untagged tracks.

    .venv/bin/python benchmarks/library_learning_quality.py CORPUS WORK_DIR [--seed 0]
        [-- TRAIN_OPTIONS...]

CORPUS is a class-folder tree (CORPUS/metal, CORPUS/hardcore; e.g. from `tagger demo-corpus`),
whose folders are the ground truth. It is copied to WORK_DIR/music and retagged the way a real
collection looks (issue 11's target library):
- TAGGED_SHARE (~60 %) carry a sub-genre tag of their class in a varied spelling
  ("Death-Metal", "THRASH_METAL", "NYHC", "hardcore-punk", ...);
- ODD_SHARE (~8 %) carry an unrelated or ambiguous genre ("Metalcore", "Rock", "Seen Live");
- the rest carry no genre.
Then the commands a user runs, each a `tagger` process with its own settings, cache and data
folders under WORK_DIR (XDG_*), so nothing of the user's is read or changed:
    tagger scan MUSIC --no-classify          a fresh library
    tagger genres                            what the genre map makes of the tags
    tagger train --from-library --out M      default options unless TRAIN_OPTIONS are given
    tagger models use M && tagger scan MUSIC the untagged tracks classified by the new model
    tagger list --format json                the labels read back
and print the track accuracy on the untagged ones (the target: 95 %) and on all unlabeled ones,
how many classified tracks the review queue holds (and why), how many untagged tracks it leaves
outside review and how many of those are right, the held-out metrics, the
calibration the training fitted, the labels used, the times and the load. With
--compare-uncalibrated the same model with its temperature set back to 1 classifies the
library again, for the review queue before and after calibration. Tracks the library leaves
unclassified (out of scope, e.g. the "Jazz" ones) count as wrong if they are untagged.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import mutagen
import numpy as np
from mutagen.id3 import TCON
from mutagen.wave import WAVE

from tagger.audio.formats import AUDIO_EXTENSIONS
from tagger.library.settings import Settings
from tagger.model.checkpoint import read_model_info

# the review rule's defaults (library/settings.py), for what it would say without the tags
REVIEW_THRESHOLD = Settings.threshold
REVIEW_DISAGREEMENT = Settings.disagreement
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


WORK_ENV = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "TAGGER_DB")


def mistag(truth: dict[str, tuple[str, str]], n: int) -> list[str]:
    """Give `n` tagged tracks, spread over the sorted list, the other class's first spelling."""
    tagged = sorted(p for p, (_cls, kind) in truth.items() if kind == "tagged")
    chosen = tagged[:: max(1, len(tagged) // n)][:n] if n else []
    for path in chosen:
        other = "hardcore" if truth[path][0] == "metal" else "metal"
        set_genre(Path(path), SPELLINGS[other][0])
    return chosen


def conflicts_found(work: Path, truth: dict[str, tuple[str, str]], mistagged: list[str]) -> dict:
    """Which mis-tagged tracks `tagger list --conflicts` lists, and what else it lists."""
    listing, _ = tagger(work, "list", "--conflicts", "--format", "json")
    listed = {str(Path(r["path"]).resolve()) for r in json.loads(listing)}
    return {
        "tracks": len(mistagged),
        "in_conflicts": sum(p in listed for p in mistagged),
        "conflicts_listed": len(listed),
        "conflicts_rightly_tagged": sum(p not in mistagged for p in listed),
        "paths": {Path(p).name: p in listed for p in mistagged},
    }


def work_env(work: Path) -> dict[str, str]:
    """WORK's own settings, cache and data folders and library, as `tagger` finds them."""
    folders = (work / "config", work / "cache", work / "data", work / "library.db")
    return {key: str(folder) for key, folder in zip(WORK_ENV, folders, strict=True)}


def tagger(work: Path, *args: str, echo: bool = False) -> tuple[str, float]:
    """Run `tagger ARGS` as its own process with WORK's settings/cache/data folders; its output
    (echoed live with `echo`) and the wall seconds. Fails loudly: a benchmark that hides a
    failed step measures nothing."""
    env = {**os.environ, **work_env(work)}
    start = time.perf_counter()
    command = [sys.executable, "-m", "tagger", *args]
    if echo:  # training: its epoch lines as they come
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines = []
        for line in process.stdout:
            lines.append(line)
            print(line, end="", flush=True)
        returncode, output, errors = process.wait(), "".join(lines), ""
    else:  # stdout alone (e.g. JSON), stderr kept for the failure message
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        returncode, output, errors = done.returncode, done.stdout, done.stderr
    seconds = time.perf_counter() - start
    if returncode not in (0, 1):  # 1: some files were unreadable, reported per file
        sys.exit(f"tagger {' '.join(args)} failed ({returncode}):\n{(output + errors)[-3000:]}")
    return output, seconds


def train_from_library(work: Path, out: Path, options: list[str]) -> tuple[str, float, float]:
    """`tagger train --from-library`: its output, wall seconds and CPU seconds."""
    before = os.times()
    output, seconds = tagger(
        work, "train", "--from-library", "--out", str(out), *options, echo=True
    )
    after = os.times()
    cpu = sum(after[2:4]) - sum(before[2:4])  # children's user + system
    return output, seconds, cpu


def retrain(
    args: argparse.Namespace, truth: dict[str, tuple[str, str]], model: Path, options: list[str]
) -> dict[str, float]:
    """The user decides N untagged tracks in review, then retrains: the N are decoded, the
    rest of the labeled tracks come from the feature cache."""
    untagged = sorted(p for p, (_, kind) in truth.items() if kind == "none")
    chosen = untagged[: args.retrain_after]
    for cls in ("metal", "hardcore"):
        paths = [p for p in chosen if truth[p][0] == cls]
        if paths:
            tagger(args.work, "label", "--as", cls, *paths)
    again = model.with_name("my-model-retrained.safetensors")
    _, seconds, cpu = train_from_library(args.work, again, options)
    return {"decisions": len(chosen), "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1)}


def outcome(work: Path, music: Path, truth: dict[str, tuple[str, str]]) -> dict:
    """Classify the library with its active model; accuracy on the untagged and unlabeled
    tracks, and the review queue over every classified track."""
    _, classify_s = tagger(work, "scan", str(music))
    listing, _ = tagger(work, "list", "--format", "json")
    rows = {str(Path(r["path"]).resolve()): r for r in json.loads(listing)}
    results: dict[str, list[bool]] = {"none": [], "odd": []}
    outside_review: list[bool] = []  # untagged tracks the review queue does not hold
    unclassified = 0
    for path, (cls, kind) in truth.items():
        if kind == "tagged":
            continue
        got = rows[path].get("model_label")
        unclassified += got is None
        results[kind].append(got == cls)
        if kind == "none" and not rows[path].get("needs_review"):
            outside_review.append(got == cls)
    unlabeled = results["none"] + results["odd"]
    review = [r for r in rows.values() if r.get("needs_review")]
    # Tracks tagged with their class whose prediction agrees with the tag: the review rule
    # leaves them out however unsure the model is (library/tag_class.py); `unsure` counts those
    # the confidence and window rules alone (the settings' defaults) would have sent to review.
    confirmed = [
        rows[path]
        for path, (cls, kind) in truth.items()
        if kind == "tagged" and rows[path].get("model_label") == cls
    ]
    unsure = [
        r
        for r in confirmed
        if r["model_confidence"] < REVIEW_THRESHOLD or r["disagreement"] >= REVIEW_DISAGREEMENT
    ]
    reasons = [reason.split(":")[0] for r in review for reason in r.get("review_reasons", [])]
    return {
        "untagged_accuracy": float(np.mean(results["none"])) if results["none"] else None,
        "untagged_tracks": len(results["none"]),
        # what a user who decides the review queue by ear is left with unchecked
        "untagged_outside_review": len(outside_review),
        "untagged_outside_review_right": sum(outside_review),
        "unlabeled_accuracy": float(np.mean(unlabeled)) if unlabeled else None,
        "unlabeled_tracks": len(unlabeled),
        "left_unclassified": unclassified,
        "classified": sum(1 for r in rows.values() if r.get("model_label") is not None),
        "in_review": len(review),
        "in_review_by_kind": {
            kind: sum(bool(rows[p].get("needs_review")) for p, (_, k) in truth.items() if k == kind)
            for kind in ("tagged", "odd", "none")
        },
        "confirmed_by_tags": len(confirmed),
        "confirmed_by_tags_unsure": len(unsure),
        "confirmed_by_tags_in_review": sum(r.get("needs_review", False) for r in confirmed),
        "review_reasons": {r: reasons.count(r) for r in sorted(set(reasons))},
        "classify_scan_seconds": round(classify_s, 1),
    }


def uncalibrated_copy(model: Path) -> Path:
    """The trained model with its temperature back at 1 (what training gave before
    calibration), saved beside it with its ONNX form."""
    from tagger.model.checkpoint import load_model, save_model
    from tagger.model.network import set_temperature
    from tagger.model.onnx_form import write_beside

    loaded = load_model(model)
    set_temperature(loaded.network, 1.0)
    metrics = {k: v for k, v in loaded.metrics.items() if k != "calibration"}
    copy = model.with_name(f"{model.stem}-uncalibrated.safetensors")
    save_model(copy, loaded.network, loaded.classes, loaded.frontend, loaded.training, metrics)
    write_beside(copy)
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--seed", type=int, default=0, help="which tracks get which tags")
    parser.add_argument(
        "--retrain-after",
        type=int,
        default=0,
        metavar="N",
        help="then decide N untagged tracks (their true class, `tagger label`) and time a "
        "retrain with the warm feature cache",
    )
    parser.add_argument(
        "--mistag",
        type=int,
        default=0,
        metavar="N",
        help="give N tagged tracks the other class's genre, as a real collection has a few, "
        'and report which of them the "Disagrees with its tags" list finds',
    )
    parser.add_argument(
        "--compare-uncalibrated",
        action="store_true",
        help="also classify the library with the trained model at temperature 1 (before "
        "calibration) and report its accuracy and review queue",
    )
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    options = argv[cut + 1 :]  # after --: options for `tagger train`

    if args.work.exists():
        shutil.rmtree(args.work)
    music = args.work / "music"
    truth = retag(args.corpus, music, args.seed)
    kinds = {k: sum(1 for _, kk in truth.values() if kk == k) for k in ("tagged", "odd", "none")}
    print(f"{len(truth)} tracks retagged: {kinds}", flush=True)
    mistagged = mistag(truth, args.mistag)

    load_before = os.getloadavg()
    out, scan_s = tagger(args.work, "scan", str(music), "--no-classify")
    out, _ = tagger(args.work, "genres")
    print(out, flush=True)
    model = args.work / "my-model.safetensors"
    out, train_s, train_cpu = train_from_library(args.work, model, options)
    tagger(args.work, "models", "use", str(model))
    result = outcome(args.work, music, truth)
    if mistagged:
        result["mistagged"] = conflicts_found(args.work, truth, mistagged)
    models, _ = tagger(args.work, "models", "--json")
    report = {
        "corpus": str(args.corpus),
        "seed": args.seed,
        "train_options": options,
        "models": json.loads(models),
        **result,
        "calibration": read_model_info(model).metrics.get("calibration"),
        "scan_seconds": round(scan_s, 1),
        "train_seconds": round(train_s, 1),
        "train_cpu_seconds": round(train_cpu, 1),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    if args.compare_uncalibrated:
        copy = uncalibrated_copy(model)
        tagger(args.work, "models", "use", str(copy))
        report["uncalibrated"] = outcome(args.work, music, truth)
        tagger(args.work, "models", "use", str(model))
    if args.retrain_after:
        report["retrain"] = retrain(args, truth, model, options)
    print(json.dumps(report, indent=1, default=str))
    untagged = report["untagged_accuracy"]
    print(
        f"untagged track accuracy {untagged:.3f} ({report['untagged_tracks']} tracks); all "
        f"unlabeled {report['unlabeled_accuracy']:.3f}; in review {report['in_review']} of "
        f"{report['classified']} (untagged outside review: "
        f"{report['untagged_outside_review_right']} of {report['untagged_outside_review']} "
        f"right); trained in {train_s:.0f} s ({train_cpu:.0f} CPU s)"
    )
    print(
        f"review queue by track: {report['in_review_by_kind']}; tagged tracks the model agrees "
        f"with: {report['confirmed_by_tags']}, {report['confirmed_by_tags_unsure']} of them "
        f"unsure (left out of review: {report['confirmed_by_tags_in_review']} in it)"
    )
    (args.work / "quality.json").write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
