"""Learning from the library: its genres through the map, the labels it offers, training a model
from them, the models it knows and which one is active, conflicts and album verdicts.

The CLI (`tagger genres`, `train --from-library`, `models`, `list --conflicts`) and the app's
train dialog and smart lists are adapters over these functions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagger.library.genre_labels import GenreCount, genre_summary
from tagger.library.model_registry import (
    ModelInfo,
    RemovedModel,
    find_model,
    list_models,
    register_model_file,
)
from tagger.library.model_registry import remove_model as forget_model
from tagger.library.model_registry import resolve_model as registry_resolve_model
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.library.training_labels import label_counts
from tagger.library.training_labels import training_labels as library_training_labels
from tagger.service.errors import ServiceError

if TYPE_CHECKING:  # torch comes with training; it is imported where a job trains
    from tagger.training.labeled_set import LabeledSet
    from tagger.training.quick_plan import QuickPlan
    from tagger.training.train import TrainConfig, TrainProgress, TrainResult

# For the dialog's estimate, measured on 2 cores otherwise idle (BENCHMARKS.md, "The train
# dialog's estimate"); an estimate, not a promise: a busy or faster machine differs.
DECODE_SECONDS_PER_TRACK = 0.52  # three-minute files, two decoding processes
TRAIN_WINDOWS_PER_SECOND = 130.0  # an epoch of ~4,100 windows: 29-34 s (47-54 s at load 2-5)
SCORE_SPEEDUP = 3  # validation scores windows this much faster: no backward pass
WINDOWS_PER_TRACK = 60  # a three-minute track's windows, where a recipe trains on all of them
# The split run's best epoch, after which early stopping waits `patience` epochs: from the
# bundled start 0-3 in most library runs (one in five went on to 11); from scratch ~20.
BEST_EPOCH_WARM = 3
BEST_EPOCH_COLD = 20


def genres(library: Library, settings: Settings) -> list[GenreCount]:
    with library.session() as s:
        return genre_summary(s, settings.genre_map_rules())


def genre_map_pending(library: Library, settings: Settings) -> bool:
    """Whether some track's own genre tags wait to be read under the settings' genre map
    (`library/tag_class.py`): after an edit of the map, or an upgrade. One index search."""
    from tagger.library.tag_class import any_stale

    with library.session() as s:
        return any_stale(s, settings.genre_map_rules())


def apply_genre_map(library: Library, settings: Settings) -> int:
    """Read the tracks' own genre tags that wait under the settings' genre map, committed; how
    many. About 2 s at 100,000 tracks after an edit of the map (BENCHMARKS.md): a job's work."""
    from tagger.library.tag_class import settle

    with library.session() as s:
        done = settle(s, settings.genre_map_rules())
        s.commit()
    return done


def library_labels(library: Library, settings: Settings) -> LabeledSet:
    """The labels to train on, with the classes chosen; ServiceError when too few."""
    from tagger.training.labeled_set import LabelSetError, labeled_set

    with library.session() as s:
        tracks = library_training_labels(s, settings.genre_map_rules())
        s.commit()  # the tag classes settled on the way
    # Training decodes the files: as this host mounts them.
    tracks = [
        dataclasses.replace(t, path=Path(library.paths.to_local(str(t.path)))) for t in tracks
    ]
    try:
        return labeled_set(tracks, "the library")
    except LabelSetError as exc:
        raise ServiceError(str(exc)) from None


def all_label_counts(library: Library, settings: Settings) -> dict[str, dict[str, int]]:
    """{class: {source: tracks}} over every label, including classes too small to train."""
    with library.session() as s:
        counts = label_counts(s, settings.genre_map_rules())
        s.commit()  # the tag classes settled on the way
    return counts


