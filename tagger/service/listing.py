"""Library rows as records for `tagger list` and `tagger review`: one schema whatever the rows.

A user decision is the user's: its record has no confidence (`confidence: null`), and the model's
own verdict stays beside it in `model_label` and `model_confidence`.
"""

from __future__ import annotations

from typing import Any

from tagger.library.track_rows import TrackRow

# Every record has exactly these keys, in this order (the CSV header, even with no rows).
LIST_FIELDS = (
    "path",
    "status",
    "label",
    "confidence",
    "decided_by",
    "model_label",
    "model_confidence",
    "disagreement",
    "needs_review",
    "review_reasons",
    "tag_doubt",
    "model",
    "error",
    "title",
    "artist",
    "album",
    "year",
    "genres",
    "format",
    "duration",
)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def list_record(row: TrackRow) -> dict[str, Any]:
    by_user = row.decided_by == "user"
    return {
        "path": row.path,
        "status": row.status,
        "label": row.label,
        "confidence": None if by_user else _rounded(row.confidence, 6),
        "decided_by": row.decided_by,
        "model_label": row.predicted_label,
        "model_confidence": _rounded(row.confidence, 6),
        "disagreement": _rounded(row.disagreement, 4),
        "needs_review": row.needs_review,
        "review_reasons": list(row.review_reasons),
        "tag_doubt": _rounded(row.tag_doubt, 4),
        "model": row.model,
        "error": row.error,
        "title": row.title,
        "artist": row.artist,
        "album": row.album,
        "year": row.year,
        "genres": list(row.genres),
        "format": row.format,
        "duration": row.duration,
    }


def verdict(record: dict[str, Any]) -> str:
    """The label as a person reads it: "Metal — your decision", "Hardcore 69 %", ""."""
    label = record["label"]
    if not label:
        return ""
    if record["decided_by"] == "user":
        return f"{label.title()} — your decision"
    if record["confidence"] is None:
        return label.title()
    text = f"{label.title()} {record['confidence']:.0%}"
    return text + " (needs review)" if record["needs_review"] else text


def conflict_reason(record: dict[str, Any]) -> str:
    """Why a track is in the "Disagrees with its tags" list: its verdict goes against its tags,
    or the last training learnt its tag only by rote (a likely mis-tag the model agrees with)."""
    if record["tag_doubt"] is not None:
        return f"tag learnt only by rote (margin {record['tag_doubt']:+.2f})"
    return "verdict against its tags"
