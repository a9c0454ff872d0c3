"""`tagger compare`: architectures under one protocol, so that their numbers can stand side by side.

Every run uses the same track/artist-grouped split (fixed by `split_seed`, whatever the training
seed), the same budget (epochs, patience, windows per track, batch size) and the same augmentation.
Each architecture is trained once per seed; the seeds change the initialisation, the window
sampling and the augmentation, never the split. Every model is then measured on the held-out test
split through the predictor, the path `tagger classify` takes, and the table reports the mean and
the spread (standard deviation) over seeds.

A run whose model file already exists with the same training configuration is not trained again,
and its test measurement (runs/NAME.json, tied to the model file's sha256) is not taken again,
so an interrupted comparison continues where it stopped and a table can be redrawn for a subset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tagger.audio.errors import AudioError
from tagger.audio.features import TrackFeatures, track_features
from tagger.audio.mel import FrontEndConfig
from tagger.model.architectures import architecture
from tagger.model.checkpoint import ModelFileError, file_sha256, load_model, read_metadata
from tagger.model.network import count_parameters
from tagger.model.predictor import Predictor
from tagger.training.dataset import LabeledTrack
from tagger.training.epoch_sampling import spread_windows
from tagger.training.evaluate import metrics, select_tracks
from tagger.training.feature_cache import FeatureCache
from tagger.training.train import TrainConfig, TrainingError, train


@dataclass(frozen=True)
class CompareConfig:
    archs: tuple[str, ...]
    seeds: int = 3
    split_seed: int = 0
    epochs: int = 100
    patience: int = 10
    batch_size: int = 32
    windows_per_track: int | None = None
    val_windows_per_track: int | None = None
    test_windows_per_track: int | None = None  # None: all 60, as `tagger classify`
    augment: bool = True
    workers: int = 1
    train_seconds: float | None = None  # a wall budget per run, the same for every arch

    def train_config(self, arch: str, seed: int) -> TrainConfig:
        return TrainConfig(
            arch=arch,
            epochs=self.epochs,
            patience=self.patience,
            batch_size=self.batch_size,
            seed=seed,
            split_seed=self.split_seed,
            windows_per_track=self.windows_per_track,
            val_windows_per_track=self.val_windows_per_track,
            augment=self.augment,
            workers=self.workers,
            max_seconds=self.train_seconds,
        )


@dataclass
class Run:
    """One architecture trained with one seed, measured on the held-out test split."""

    arch: str
    seed: int
    model: str
    parameters: int
    epochs_run: int
    best_epoch: int
    train_seconds: float
    windows_per_second: float  # inference through the predictor, on the test windows
    clip: dict[str, Any] = field(default_factory=dict)  # evaluate.metrics at clip level
    track: dict[str, Any] = field(default_factory=dict)  # ... and at track level
    train_windows: int = 0  # training windows the network saw, over all its epochs


def compare(
    data_dir: str | Path,
    out_dir: str | Path,
    config: CompareConfig,
    *,
    show_progress: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train and measure every (architecture, seed); returns the document compare.json holds."""
    from tagger.training.compare_report import write_report  # plotting only when writing

    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir)
    for arch in config.archs:
        architecture(arch)  # an unknown name fails before hours of training, not after
    if config.seeds < 1:
        raise ValueError("need at least one seed")
    cache = FeatureCache(out_dir / "window-cache")  # every run decodes each file once
    runs: list[Run] = []
    errors: dict[str, str] = {}
    test_windows: dict[FrontEndConfig, dict[Path, TrackFeatures | str]] = {}
    for arch in config.archs:
        for seed in range(config.seeds):
            name = f"{arch}-seed{seed}"
            path = out_dir / "models" / f"{name}.safetensors"
            train_config = config.train_config(arch, seed)
            try:
                if _finished(path, train_config):
                    log(f"{name}: reusing {path}")
                else:
                    log(f"{name}: training")
                    train(
                        data_dir,
                        path,
                        train_config,
                        cache=cache,
                        show_progress=show_progress,
                        log=lambda text, n=name: log(f"{n}: {text}"),
                    )
                measured = out_dir / "runs" / f"{name}.json"
                run = _measured_before(measured, path, config.test_windows_per_track)
                if run is None:
                    run = _measure(
                        path, data_dir, arch, seed, test_windows, config.test_windows_per_track
                    )
                    _save_measured(measured, run, path, config.test_windows_per_track)
                runs.append(run)
            except (TrainingError, ModelFileError, ValueError, RuntimeError) as exc:
                # one architecture that fails (torch raises RuntimeError) must not cost the rest
                errors[name] = str(exc)
                log(f"{name}: failed: {exc}")
            else:
                r = runs[-1]
                log(
                    f"{name}: test clip accuracy {r.clip['accuracy']:.3f}, track accuracy "
                    f"{r.track['accuracy']:.3f}, {r.windows_per_second:.0f} windows/s"
                )
    if not runs:
        raise TrainingError("no architecture could be trained: " + "; ".join(errors.values()))
    doc = {
        "data_dir": str(data_dir),
        "protocol": asdict(config),
        "test_tracks": runs[0].track["n"],
        "test_clips": runs[0].clip["n"],
        "classes": list(runs[0].clip["per_class"]),
        "runs": [asdict(r) for r in runs],
        "summary": summarize(runs),
        "errors": errors,
    }
    write_report(out_dir, doc)
    return doc