def first_model_offer(library: Library, settings: Settings) -> dict[str, int] | None:
    """{class: labeled tracks} when the app should offer to train a first model of the user's
    own: the bundled model (synthetic music only) is active, the library has no model learnt
    from it (one chosen away from is a click in Library → Models… away), and its decisions and
    tags give at least two heavy classes enough tracks to train on; None otherwise."""
    from tagger.training.labeled_set import MIN_CLASS_TRACKS, OTHER

    if settings.model_path or any(m.labels and m.exists for m in models(library, settings)):
        return None
    totals = {c: sum(per.values()) for c, per in all_label_counts(library, settings).items()}
    enough = [c for c, n in totals.items() if c != OTHER and n >= MIN_CLASS_TRACKS]
    return totals if len(enough) >= 2 else None


def describe_label_totals(totals: dict[str, int], title: Callable[[str], str] = str) -> str:
    """ "1,204 metal, 873 hardcore and 312 other": the largest first, ties by name; `title`
    names a class (the app's "Metal", "Neither")."""
    ordered = sorted((c for c, n in totals.items() if n), key=lambda c: (-totals[c], c))
    parts = [f"{totals[c]:,} {title(c)}" for c in ordered]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


@dataclass(frozen=True)
class TrainingSpeed:
    """Training windows per second for the estimates: this computer's, measured by its last
    run (`measured`), or the idle 2-core figure."""

    windows_per_second: float = TRAIN_WINDOWS_PER_SECOND
    measured: bool = False


IDLE_SPEED = TrainingSpeed()


def refit_speed(training: dict[str, Any]) -> float | None:
    """Windows per second of a model file's refit (its `training` metadata), None when it
    records none. The refit is timed alone (no decoding, no validation), so it is this
    computer's training speed under the load it had then."""
    from tagger.training.epoch_sampling import per_track
    from tagger.training.train_config import recorded_config

    refit = training.get("refit")
    try:
        tracks, epochs = int(refit["tracks"]), int(refit["epochs"])
        seconds = float(refit["seconds"])
        config = recorded_config(training)
    except (KeyError, TypeError, ValueError):  # no refit, or a record this version cannot read
        return None
    if tracks < 1 or epochs < 1 or seconds <= 0:
        return None
    return epochs * tracks * (per_track(config, tracks) or WINDOWS_PER_TRACK) / seconds


def training_speed(library: Library) -> TrainingSpeed:
    """This computer's training speed from the newest model trained from this library whose
    file records a refit; the idle 2-core figure when none does. A few files' headers read."""
    from sqlalchemy import select

    from tagger.library.schema import ModelRecord
    from tagger.model.checkpoint import ModelFileError, read_metadata

    with library.session() as s:
        paths = s.scalars(
            select(ModelRecord.path)
            .order_by(ModelRecord.created_at.desc(), ModelRecord.id.desc())
            .limit(5)
        ).all()
    for path in paths:
        try:
            training = read_metadata(library.paths.to_local(path)).get("training") or {}
        except (ModelFileError, OSError):
            continue  # moved or deleted since: the next one
        speed = refit_speed(training) if isinstance(training, dict) else None
        if speed is not None and 1 <= speed <= 100_000:
            return TrainingSpeed(speed, measured=True)
    return IDLE_SPEED


