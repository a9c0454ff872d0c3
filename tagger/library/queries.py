"""Read-only questions the CLI and the GUI ask, answered as plain dataclasses.

The GUI builds a lazy QAbstractTableModel over `count_tracks` + `fetch_tracks` (paged, sorted,
filtered, searched) and its sidebar over `smart_list_counts`; neither needs SQL or the ORM.
A track's *effective label* is the user's decision when there is one, else the current
prediction's label (the rule is `review.effective_label`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from tagger.library.genre_labels import replaced_genres
from tagger.library.genre_map import class_title
from tagger.library.paths import tracks_under
from tagger.library.review import (
    DEFAULT_RULE,
    ReviewRule,
    certainty,
    disagrees_with_tags,
    effective_label,
    needs_review,
    review_order,
    tag_doubted,
)
from tagger.library.schema import (
    Label,
    ModelRecord,
    Prediction,
    TagBatch,
    TagChange,
    TagChangeStatus,
    Track,
    TrackStatus,
)
from tagger.library.track_rows import (  # the rows' Python side, shared with the query cache
    SORT_KEYS,
    SmartList,
    TrackFilter,
    TrackRow,
    track_row,
)

EVERY_TRACK = TrackFilter()
CONFLICTS_TITLE = "Disagrees with its tags"


@dataclass(frozen=True)
class ListCount:
    key: SmartList
    title: str
    count: int
    label: str | None = None  # for SmartList.LABEL


@dataclass(frozen=True)
class WindowRow:
    start: float
    end: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LabelRow:
    label: str
    source: str
    created_at: Any


@dataclass(frozen=True)
class TrackDetail:
    row: TrackRow
    probabilities: dict[str, float]
    windows: list[WindowRow]
    labels: list[LabelRow]
    # the class its own genre tags map to (tag_class.py), as of the last settle; None: none
    tag_class: str | None = None
    # its own genres that a tag write in replace mode took out (`written_genres.py`)
    replaced_genres: tuple[str, ...] = ()


def _current_prediction() -> ColumnElement[bool]:
    return and_(Prediction.track_id == Track.id, Prediction.is_current.is_(True))


def with_current_prediction(query: Select) -> Select:
    """Outer-joins each track's current prediction and its model (either may be missing)."""
    return query.outerjoin(Prediction, _current_prediction()).outerjoin(
        ModelRecord, ModelRecord.id == Prediction.model_id
    )


def _condition(f: TrackFilter) -> ColumnElement[bool] | None:
    conditions: list[ColumnElement[bool]] = []
    match f.smart:
        case SmartList.LABEL:
            if f.label is None:
                conditions.append(false())
            else:
                conditions.append(func.lower(effective_label()) == f.label.lower())
        case SmartList.REVIEW:
            conditions.append(needs_review(f.rule))
        case SmartList.UNCLASSIFIED:
            conditions.append(Track.status.in_([TrackStatus.NEW, TrackStatus.CHANGED]))
        case SmartList.OUT_OF_SCOPE:
            conditions.append(Track.status == TrackStatus.OUT_OF_SCOPE)
        case SmartList.ERRORS:
            conditions.append(Track.status == TrackStatus.ERROR)
        case SmartList.MISSING:
            conditions.append(Track.status == TrackStatus.MISSING)
        case SmartList.CONFLICTS:
            conditions.append(disagrees_with_tags())
    if f.search.strip():
        s = f.search.strip()
        conditions.append(
            or_(
                Track.path.icontains(s, autoescape=True),
                Track.title.icontains(s, autoescape=True),
                Track.artist.icontains(s, autoescape=True),
                Track.album.icontains(s, autoescape=True),
            )
        )
    return and_(*conditions) if conditions else None


def _sort_columns(sort: str, descending: bool) -> list[ColumnElement]:
    if sort == "uncertainty":
        order = review_order()
        return [o.desc() if descending else o for o in order[:2]] + [Track.path.asc()]
    column: Any = {
        "path": Track.path,
        "title": Track.title,
        "artist": Track.artist,
        "album": Track.album,
        "year": Track.year,
        "status": Track.status,
        "label": effective_label(),
        "confidence": Prediction.confidence,
        "duration": Track.duration,
    }.get(sort)
    if column is None:
        raise ValueError(f"cannot sort by {sort!r}; choose from {', '.join(SORT_KEYS)}")
    first = column.desc() if descending else column.asc()
    return [first.nulls_last(), Track.path.asc(), Track.id.asc()]


def count_tracks(session: Session, f: TrackFilter = EVERY_TRACK) -> int:
    query = with_current_prediction(select(func.count(Track.id)).select_from(Track))
    condition = _condition(f)
    if condition is not None:
        query = query.where(condition)
    return int(session.scalar(query) or 0)


# Only the columns a row shows: whole ORM entities would also load each prediction's 60 windows
# and build two objects per track (most of `tagger list`'s time on a big library).
_ROW_COLUMNS = (
    Track.id,
    Track.path,
    Track.title,
    Track.artist,
    Track.album,
    Track.year,
    Track.genres,
    Track.format,
    Track.duration,
    Track.status,
    Track.error,
    Track.user_label,
    Prediction.label,
    Prediction.confidence,
    Prediction.disagreement,
    ModelRecord.name,
)


def _row_query(rule: ReviewRule) -> Select:
    review = case((needs_review(rule), True), else_=False)
    doubt = case((tag_doubted(), Track.tag_doubt), else_=None)
    return with_current_prediction(select(*_ROW_COLUMNS, review, doubt).select_from(Track))


