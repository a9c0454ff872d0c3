"""`tagger evaluate`: clip- and track-level metrics, ROC and confusion plots, t-SNE of the states.

Tracks go through the same path as `tagger classify` (exact centred windows, then the
predictor's network, precision and verdict rule), so the numbers describe what users get.
When DATA_DIR is the folder the model was trained on, only the model's held-out test split is
used.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)
from tqdm import tqdm  # noqa: E402

from tagger.audio.feature_pool import (  # noqa: E402
    FeatureFailure,
    extract_features,
    map_features,
)
from tagger.model.checkpoint import ModelFile, load_model  # noqa: E402
from tagger.model.predictor import Predictor  # noqa: E402
from tagger.training.dataset import LabeledTrack, discover  # noqa: E402


@dataclass
class Collected:
    tracks: list[LabeledTrack]
    clip_probs: list[np.ndarray]  # per track: [windows, classes]
    track_probs: list[np.ndarray]  # per track: [classes], the predictor's verdict
    clip_embeddings: list[np.ndarray]  # per track: [windows, 256]
    errors: dict[str, str]


def select_tracks(model: ModelFile, data_dir: Path, split: str) -> list[LabeledTrack]:
    classes, tracks = discover(data_dir)
    unknown = set(classes) - set(model.classes)
    if unknown:
        raise ValueError(f"{data_dir} has classes the model does not know: {sorted(unknown)}")
    # The training folder, wherever it now lives: the same files as the model's split lists.
    splits = model.training.get("split", {})
    trained_files = {f for files in splits.values() for f in files}
    here = {str(t.path.relative_to(data_dir)) for t in tracks}
    same_data = bool(trained_files) and here == trained_files
    if split == "all" or (split == "auto" and not same_data):
        return tracks
    if not same_data:
        raise ValueError("--split test needs the folder the model was trained on")
    test = set(model.training.get("split", {}).get("test", []))
    return [t for t in tracks if str(t.path.relative_to(data_dir)) in test]


def collect(
    model: ModelFile, tracks: list[LabeledTrack], workers: int, show_progress: bool = True
) -> Collected:
    predictor = Predictor(model)
    out = Collected([], [], [], [], {})
    jobs = ((t, (str(t.path), model.frontend)) for t in tracks)
    bar = tqdm(
        total=len(tracks),
        desc="evaluating",
        unit="track",
        disable=not show_progress,
        file=sys.stderr,
    )
    for track, feats in map_features(extract_features, jobs, workers):
        bar.update()
        if isinstance(feats, FeatureFailure):
            out.errors[str(track.path)] = feats.reason
            continue
        windows = predictor.window_outputs(feats.mel)
        verdict = predictor.predict_from_windows(feats, windows.probabilities)
        out.tracks.append(track)
        out.clip_probs.append(windows.probabilities)
        out.track_probs.append(np.array([verdict.probabilities[c] for c in model.classes]))
        out.clip_embeddings.append(windows.embeddings)
    bar.close()
    return out


def metrics(y_true: np.ndarray, probs: np.ndarray, classes: tuple[str, ...]) -> dict[str, Any]:
    y_pred = probs.argmax(1)
    labels = list(range(len(classes)))
    p, r, f, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    mp, mr, mf, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    )
    auc: float | None
    try:
        if len(classes) == 2:
            auc = float(roc_auc_score(y_true, probs[:, 1]))
        else:
            auc = float(roc_auc_score(y_true, probs, multi_class="ovr", labels=labels))
    except ValueError:
        auc = None  # only one class present
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "per_class": {
            c: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "macro": {"precision": float(mp), "recall": float(mr), "f1": float(mf)},
        "roc_auc": auc,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def evaluate(
    model_path: str | Path,
    data_dir: str | Path,
    report_dir: str | Path,
    split: str = "auto",
    workers: int | None = None,
    show_progress: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    model = load_model(model_path)
    data_dir, report_dir = Path(data_dir), Path(report_dir)
    tracks = select_tracks(model, data_dir, split)
    if not tracks:
        raise ValueError(f"no tracks to evaluate in {data_dir}")
    log(f"evaluating {model.name} on {len(tracks)} tracks from {data_dir}")
    got = collect(model, tracks, workers or os.cpu_count() or 1, show_progress)
    if not got.tracks:
        raise ValueError("none of the tracks could be decoded")
    index = {c: i for i, c in enumerate(model.classes)}
    y_track = np.array([index[t.label] for t in got.tracks])
    p_track = np.stack(got.track_probs)
    y_clip = np.concatenate(
        [np.full(len(p), y) for p, y in zip(got.clip_probs, y_track, strict=True)]
    )
    p_clip = np.concatenate(got.clip_probs)
    report = {
        "model": {
            "name": model.name,
            "path": str(model.path),
            "sha256": model.sha256,
            "architecture": model.network.config.arch,
        },
        "data_dir": str(data_dir),
        "tracks": len(got.tracks),
        "errors": got.errors,
        "track_level": metrics(y_track, p_track, model.classes),
        "clip_level": metrics(y_clip, p_clip, model.classes),
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    _plot_roc(
        report_dir / "roc.png",
        model.classes,
        [("clip", y_clip, p_clip), ("track", y_track, p_track)],
    )
    _plot_confusion(report_dir / "confusion.png", model.classes, report)
    report["tsne"] = _plot_tsne(report_dir, got, model.classes)
    (report_dir / "report.json").write_text(json.dumps(report, indent=2))
    (report_dir / "report.md").write_text(markdown(report, model.classes))
    return report


def _plot_roc(path: Path, classes: tuple[str, ...], curves) -> None:
    """Two classes: one curve per level, the second class as positive. More: one-vs-rest, one
    curve per class and level (the same classes and macro average as the ROC AUC in metrics)."""
    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    positives = [len(classes) - 1] if len(classes) == 2 else list(range(len(classes)))
    for (name, y, p), style in zip(curves, ("-", "--", ":"), strict=False):
        for c in positives:
            if len(set((y == c).tolist())) < 2:
                continue
            fpr, tpr, _ = roc_curve(y == c, p[:, c])
            label = f"{name} level" if len(positives) == 1 else f"{classes[c]}, {name} level"
            ax.plot(fpr, tpr, style, color=f"C{c}", label=label)
    ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
    title = f"ROC ({classes[-1]} as positive)" if len(positives) == 1 else "ROC, one class vs rest"
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_confusion(path: Path, classes: tuple[str, ...], report: dict) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), dpi=110)
    for ax, level in zip(axes, ("clip_level", "track_level"), strict=True):
        cm = np.array(report[level]["confusion_matrix"])
        ax.imshow(cm, cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                color="white" if v > cm.max() / 2 else "black",
            )
        ax.set_xticks(range(len(classes)), classes)
        ax.set_yticks(range(len(classes)), classes)
        ax.set(xlabel="predicted", ylabel="true", title=level.replace("_", " "))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_tsne(report_dir: Path, got: Collected, classes: tuple[str, ...]) -> dict[str, Any]:
    emb = np.concatenate(got.clip_embeddings)
    if len(emb) < 5:
        return {"skipped": "too few clips"}
    labels = np.concatenate(
        [[t.label] * len(e) for t, e in zip(got.tracks, got.clip_embeddings, strict=True)]
    )
    years = np.concatenate(
        [[t.year or 0] * len(e) for t, e in zip(got.tracks, got.clip_embeddings, strict=True)]
    )
    perplexity = float(min(30, max(2, (len(emb) - 1) // 3)))
    xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=0).fit_transform(emb)
    out: dict[str, Any] = {"clips": len(emb), "by_class": "tsne_class.png"}
    fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
    for c in classes:
        m = labels == c
        ax.scatter(xy[m, 0], xy[m, 1], s=4, alpha=0.6, label=c)
    ax.set(title="t-SNE of the recurrent final states, by class", xticks=[], yticks=[])
    ax.legend(markerscale=3)
    fig.tight_layout()
    fig.savefig(report_dir / "tsne_class.png")
    plt.close(fig)
    if (years > 0).any():
        decades = (years // 10) * 10
        fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
        ax.scatter(xy[years == 0, 0], xy[years == 0, 1], s=3, c="lightgrey", label="no year")
        for d in sorted(set(decades[years > 0].tolist())):
            m = decades == d
            ax.scatter(xy[m, 0], xy[m, 1], s=4, alpha=0.7, label=f"{d}s")
        ax.set(title="t-SNE of the recurrent final states, by decade", xticks=[], yticks=[])
        ax.legend(markerscale=3, fontsize=8)
        fig.tight_layout()
        fig.savefig(report_dir / "tsne_decade.png")
        plt.close(fig)
        out["by_decade"] = "tsne_decade.png"
    return out


def markdown(report: dict, classes: tuple[str, ...]) -> str:
    lines = [
        f"# Evaluation of `{report['model']['name']}`",
        "",
        f"Data: `{report['data_dir']}`, {report['tracks']} tracks"
        + (
            f" ({len(report['errors'])} unreadable, listed in report.json)"
            if report["errors"]
            else ""
        ),
        "",
        "| level | n | accuracy | macro precision | macro recall | macro F1 | ROC AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in ("clip_level", "track_level"):
        m = report[level]
        auc = f"{m['roc_auc']:.4f}" if m["roc_auc"] is not None else "n/a"
        lines.append(
            f"| {level.split('_')[0]} | {m['n']} | {m['accuracy']:.4f} | "
            f"{m['macro']['precision']:.4f} | {m['macro']['recall']:.4f} | "
            f"{m['macro']['f1']:.4f} | {auc} |"
        )
    for level in ("clip_level", "track_level"):
        m = report[level]
        lines += [
            "",
            f"## {level.replace('_', ' ').capitalize()}",
            "",
            "| class | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for c in classes:
            pc = m["per_class"][c]
            lines.append(
                f"| {c} | {pc['precision']:.4f} | {pc['recall']:.4f} | "
                f"{pc['f1']:.4f} | {pc['support']} |"
            )
        lines += ["", "Confusion matrix (rows true, columns predicted): " + ", ".join(classes), ""]
        lines += ["    " + " ".join(f"{v:6d}" for v in row) for row in m["confusion_matrix"]]
    lines += ["", "![ROC](roc.png)", "", "![Confusion](confusion.png)", ""]
    if "by_class" in report.get("tsne", {}):
        lines += ["![t-SNE by class](tsne_class.png)", ""]
    if "by_decade" in report.get("tsne", {}):
        lines += ["![t-SNE by decade](tsne_decade.png)", ""]
    return "\n".join(lines)