def estimate_seconds(
    data: LabeledSet,
    config: TrainConfig,
    cached: int = 0,
    *,
    at_most: bool = False,
    speed: TrainingSpeed = IDLE_SPEED,
) -> float:
    """A run's time: decoding what the cache lacks, the split run's epochs (training, then
    validation), then the refit's (training only), with the cap shared as the run shares it.
    Early stopping after a usual best epoch; `at_most`: every epoch the cap allows."""
    from tagger.training.epoch_budget import refit_epochs, split_run_last_epoch
    from tagger.training.epoch_sampling import per_track
    from tagger.training.split import FRACTIONS

    n = len(data.tracks)
    n_train, n_val = max(1, round(FRACTIONS[0] * n)), round(FRACTIONS[1] * n)
    each = per_track(config, n_train) or WINDOWS_PER_TRACK
    rate = speed.windows_per_second
    train_seconds = n_train * each / rate
    val_seconds = n_val * (config.val_windows_per_track or WINDOWS_PER_TRACK)
    val_seconds /= SCORE_SPEEDUP * rate
    best = BEST_EPOCH_WARM if config.warm_start else BEST_EPOCH_COLD
    split_epochs = split_run_last_epoch(config)
    if not at_most:
        split_epochs = min(split_epochs, best + config.patience)
    refit = refit_epochs(config, split_epochs if at_most else best, split_epochs, lambda _: None)
    refit_seconds = _every_label_seconds(config, n, refit, speed)
    return _decode_seconds(n, cached) + split_epochs * (train_seconds + val_seconds) + refit_seconds


def _decode_seconds(tracks: int, cached: int) -> float:
    return max(0, tracks - cached) * DECODE_SECONDS_PER_TRACK


def _every_label_seconds(
    config: TrainConfig, tracks: int, epochs: int, speed: TrainingSpeed
) -> float:
    """`epochs` training epochs on all `tracks` labels (the refit's), no validation."""
    from tagger.training.epoch_sampling import per_track

    each = per_track(config, tracks) or WINDOWS_PER_TRACK
    return epochs * tracks * each / speed.windows_per_second


def estimate_quick_seconds(
    data: LabeledSet, plan: QuickPlan, cached: int = 0, speed: TrainingSpeed = IDLE_SPEED
) -> float:
    """A quick retrain's time: decoding what the cache lacks, then the refit's epochs."""
    n = len(data.tracks)
    return _decode_seconds(n, cached) + _every_label_seconds(plan.config, n, plan.epochs, speed)


def quick_plan(
    library: Library, settings: Settings, data: LabeledSet, workers: int | None = None
) -> QuickPlan:
    """How to retrain quickly (`training/quick_retrain.py`): the active model's refit, repeated
    on `data` (with `workers` cores; None: the earlier run's). ServiceError when the active
    model is not a refitted run on this library."""
    from sqlalchemy import select

    from tagger.library.schema import ModelRecord
    from tagger.model.checkpoint import (
        ModelFileError,
        file_sha256,
        read_metadata,
        resolve_model_path,
    )
    from tagger.training.quick_plan import QuickRetrainError
    from tagger.training.quick_plan import quick_plan as plan_for

    path = resolve_model_path(None, settings.model_path)
    try:
        metadata, sha = read_metadata(path), file_sha256(path)
    except (ModelFileError, OSError) as exc:
        raise ServiceError(f"no active model to retrain quickly: {exc}") from None
    with library.session() as s:
        name = s.scalar(select(ModelRecord.name).where(ModelRecord.sha256 == sha))
    if name is None:
        raise ServiceError(
            "the active model was not trained from this library: a full run is needed first"
        )
    try:
        return plan_for(metadata, name, data, workers)
    except QuickRetrainError as exc:
        raise ServiceError(str(exc)) from None


@dataclass(frozen=True)
class TrainingEstimate:
    """What a training of `data` will take, as the train dialog says it (seconds)."""

    speed: TrainingSpeed  # the speed the figures assume
    cached: int  # tracks whose windows are in the feature cache: not decoded again
    usual_seconds: float  # a full run that stops early after a usual best epoch
    at_most_seconds: float  # a full run for every epoch its cap allows
    quick: QuickPlan | None  # the quick retrain on offer, if the active model allows one
    quick_seconds: float | None
    quick_unavailable: str  # why there is none (empty when there is)