def track_rows_query(
    f: TrackFilter = EVERY_TRACK,
    *,
    sort: str = "path",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> Select:
    """The rows of a list (`track_row` turns each into a TrackRow with `f.rule`)."""
    query = _row_query(f.rule)
    condition = _condition(f)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(*_sort_columns(sort, descending)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return query


def fetch_tracks(
    session: Session,
    f: TrackFilter = EVERY_TRACK,
    *,
    sort: str = "path",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[TrackRow]:
    query = track_rows_query(f, sort=sort, descending=descending, offset=offset, limit=limit)
    return [track_row(f.rule, *r) for r in session.execute(query)]


def review_queue_query(
    rule: ReviewRule = DEFAULT_RULE, *, offset: int = 0, limit: int | None = None
) -> Select:
    """Tracks needing review, most uncertain first (see review.py)."""
    f = TrackFilter(SmartList.REVIEW, rule=rule)
    return track_rows_query(f, sort="uncertainty", offset=offset, limit=limit)


def review_queue(
    session: Session,
    rule: ReviewRule = DEFAULT_RULE,
    *,
    offset: int = 0,
    limit: int | None = None,
    after_prediction: int | None = None,
) -> list[TrackRow]:
    """The queue; with `after_prediction`, only its tracks whose current prediction is newer
    than that prediction id (what a running classification added: an index search, not the
    whole queue)."""
    query = review_queue_query(rule, offset=offset, limit=limit)
    if after_prediction is not None:
        query = query.where(Prediction.id > after_prediction)
    return [track_row(rule, *r) for r in session.execute(query)]


def last_undoable_batch(session: Session) -> int | None:
    """The newest tag batch not yet undone that wrote (or may have written) any file: what
    `tagger undo` takes by default, and whether the app's Undo is on offer."""
    has_rows = exists().where(
        TagChange.batch_id == TagBatch.id,
        TagChange.status.in_([TagChangeStatus.WRITTEN, TagChangeStatus.PENDING]),
    )
    return session.scalar(
        select(TagBatch.id)
        .where(TagBatch.undone.is_(False), has_rows)
        .order_by(TagBatch.id.desc())
        .limit(1)
    )


def latest_prediction_id(session: Session) -> int:
    """The newest prediction's id (0: none yet): where `review_queue(after_prediction=)` starts."""
    return session.scalar(select(func.max(Prediction.id))) or 0


def smart_list_counts(
    session: Session, classes: list[str] | tuple[str, ...], rule: ReviewRule = DEFAULT_RULE
) -> list[ListCount]:
    """All, one per class, Needs review, Not classified, Out of scope, Errors, Missing,
    Disagrees with its tags (the tracks' tag classes must be settled: tag_class.py)."""
    label = func.lower(effective_label())
    status = Track.status
    columns = [
        func.count(Track.id),
        *[func.sum(case((label == c.lower(), 1), else_=0)) for c in classes],
        func.sum(case((needs_review(rule), 1), else_=0)),
        func.sum(case((status.in_([TrackStatus.NEW, TrackStatus.CHANGED]), 1), else_=0)),
        func.sum(case((status == TrackStatus.OUT_OF_SCOPE, 1), else_=0)),
        func.sum(case((status == TrackStatus.ERROR, 1), else_=0)),
        func.sum(case((status == TrackStatus.MISSING, 1), else_=0)),
        func.sum(case((disagrees_with_tags(), 1), else_=0)),
    ]
    values = [
        int(v or 0)
        for v in session.execute(with_current_prediction(select(*columns).select_from(Track))).one()
    ]
    out = [ListCount(SmartList.ALL, "All", values[0])]
    for i, c in enumerate(classes):
        out.append(ListCount(SmartList.LABEL, class_title(c), values[1 + i], label=c))
    rest = values[1 + len(classes) :]
    titles = [
        (SmartList.REVIEW, "Needs review"),
        (SmartList.UNCLASSIFIED, "Not classified"),
        (SmartList.OUT_OF_SCOPE, "Out of scope"),
        (SmartList.ERRORS, "Errors"),
        (SmartList.MISSING, "Missing"),
        (SmartList.CONFLICTS, CONFLICTS_TITLE),
    ]
    out.extend(ListCount(key, title, n) for (key, title), n in zip(titles, rest, strict=True))
    return out


def track_detail(
    session: Session, track_id: int, rule: ReviewRule = DEFAULT_RULE
) -> TrackDetail | None:
    query = _row_query(rule).add_columns(
        Prediction.probabilities, Prediction.windows, Track.tag_class
    )
    found = session.execute(query.where(Track.id == track_id)).first()
    if found is None:
        return None
    *columns, probabilities, windows, tag_class = found
    labels = session.execute(
        select(Label.label, Label.source, Label.created_at)
        .where(Label.track_id == track_id)
        .order_by(Label.id)
    ).all()
    row = track_row(rule, *columns)
    replaced = replaced_genres(session, track_id, row.genres) if tag_class else []
    return TrackDetail(
        row=row,
        probabilities=dict(probabilities or {}),
        windows=[WindowRow(w["start"], w["end"], dict(w["probabilities"])) for w in windows or []],
        labels=[LabelRow(*row) for row in labels],
        tag_class=tag_class,
        replaced_genres=tuple(replaced),
    )


def track_ids_for_paths(session: Session, paths: list[str]) -> dict[str, list[int]]:
    """Library tracks for each path: the track itself, or every track under a folder."""
    out: dict[str, list[int]] = {}
    for path in paths:
        out[path] = list(session.scalars(select(Track.id).where(tracks_under([path]))))
    return out


__all__ = [
    "ListCount",
    "SORT_KEYS",
    "SmartList",
    "TrackDetail",
    "TrackFilter",
    "TrackRow",
    "certainty",
    "count_tracks",
    "fetch_tracks",
    "review_queue",
    "review_queue_query",
    "smart_list_counts",
    "track_detail",
    "track_ids_for_paths",
    "track_rows_query",
    "with_current_prediction",
]
