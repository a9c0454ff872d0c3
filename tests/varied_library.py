"""A library in every state a list can show, filled directly: predictions of two models (one with
a Neither class), a confident album with a track against it, an album with tracks against its
tags (two whose genre this program wrote: one by a tag_changes row, one by its file's mark),
unsure and split tracks, user decisions, unreadable, missing, out-of-scope and new files, genre
tags that agree and disagree with the verdict, and file names that are not UTF-8 or hold a
comma, a quote or a line break."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from tagger.library.records import record_prediction
from tagger.library.review import record_decision
from tagger.library.schema import (
    ModelRecord,
    Prediction,
    TagBatch,
    TagChange,
    TagChangeStatus,
    Track,
)
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction

TWO = ("hardcore", "metal")
THREE = ("hardcore", "metal", "other")
WRITTEN = "/m/storm/written.mp3"  # its genre was written by this program (a tag_changes row)
MARKED = "/m/storm/marked.mp3"  # its file marks its genre as this program's (MHT_MODEL)


def _prediction(classes: tuple[str, ...], probs: dict[str, float]) -> TrackPrediction:
    label = max(probs, key=probs.__getitem__)
    return TrackPrediction("x", "m", classes, label, probs[label], probs, (), 9.0)


# (path, status, album, genres, model (0, 1 or None), probabilities, disagreement, decision)
SPECS: list[tuple] = [
    *[
        (
            f"/m/reign/{i}.mp3",
            "ok",
            "Reign",
            ["Metal"],
            0,
            {"hardcore": 0.03, "metal": 0.97},
            0.0,
            None,
        )
        for i in range(4)
    ],
    ("/m/reign/odd.mp3", "ok", "Reign", ["Metal"], 0, {"hardcore": 0.9, "metal": 0.1}, 0.0, None),
    ("/m/reign/mine.mp3", "ok", "Reign", [], 0, {"hardcore": 0.5, "metal": 0.5}, 0.0, "metal"),
    (
        "/m/loose/unsure.mp3",
        "ok",
        None,
        ["Hardcore Punk"],
        0,
        {"hardcore": 0.4, "metal": 0.6},
        0.1,
        None,
    ),
    (
        "/m/loose/split.flac",
        "ok",
        "",
        ["Metalcore"],
        1,
        {"hardcore": 0.85, "metal": 0.1, "other": 0.05},
        0.4,
        None,
    ),
    (
        "/m/loose/neither.ogg",
        "ok",
        None,
        ["Jazz"],
        1,
        {"hardcore": 0.2, "metal": 0.1, "other": 0.7},
        0.0,
        None,
    ),
    (
        '/m/loose/caf\udce9, "live".mp3',
        "ok",
        "Caf\u00e9",
        ["Death Metal", "Grindcore"],
        1,
        {"hardcore": 0.3, "metal": 0.65, "other": 0.05},
        0.3,
        None,
    ),
    (
        "/m/loose/line\rbreak 100%.mp3",
        "ok",
        None,
        ["Hardcore"],
        0,
        {"hardcore": 0.2, "metal": 0.8},
        0.0,
        "hardcore",
    ),
    # An album its tags call hardcore: the untagged track the model calls metal (surely) and
    # the one whose "Metal" this program wrote (WRITTEN below) go against its tags.
    *[
        (
            f"/m/storm/{i}.mp3",
            "ok",
            "Storm",
            ["NYHC"],
            0,
            {"hardcore": 0.9, "metal": 0.1},
            0.0,
            None,
        )
        for i in range(2)
    ],
    ("/m/storm/untagged.mp3", "ok", "Storm", [], 0, {"hardcore": 0.05, "metal": 0.95}, 0.0, None),
    (
        "/m/storm/written.mp3",
        "ok",
        "Storm",
        ["Metal"],
        0,
        {"hardcore": 0.1, "metal": 0.9},
        0.0,
        None,
    ),
    (
        "/m/storm/marked.mp3",
        "ok",
        "Storm",
        ["Metal"],
        0,
        {"hardcore": 0.2, "metal": 0.8},
        0.0,
        None,
    ),
    ("/m/broken.mp3", "error", None, [], None, None, None, None),
    ("/m/gone.mp3", "missing", "Reign", ["Metal"], 0, {"hardcore": 0.1, "metal": 0.9}, 0.0, None),
    ("/m/pop.mp3", "out-of-scope", None, ["Pop"], None, None, None, None),
    ("/m/new.wav", "new", None, ["Metal"], None, None, None, "hardcore"),
]


def fill_varied_library(db: Path, albums: bool = True) -> Path:
    """Without `albums`, no track has an album tag (so none goes against its album)."""
    library = Library.open(db)
    try:
        with library.session() as s, s.begin():
            models = [
                ModelRecord(name="two", path="/m2", sha256="2" * 64, classes=list(TWO)),
                ModelRecord(name="three", path="/m3", sha256="3" * 64, classes=list(THREE)),
            ]
            s.add_all(models)
            s.flush()
            for n, (path, status, album, genres, model, probs, split, decision) in enumerate(SPECS):
                track = Track(
                    path=path,
                    size=1000 + n,
                    mtime_ns=n,
                    genres=genres,
                    model_genres=genres if path == MARKED else None,
                    album=album if albums else None,
                    title=f"Song {n}" if n % 3 else None,
                    artist="Band, The" if n % 2 else None,
                    year=1990 + n if n % 4 else None,
                    format="mp3",
                    duration=180.25 + n if n % 5 else None,
                )
                s.add(track)
                s.flush()
                if model is not None:
                    classes = (TWO, THREE)[model]
                    record_prediction(s, track.id, models[model].id, _prediction(classes, probs))
                    s.execute(
                        update(Prediction)
                        .where(Prediction.track_id == track.id)
                        .values(disagreement=split)
                    )
                if status != "ok" or model is None:
                    error = (
                        "cannot decode /m/broken.mp3: \udcff bytes" if status == "error" else None
                    )
                    s.execute(
                        update(Track).where(Track.id == track.id).values(status=status, error=error)
                    )
                if decision:
                    record_decision(s, [track.id], decision)
                if path == WRITTEN:
                    batch = TagBatch(mode="add", labels={"metal": "Metal"})
                    s.add(batch)
                    s.flush()
                    s.add(
                        TagChange(
                            batch_id=batch.id,
                            track_id=track.id,
                            path=path,
                            old_genres=[],
                            new_genres=["Metal"],
                            status=TagChangeStatus.WRITTEN,
                        )
                    )
    finally:
        library.close()
    return db