def estimate(
    library: Library,
    settings: Settings,
    data: LabeledSet,
    config: TrainConfig,
    speed: TrainingSpeed | None = None,
) -> TrainingEstimate:
    """The times of a full run of `config` and of the quick retrain (when the active model is
    a refitted run of this library) on `data`, at `speed` (None: this computer's, from its
    last library training, `training_speed`). The dialog and the benchmarks ask this."""
    cached = cached_count(data, config)
    at = training_speed(library) if speed is None else speed
    try:
        plan, why_not = quick_plan(library, settings, data), ""
    except ServiceError as exc:
        plan, why_not = None, str(exc)
    return TrainingEstimate(
        speed=at,
        cached=cached,
        usual_seconds=estimate_seconds(data, config, cached, speed=at),
        at_most_seconds=estimate_seconds(data, config, cached, at_most=True, speed=at),
        quick=plan,
        quick_seconds=None if plan is None else estimate_quick_seconds(data, plan, cached, at),
        quick_unavailable=why_not,
    )


def cached_count(data: LabeledSet, config: TrainConfig) -> int:
    """How many of the set's tracks already have the windows `config` trains on in the feature
    cache."""
    from tagger.model.arch_specs import frontend_for
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.window_cache import cache_key

    cache = FeatureCache()
    frontend = frontend_for(config.arch, config.overlap_short_tracks)
    n = 0
    for t in data.tracks:
        try:
            n += cache_key(t.path, t.fingerprint, frontend) in cache
        except OSError:
            continue  # a file gone since the scan: it will be skipped when training
    return n


def default_config(recipe: str = "library", **changes: Any) -> TrainConfig:
    from tagger.training.recipes import RECIPES

    if recipe not in RECIPES:
        raise ServiceError(f"unknown recipe {recipe!r}; choose {', '.join(sorted(RECIPES))}")
    changes = {k: v for k, v in changes.items() if v is not None}
    if "windows_per_track" in changes:  # asked for explicitly: it replaces the epoch budget
        changes.setdefault("windows_per_epoch", None)
    return dataclasses.replace(RECIPES[recipe], **changes)


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    result: TrainResult
    data: LabeledSet
    metrics: dict[str, Any]
    name: str


def train_from_library(
    library: Library,
    settings: Settings,
    out: str | Path,
    config: TrainConfig,
    *,
    data: LabeledSet | None = None,
    resume: bool = True,
    log: Callable[[str], None] = print,
    show_progress: bool = False,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
    cache_dir: str | Path | None = None,
    quick: QuickPlan | None = None,
) -> TrainedModel:
    """Train on the library's labels (decisions first, then mapped tags), measure the held-out
    split, register the model in the library and keep the tags its refit doubted
    (`library/tag_doubts.py`). With `quick` (`quick_plan`), only repeat an
    earlier run's refit on the labels, measuring nothing (`config` and `resume` do not apply).
    Raises ServiceError (TrainingCancelled passes through for the caller to report)."""
    from tagger.library.tag_doubts import record_tag_doubts
    from tagger.model.checkpoint import ModelFileError, read_metadata
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.quick_retrain import quick_retrain
    from tagger.training.refit import doubted
    from tagger.training.train import TrainingCancelled, TrainingError, train

    data = data or library_labels(library, settings)
    for cls, why in data.dropped.items():
        log(f"not learning {cls!r}: {why}")
    cache = FeatureCache(cache_dir)  # None: the user cache folder
    try:
        if quick is not None:
            result = quick_retrain(
                data, out, quick, cache=cache, log=log, cancel=cancel, progress=progress
            )
        else:
            result = train(
                data,
                out,
                config,
                resume=resume,
                cache=cache,
                held_out=True,
                show_progress=show_progress,
                log=log,
                cancel=cancel,
                progress=progress,
            )
    except TrainingCancelled:
        raise
    except (TrainingError, ValueError, OSError) as exc:
        raise ServiceError(str(exc)) from None
    try:
        with library.session() as s, s.begin():
            row = register_model_file(s, result.model_path)
            name = row.name
            doubts = doubted(result.label_margins)
            record_tag_doubts(s, {library.paths.to_library(str(p)): m for p, m in doubts.items()})
        metrics = read_metadata(result.model_path).get("metrics", {})
    except ModelFileError as exc:
        raise ServiceError(f"the trained model cannot be read back: {exc}") from None
    return TrainedModel(Path(result.model_path), result, data, metrics, name)


