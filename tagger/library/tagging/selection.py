"""Which library tracks a tag batch writes, and why the others are left alone."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import Session

from tagger.library.album_consensus import album_reasons, album_verdicts_by_track
from tagger.library.genre_map import OTHER
from tagger.library.paths import is_under, tracks_under
from tagger.library.review import effective_label, needs_review
from tagger.library.schema import ModelRecord, Prediction, Track, TrackStatus
from tagger.library.tag_class import settle as settle_tag_classes
from tagger.library.tagging.batch_model import Candidate, SkipReason, TagRequest


def select_candidates(session: Session, request: TagRequest) -> list[Candidate]:
    """Library tracks under `request.paths` (all when empty) whose effective label matches.

    The effective label (a user decision beats the model) is review.py's.
    """
    settle_tag_classes(session, request.genre_map)  # the review rule's SQL reads them
    label = effective_label()
    # A track against its confident album waits for review too (unless the album decides).
    against = {} if request.per_album else album_reasons(session, request.genre_map)
    rule = replace(request.review_rule, against_album=against)
    query = (
        select(
            Track.id,
            Track.path,
            Track.size,
            Track.mtime_ns,
            Track.status,
            Track.user_label,
            Prediction.label,
            Prediction.confidence,
            ModelRecord.name,
            needs_review(rule),
        )
        .outerjoin(
            Prediction, and_(Prediction.track_id == Track.id, Prediction.is_current.is_(True))
        )
        .outerjoin(ModelRecord, ModelRecord.id == Prediction.model_id)
        .order_by(Track.path)
    )
    if request.label is not None and not request.per_album:
        query = query.where(func.lower(label) == request.label.strip().lower())
    rows = _rows_under(session, query, request.paths) if request.paths else session.execute(query)
    out: list[Candidate] = []
    for row in rows:
        tid, path, size, mtime, status, user_label, predicted, confidence, model, review = row
        if user_label:
            out.append(Candidate(tid, path, size, mtime, status, user_label, "user", None, model))
        elif predicted:
            out.append(
                Candidate(
                    tid,
                    path,
                    size,
                    mtime,
                    status,
                    predicted,
                    "model",
                    confidence,
                    model,
                    bool(review),
                )
            )
        else:
            out.append(Candidate(tid, path, size, mtime, status, None, None, None, None))
    if request.per_album:
        out = _with_album_verdicts(session, out, request.label)
    return out


FILES_PER_QUERY = 500  # track paths looked up by the path index, a statement's worth
FOLDERS_PER_QUERY = 400  # two OR-ed conditions each; SQLite's expression depth limit is 1000


def _rows_under(session: Session, query: Select, paths: Sequence[str]) -> list[Row]:
    """`query`'s rows for the tracks that are one of `paths` or lie inside one of them, in path
    order. The library's own track paths (a selection in the app: thousands) are found by the
    path index a few hundred a statement; the other paths are folders, matched by prefix
    (`tracks_under`). One statement for all of them failed on SQLite with 10,000 paths
    ("Expression tree is too large"), so the app refused a selection of more than 400."""
    wanted = list(dict.fromkeys(paths))
    found: dict[int, Row] = {}
    for i in range(0, len(wanted), FILES_PER_QUERY):
        for row in session.execute(query.where(Track.path.in_(wanted[i : i + FILES_PER_QUERY]))):
            found[row.id] = row
    files = {row.path for row in found.values()}
    folders = [p for p in wanted if p not in files]
    for i in range(0, len(folders), FOLDERS_PER_QUERY):
        chunk = folders[i : i + FOLDERS_PER_QUERY]
        for row in session.execute(query.where(tracks_under(chunk))):
            found.setdefault(row.id, row)
    return sorted(found.values(), key=lambda row: row.path)


def _with_album_verdicts(
    session: Session, candidates: list[Candidate], label: str | None
) -> list[Candidate]:
    """Model-labeled tracks take their album's verdict and confidence (the album decides, so
    one unsure track of a sure album is not left for review); then the label filter applies."""
    verdicts = album_verdicts_by_track(session, [c.track_id for c in candidates])
    out = []
    for c in candidates:
        album = verdicts.get(c.track_id)
        if album is not None and c.decided_by != "user":
            c = replace(
                c,
                label=album.label,
                decided_by="model",
                confidence=album.confidence,
                needs_review=False,
            )
        if label is None or (c.label or "").casefold() == label.strip().casefold():
            out.append(c)
    return out


def skip_reason(c: Candidate, request: TagRequest) -> SkipReason | None:
    """Why this track is not written at all, or None when its file should be looked at."""
    if c.status == TrackStatus.MISSING:
        return SkipReason.MISSING
    if c.status == TrackStatus.ERROR:
        return SkipReason.ERROR
    if c.status == TrackStatus.OUT_OF_SCOPE:
        return SkipReason.OUT_OF_SCOPE
    if c.label is None:
        return SkipReason.UNCLASSIFIED
    if c.label.casefold() == OTHER:
        return SkipReason.NEITHER
    if c.decided_by == "user":
        return None  # a person's decision always qualifies
    if request.reviewed_only:
        return SkipReason.NOT_REVIEWED
    if c.status != TrackStatus.OK:
        return SkipReason.UNCLASSIFIED  # new or changed audio: the prediction is not for it
    if request.min_confidence is not None and (c.confidence or 0.0) < request.min_confidence:
        return SkipReason.LOW_CONFIDENCE
    if c.needs_review and not request.include_unreviewed:
        return SkipReason.NEEDS_REVIEW
    return None


class RealFolders:
    """The real paths (links resolved) of the folders a request may write into.

    They are the library's folders (those scans recorded in the library, `stored_folders`, and
    the app's settings, `request.library_folders`) and the requested paths (a requested file
    stands for its folder). A library track whose real path lies outside all of them is reached
    through a link that leaves the library: writing it changes a file the user did not point us
    at.
    """

    def __init__(self, request: TagRequest, stored_folders: Sequence[str] = ()) -> None:
        folders = [
            p if os.path.isdir(p) else os.path.dirname(p)
            for p in (*stored_folders, *request.library_folders, *request.paths)
        ]
        # Once each: a selection of 5,000 files is a few hundred album folders.
        self.roots: Sequence[str] = list(
            dict.fromkeys(map(os.path.realpath, dict.fromkeys(folders)))
        )

    def contain(self, path: str) -> bool:
        if not self.roots:
            return True
        return is_under(os.path.realpath(path), self.roots)