def _measured_before(measured: Path, model: Path, per_track: int | None) -> Run | None:
    """The test measurement of this very model file (by sha256) with the same test windows."""
    try:
        doc = json.loads(measured.read_text())
        if doc["model_sha256"] == file_sha256(model) and doc["test_windows_per_track"] == per_track:
            return Run(**doc["run"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _save_measured(measured: Path, run: Run, model: Path, per_track: int | None) -> None:
    doc = {"model_sha256": file_sha256(model), "test_windows_per_track": per_track}
    measured.parent.mkdir(parents=True, exist_ok=True)
    tmp = measured.with_name(measured.name + ".tmp")
    tmp.write_text(json.dumps({**doc, "run": asdict(run)}, indent=1))
    tmp.replace(measured)


def _finished(path: Path, config: TrainConfig) -> bool:
    """A model file from an earlier run of the same configuration (its training is done)."""
    try:
        saved = read_metadata(path)["training"].get("config", {})
    except (ModelFileError, KeyError, AttributeError):
        return False
    mine = asdict(config)
    same = ("workers", "bf16")  # how fast it ran, not what it learned
    # A field added to TrainConfig after that model was trained is not in its file: that run
    # did what the code then did, so only the fields both know are compared.
    return {k: v for k, v in saved.items() if k not in same} == {
        k: v for k, v in mine.items() if k not in same and k in saved
    }


def _measure(
    path: Path,
    data_dir: Path,
    arch: str,
    seed: int,
    cache: dict[FrontEndConfig, dict[Path, TrackFeatures | str]],
    per_track: int | None,
) -> Run:
    model = load_model(path)
    tracks = select_tracks(model, data_dir, "test")
    if not tracks:
        raise ValueError(f"{path.name}: its held-out test split is empty")
    windows = cache.setdefault(model.frontend, {})
    for t in tracks:  # each front end decodes the test tracks once, for all its runs
        if t.path not in windows:
            windows[t.path] = _log_mel(t, model.frontend, per_track)
    predictor = Predictor(model)
    index = {c: i for i, c in enumerate(model.classes)}
    clip_probs, track_probs, labels = [], [], []
    seconds = 0.0
    for t in tracks:
        features = windows[t.path]
        if isinstance(features, str):
            continue  # unreadable: the same tracks are missing from every run
        start = time.perf_counter()
        probs = predictor.window_probabilities(features.mel)
        seconds += time.perf_counter() - start
        verdict = predictor.predict_from_windows(features, probs)  # the verdict rule's owner
        clip_probs.append(probs)
        track_probs.append([verdict.probabilities[c] for c in model.classes])
        labels.append(index[t.label])
    if not clip_probs:
        raise ValueError("none of the test tracks could be decoded")
    y_track = np.array(labels)
    p_track = np.array(track_probs)
    y_clip = np.concatenate([np.full(len(p), y) for p, y in zip(clip_probs, labels, strict=True)])
    p_clip = np.concatenate(clip_probs)
    return Run(
        arch=arch,
        seed=seed,
        model=str(path),
        parameters=count_parameters(model.network),
        epochs_run=int(model.training.get("epochs_run", 0)),
        best_epoch=int(model.training.get("best_epoch", 0)),
        train_seconds=float(model.training.get("seconds", 0.0)),
        windows_per_second=len(p_clip) / seconds if seconds > 0 else float("nan"),
        clip=metrics(y_clip, p_clip, model.classes),
        track=metrics(y_track, p_track, model.classes),
        train_windows=sum(int(e.get("windows", 0)) for e in model.training.get("history", [])),
    )


def _log_mel(
    track: LabeledTrack, frontend: FrontEndConfig, per_track: int | None
) -> TrackFeatures | str:
    """The track's windows exactly as `tagger classify` sees them (or evenly spaced of them)."""
    try:
        features = track_features(track.path, frontend)
        keep = spread_windows(len(features.mel), per_track)
        return replace(
            features, mel=features.mel[keep], segments=[features.segments[i] for i in keep]
        )
    except (AudioError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


# The table's columns: (key in the summary, the metric in a Run).
MEASURES: dict[str, Callable[[Run], float | None]] = {
    "clip_accuracy": lambda r: r.clip["accuracy"],
    "track_accuracy": lambda r: r.track["accuracy"],
    "clip_macro_f1": lambda r: r.clip["macro"]["f1"],
    "track_macro_f1": lambda r: r.track["macro"]["f1"],
    "clip_roc_auc": lambda r: r.clip["roc_auc"],
    "track_roc_auc": lambda r: r.track["roc_auc"],
    "train_seconds": lambda r: r.train_seconds,
    "train_windows": lambda r: r.train_windows,
    "epochs_run": lambda r: r.epochs_run,
    "windows_per_second": lambda r: r.windows_per_second,
}


def summarize(runs: list[Run]) -> dict[str, dict[str, Any]]:
    """Per architecture: mean and standard deviation (over seeds) of every measure."""
    out: dict[str, dict[str, Any]] = {}
    for arch in dict.fromkeys(r.arch for r in runs):
        mine = [r for r in runs if r.arch == arch]
        row: dict[str, Any] = {
            "system": architecture(arch).system,
            "seeds": len(mine),
            "parameters": mine[0].parameters,
        }
        for key, measure in MEASURES.items():
            values = [v for v in (measure(r) for r in mine) if v is not None and np.isfinite(v)]
            row[key] = {
                "mean": float(np.mean(values)) if values else None,
                "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
            }
        out[arch] = row
    return out