def describe_labels(counts: dict[str, dict[str, int]]) -> str:
    parts = []
    for cls, per_source in counts.items():
        detail = ", ".join(f"{n} {source}" for source, n in per_source.items())
        parts.append(f"{cls} {sum(per_source.values())} ({detail})")
    return "; ".join(parts) or "none"


def describe_held_out(model: ModelInfo) -> str:
    """ "0.770 (61 tracks)"; "1.000 (8 tracks, of first)" for a quick retrain, whose figure is
    the model it started from; "-" when never measured. The count goes beside the figure: on a
    few dozen tracks two splits of one library gave 0.770 and 0.971 (BENCHMARKS.md, "Why the
    585-track library fell short")."""
    if model.held_out_accuracy is None:
        return "-"
    of = [f"{model.held_out_tracks} tracks"] if model.held_out_tracks else []
    if model.carried_from:
        of.append(f"of {model.carried_from}")
    return f"{model.held_out_accuracy:.3f}" + (f" ({', '.join(of)})" if of else "")


def describe_trained(model: TrainedModel) -> str:
    test = model.metrics.get("test", {})
    track = test.get("track_level", {})
    line = (
        f"wrote {model.path} as model {model.name!r}; labels: {describe_labels(model.data.counts)}"
    )
    if track:
        line += (
            f"; held-out test: {test.get('tracks', 0)} tracks, track accuracy "
            f"{track['accuracy']:.3f}, macro F1 {track['macro']['f1']:.3f}"
        )
        carried = model.metrics.get("carried_from")
        if carried:  # a quick retrain (training/quick_retrain.py)
            line += (
                f" (carried from model {carried['model']!r} on its {carried['labels']} labels: "
                "a quick retrain measures nothing)"
            )
        elif test.get("measured_on"):  # refit afterwards on every label (training/refit.py)
            line += " (measured before the refit on all labels)"
    calibration = model.metrics.get("calibration")
    if calibration:
        line += f"; confidence calibrated (temperature {calibration['temperature']:.2f})"
    return line


def describe_seconds(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} min" if minutes < 90 else f"about {minutes / 60:.1f} h"


def models(library: Library, settings: Settings) -> list[ModelInfo]:
    from tagger.model.checkpoint import resolve_model_path

    with library.session() as s:
        return list_models(s, resolve_model_path(None, settings.model_path))


def use_model(
    library: Library, settings: Settings, ref: str, settings_path: str | Path | None = None
) -> Path:
    """Make NAME|FILE the active model (the settings' model file); the next scan or Classify
    brings every in-scope track to its prediction."""
    from tagger.model.checkpoint import ModelFileError

    with library.session() as s, s.begin():
        try:
            path = registry_resolve_model(s, ref)
            register_model_file(s, path)
        except ModelFileError as exc:
            raise ServiceError(f"cannot use model {exc}") from None
    settings.model_path = str(path)
    settings.save(settings_path)
    return path


def remove_model(
    library: Library, settings: Settings, ref: str | int, delete_file: bool = False
) -> RemovedModel:
    """Forget a model (NAME|FILE, or its row id): its row and predictions (`model_registry.
    remove_model`); with `delete_file`, its file too, with the ONNX form training wrote beside
    it. The active model and the bundled one cannot be removed."""
    from tagger.model.checkpoint import (
        default_model_path,
        file_sha256_or_none,
        resolve_model_path,
    )
    from tagger.model.onnx_form import beside

    active = resolve_model_path(None, settings.model_path)
    with library.session() as s, s.begin():
        row = find_model(s, ref)
        if row is None:
            raise ServiceError(f"no model {ref!r} in this library (see `tagger models`)")
        path = Path(row.path)
        if row.sha256 == file_sha256_or_none(default_model_path()):
            raise ServiceError("the bundled model ships with the tagger and stays")
        if row.sha256 == file_sha256_or_none(active):
            raise ServiceError(
                f"model {row.name!r} is the active model: make another one active first"
            )
        sha = row.sha256
        removed = forget_model(s, row)
    # Only the file that is this model: another file saved under its name since stays.
    if delete_file and file_sha256_or_none(path) == sha:
        for file in (path, beside(path)):
            file.unlink(missing_ok=True)
        removed = dataclasses.replace(removed, file_deleted=True)
    return removed


