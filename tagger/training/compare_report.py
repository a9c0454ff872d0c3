"""The comparison as files: compare.json (every run), compare.md (a table), compare.png (a plot)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def write_report(out_dir: Path, doc: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "compare.json").write_text(json.dumps(doc, indent=2))
    (out_dir / "compare.md").write_text(markdown(doc))
    plot(out_dir / "compare.png", doc)


_NA = {"mean": None, "std": 0.0}  # a measure a run from an older version lacks


def _cell(value: dict[str, float | None], digits: int = 3) -> str:
    if value["mean"] is None:
        return "n/a"
    if not value["std"]:
        return f"{value['mean']:.{digits}f}"
    return f"{value['mean']:.{digits}f} ± {value['std']:.{digits}f}"


def markdown(doc: dict[str, Any]) -> str:
    p = doc["protocol"]
    budget = (
        f"{p['epochs']} epochs at most (early-stopping patience {p['patience']}), batch "
        f"{p['batch_size']}, "
        + (
            f"{p['windows_per_track']} random windows per training track per epoch"
            if p["windows_per_track"]
            else "every window of every training track each epoch"
        )
        + (
            f", validation on {p['val_windows_per_track']} evenly spaced windows per track"
            if p.get("val_windows_per_track")
            else ""
        )
        + (", gain and SpecAugment augmentation" if p["augment"] else ", no augmentation")
        + (
            f", and a wall budget of {p['train_seconds']:g} s of training per run"
            if p.get("train_seconds")
            else ""
        )
    )
    lines = [
        "| architecture | system | clip accuracy | track accuracy | macro F1 (track) "
        "| ROC AUC (clip) | parameters | training s | training windows | epochs | windows/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for arch, row in doc["summary"].items():
        lines.append(
            f"| `{arch}` | {row['system']} | {_cell(row['clip_accuracy'])} "
            f"| {_cell(row['track_accuracy'])} | {_cell(row['track_macro_f1'])} "
            f"| {_cell(row['clip_roc_auc'])} | {row['parameters']:,} "
            f"| {_cell(row['train_seconds'], 0)} | {_cell(row.get('train_windows', _NA), 0)} "
            f"| {_cell(row.get('epochs_run', _NA), 1)} | {_cell(row['windows_per_second'], 0)} |"
        )
    seeds = {row["seeds"] for row in doc["summary"].values()}
    notes = [
        "",
        f"Data: `{doc['data_dir']}`, classes {', '.join(doc['classes'])}; held-out test split "
        f"of {doc['test_tracks']} tracks ({doc['test_clips']} clips), the same for every run "
        f"(split seed {p['split_seed']}, by track and artist)"
        + (
            f", each test track measured on {p['test_windows_per_track']} evenly spaced of its "
            "windows."
            if p.get("test_windows_per_track")
            else ", each test track on all its windows, as `tagger classify`."
        ),
        f"Budget, the same for every run: {budget}.",
        f"Mean ± standard deviation over {'/'.join(map(str, sorted(seeds)))} training seeds. "
        "Windows/s is inference through the predictor on the test windows, on a shared machine: "
        "compare it within one table only.",
    ]
    if doc["errors"]:
        notes.append("Failed runs: " + "; ".join(f"{k}: {v}" for k, v in doc["errors"].items()))
    return "\n".join(lines + notes) + "\n"


def plot(path: Path, doc: dict[str, Any]) -> None:
    """Clip accuracy, track accuracy and macro F1 per architecture, with the spread over seeds."""
    summary = doc["summary"]
    archs = list(summary)
    measures = (
        ("clip_accuracy", "clip accuracy"),
        ("track_accuracy", "track accuracy"),
        ("track_macro_f1", "macro F1 (track)"),
    )
    x = np.arange(len(archs))
    width = 0.8 / len(measures)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(archs)), 4.2), dpi=110)
    for i, (key, label) in enumerate(measures):
        means = [summary[a][key]["mean"] or 0.0 for a in archs]
        spreads = [summary[a][key]["std"] or 0.0 for a in archs]
        ax.bar(
            x + (i - (len(measures) - 1) / 2) * width,
            means,
            width,
            yerr=spreads,
            capsize=3,
            label=label,
        )
    ax.set_xticks(x, archs, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.axhline(1 / len(doc["classes"]), color="grey", linestyle=":", linewidth=1, label="chance")
    ax.set(ylabel="held-out test split", title="Architectures under one protocol")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
