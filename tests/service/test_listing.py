"""service/listing.py: one record schema, and a user decision shown as the user's."""

from __future__ import annotations

from tagger.library.queries import TrackRow
from tagger.service.listing import LIST_FIELDS, list_record, verdict


def row(**changes: object) -> TrackRow:
    values: dict[str, object] = {
        "id": 1,
        "path": "/m/a.mp3",
        "title": None,
        "artist": None,
        "album": None,
        "year": None,
        "genres": [],
        "format": "mp3",
        "duration": 3.0,
        "status": "ok",
        "error": None,
        "label": "hardcore",
        "decided_by": "model",
        "confidence": 0.6921234,
        "predicted_label": "hardcore",
        "disagreement": 0.1,
        "model": "demo",
        "needs_review": True,
    }
    values.update(changes)
    return TrackRow(**values)  # type: ignore[arg-type]


def test_a_user_decision_has_no_confidence_and_keeps_the_models_verdict() -> None:
    record = list_record(row(label="metal", decided_by="user", needs_review=False))
    assert (record["label"], record["confidence"]) == ("metal", None)
    assert (record["model_label"], record["model_confidence"]) == ("hardcore", 0.692123)
    assert verdict(record) == "Metal — your decision"


def test_a_model_decision_shows_its_confidence() -> None:
    record = list_record(row())
    assert record["confidence"] == record["model_confidence"] == 0.692123
    assert verdict(record) == "Hardcore 69% (needs review)"
    assert verdict(list_record(row(needs_review=False))) == "Hardcore 69%"


def test_every_record_has_the_same_keys_whatever_the_row() -> None:
    unread = row(
        status="error",
        error="not audio",
        label=None,
        decided_by=None,
        confidence=None,
        predicted_label=None,
        disagreement=None,
        model=None,
        needs_review=False,
    )
    for r in (row(), row(decided_by="user"), unread):
        assert tuple(list_record(r)) == LIST_FIELDS
    assert verdict(list_record(unread)) == ""
