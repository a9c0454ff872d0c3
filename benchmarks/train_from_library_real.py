"""One real timed run of `tagger train --from-library` on N labeled tracks, then a retrain after
M new review decisions with the warm feature cache (issue 11's speed targets).

    .venv/bin/python benchmarks/train_from_library_real.py WORK CORPUS [CORPUS ...]
        [--labeled 1000] [--retrain-after 50] [--retrain full|quick|both] [--seed 0] [--classify]
        [-- TRAIN_OPTIONS...]

`train_from_library_speed.py` adds the target up from measured parts (decode seconds per track,
seconds per epoch on synthetic windows); this script times the whole thing as a user meets it.
The CORPUS folders are class-folder trees (CORPUS/metal, CORPUS/hardcore), e.g. from
`independent_corpus.py`. Their tracks are pooled and shuffled with SEED; the first N are copied
to WORK/music with a sub-genre tag of their class in a varied spelling (the spellings of
`library_learning_quality.py`), the next M without a genre. Then, each a `tagger` process with
WORK's own settings, cache and data folders:
    tagger scan MUSIC --no-classify          a fresh library; nothing decoded yet
    tagger train --from-library --out M      cold feature cache: every labeled track decoded
    (--classify: tagger models use M && tagger scan MUSIC, the M untagged tracks' accuracy)
    tagger label --as CLASS PATHS            the M decisions
    tagger train --from-library --out M2     warm cache: only the M new tracks decoded
    (--retrain quick: tagger models use M && tagger train --from-library --quick --out M3,
     the refit alone; `both` times the full retrain first, then the quick one from the same
     labels, M still the active model)
and print the wall and CPU seconds of each run, the epochs each ran and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
from library_learning_quality import (
    SPELLINGS,
    WORK_ENV,
    outcome,
    set_genre,
    tagger,
    train_from_library,
    work_env,
)

from tagger.audio.formats import AUDIO_EXTENSIONS

CLASSES = ("metal", "hardcore")


def pooled_tracks(corpora: list[Path]) -> list[tuple[Path, str]]:
    """Every audio file of the class folders, with its class (the folder's name)."""
    return [
        (path, cls)
        for corpus in corpora
        for cls in CLASSES
        for path in sorted((corpus / cls).rglob("*"))
        if path.suffix.lower() in AUDIO_EXTENSIONS
    ]


def build_library(
    tracks: list[tuple[Path, str]], music: Path, labeled: int, seed: int
) -> tuple[list[str], dict[str, str]]:
    """Copy the first `labeled` tracks with a genre of their class and the rest with none;
    the count per class of the tagged ones, and each untagged copy's true class."""
    rng = np.random.default_rng(seed)
    tagged: list[str] = []
    untagged: dict[str, str] = {}
    for i, (src, cls) in enumerate(tracks):
        # the corpus's name keeps two corpora's same-named files apart
        dst = music / cls / src.parents[1].name / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        if i < labeled:
            set_genre(dst, str(rng.choice(SPELLINGS[cls])))
            tagged.append(cls)
        else:
            set_genre(dst, None)
            untagged[str(dst.resolve())] = cls
    return tagged, untagged


def epochs_run(output: str) -> dict[str, int]:
    """The epochs of the split run and of the refit, read from the training's own lines."""
    split = [int(m) for m in re.findall(r"^epoch\s+(\d+)", output, flags=re.M)]
    refit = [int(m) for m in re.findall(r"^refit epoch\s+(\d+)", output, flags=re.M)]
    return {"split_run_epochs": max(split, default=0), "refit_epochs": max(refit, default=0)}


def estimates(work: Path, quick: bool) -> dict[str, float]:
    """What the train dialog would say before this retrain (`service.learning.estimate`, WORK's
    settings, cache and library): at the idle 2-core figure and at the speed this computer's
    newest model measured; minutes."""
    from tagger.service.context import load_settings, open_library
    from tagger.service.learning import IDLE_SPEED, default_config, estimate, library_labels

    saved = {k: os.environ.get(k) for k in WORK_ENV}
    os.environ.update(work_env(work))
    try:
        settings, library = load_settings(), open_library(str(work / "library.db"))
        try:
            data = library_labels(library, settings)
            figures = {
                name: estimate(library, settings, data, default_config(), speed)
                for name, speed in (("idle", IDLE_SPEED), ("measured", None))
            }
        finally:
            library.close()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    report = {"windows_per_second_measured": figures["measured"].speed.windows_per_second}
    for name, at in figures.items():
        if quick:
            if at.quick_seconds is None:
                raise SystemExit(f"no quick retrain on offer: {at.quick_unavailable}")
            report[f"{name}_min"] = at.quick_seconds / 60
        else:
            report[f"{name}_min"] = at.usual_seconds / 60
            report[f"{name}_at_most_min"] = at.at_most_seconds / 60
    return {k: round(v, 1) for k, v in report.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--labeled", type=int, default=1000)
    parser.add_argument("--retrain-after", type=int, default=50, metavar="M")
    parser.add_argument("--seed", type=int, default=0, help="which tracks, which spellings")
    parser.add_argument(
        "--retrain",
        choices=("full", "quick", "both"),
        default="full",
        help="the retrain after the decisions: the whole run, the refit alone (--quick), or both",
    )
    parser.add_argument(
        "--classify", action="store_true", help="also classify the untagged tracks in between"
    )
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    options = argv[cut + 1 :]  # after --: options for `tagger train`

    tracks = pooled_tracks(args.corpora)
    np.random.default_rng(args.seed).shuffle(tracks)
    wanted = args.labeled + args.retrain_after
    if len(tracks) < wanted:
        sys.exit(f"{len(tracks)} tracks in the corpora, {wanted} needed")
    if args.work.exists():
        shutil.rmtree(args.work)
    music = args.work / "music"
    tagged, untagged = build_library(tracks[:wanted], music, args.labeled, args.seed)
    print(
        f"{len(tagged)} tagged { ({c: tagged.count(c) for c in CLASSES}) }, "
        f"{len(untagged)} untagged",
        flush=True,
    )

    report: dict = {"corpora": [str(c) for c in args.corpora], "train_options": options}
    _, scan_seconds = tagger(args.work, "scan", str(music), "--no-classify")
    report["scan_seconds"] = round(scan_seconds, 1)
    model = args.work / "my-model.safetensors"
    report["first_estimate"] = estimates(args.work, quick=False)  # the idle figure: no model yet
    report["load_before"] = os.getloadavg()
    output, seconds, cpu = train_from_library(args.work, model, options)
    report["first"] = {"seconds": round(seconds), "cpu_seconds": round(cpu), **epochs_run(output)}
    report["load_after_first"] = os.getloadavg()
    if args.classify:  # the new model made active, the library classified
        tagger(args.work, "models", "use", str(model))
        truth = {path: (cls, "none") for path, cls in untagged.items()}
        report["classified"] = outcome(args.work, music, truth)

    for cls in CLASSES:  # the user's decisions: the true class of each untagged track
        paths = [path for path, truth in untagged.items() if truth == cls]
        if paths:
            tagger(args.work, "label", "--as", cls, *paths)
    if args.retrain in ("full", "both"):
        report["retrain_estimate"] = estimates(args.work, quick=False)
        again = model.with_name("my-model-retrained.safetensors")
        output, seconds, cpu = train_from_library(args.work, again, options)
        report["retrain"] = {
            "seconds": round(seconds),
            "cpu_seconds": round(cpu),
            **epochs_run(output),
        }
        report["load_after_retrain"] = os.getloadavg()
    if args.retrain in ("quick", "both"):  # the refit of the active first model, repeated
        if not args.classify:
            tagger(args.work, "models", "use", str(model))
        report["quick_estimate"] = estimates(args.work, quick=True)
        quick = model.with_name("my-model-quick.safetensors")
        output, seconds, cpu = train_from_library(args.work, quick, ["--quick"])
        report["quick_retrain"] = {
            "seconds": round(seconds),
            "cpu_seconds": round(cpu),
            **epochs_run(output),
        }
        report["load_after_quick"] = os.getloadavg()
    print(json.dumps(report, indent=1, default=str))
    (args.work / "speed.json").write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