@dataclass(frozen=True)
class CacheCoverage:
    """How much of the next reclassification the feature cache spares (`tagger models use`)."""

    in_scope: int  # tracks the next scan brings to the model's prediction, or keeps there
    cached: int  # of those, tracks whose windows for the model's front end are cached


def cache_coverage(library: Library, settings: Settings, model: str | Path) -> CacheCoverage:
    """Readable, in-scope tracks and how many of them the model can classify from the feature
    cache (the windows training kept, for its front end) instead of decoding them."""
    from sqlalchemy import select

    from tagger.library.schema import Track, TrackStatus
    from tagger.model.checkpoint import read_model_info
    from tagger.training.feature_cache import FeatureCache
    from tagger.training.window_cache import cache_key

    config = read_model_info(model).frontend
    scope, paths, cache = settings.genre_map_rules(), library.paths, FeatureCache()
    classifiable = [TrackStatus.NEW, TrackStatus.CHANGED, TrackStatus.OK, TrackStatus.OUT_OF_SCOPE]
    in_scope = cached = 0
    with library.session() as s:
        query = select(Track.path, Track.fingerprint, Track.genres)
        for path, fingerprint, genre_list in s.execute(query.where(Track.status.in_(classifiable))):
            if not scope.in_scope(genre_list):
                continue
            in_scope += 1
            try:
                cached += cache_key(Path(paths.to_local(path)), fingerprint, config) in cache
            except OSError:
                continue  # gone since the scan: the next scan marks it missing
    return CacheCoverage(in_scope, cached)


RETRAIN_AFTER_DECISIONS = 50  # the retrain benchmark's size: minutes with a warm cache
RETRAIN_HINT_EVERY = 25  # after the first hint, again every this many decisions (not each one)


def retrain_hint_due(before: int, after: int) -> bool:
    """Whether the decisions since the active model went past RETRAIN_AFTER_DECISIONS, or past
    another RETRAIN_HINT_EVERY after it, from `before` to `after`: a right click decides a
    whole album at once, so the count can jump over the exact number."""

    def stage(n: int) -> int:
        return (
            -1
            if n < RETRAIN_AFTER_DECISIONS
            else (n - RETRAIN_AFTER_DECISIONS) // RETRAIN_HINT_EVERY
        )

    return stage(after) > stage(before)


def decisions_since_active_model(library: Library, settings: Settings) -> int:
    """Tracks decided in review after the active model was registered (all, for a model the
    library did not train or see; a track decided twice counts once): the app suggests
    retraining from RETRAIN_AFTER_DECISIONS."""
    from sqlalchemy import func, select

    from tagger.library.schema import Label, LabelSource, ModelRecord
    from tagger.model.checkpoint import file_sha256_or_none, resolve_model_path

    sha = file_sha256_or_none(resolve_model_path(None, settings.model_path))
    with library.session() as s:
        since = s.scalar(select(ModelRecord.created_at).where(ModelRecord.sha256 == sha))
        query = (
            select(func.count(func.distinct(Label.track_id)))
            .select_from(Label)
            .where(Label.source == LabelSource.USER_REVIEW)
        )
        if since is not None:
            query = query.where(Label.created_at > since)
        return int(s.scalar(query) or 0)
