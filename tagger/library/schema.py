"""The library's tables as SQLAlchemy 2 typed ORM classes.

Portable on purpose (SQLite now, PostgreSQL later): plain String/Integer/Float/DateTime/Boolean
columns, JSON through `sqlalchemy.JSON`, statuses stored as short strings, no SQLite-only types.
The Alembic revisions in `migrations/versions/` create exactly these tables; a test compares them.

Three values are cached on purpose so that big lists stay one cheap join:
- `predictions.is_current` marks a track's latest prediction (the one lists and the review queue
  read); older predictions stay as history.
- `tracks.user_label` holds the track's latest user decision; the `labels` table keeps them all.
- `tracks.tag_class` holds the class the track's own genre tags map to (`tag_class.py`).
- `tracks.tag_doubt_class` and `tag_doubt` hold the last library training's doubt about that
  class (`tag_doubts.py`).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tagger.library.path_text import MessageText, PathText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class TrackStatus(enum.StrEnum):
    NEW = "new"  # read (tags + header), waiting to be classified
    OK = "ok"  # classified, or a tag-only change of a classified file
    CHANGED = "changed"  # the audio changed since it was classified: waiting to be classified again
    MISSING = "missing"  # the file was not found by the last scan of its folder
    ERROR = "error"  # the audio cannot be read; `error` says why
    OUT_OF_SCOPE = "out-of-scope"  # its genre tag names a genre outside the scope; not classified


class LabelSource(enum.StrEnum):
    USER_REVIEW = "user-review"
    EXISTING_TAG = "existing-tag"
    TRAINING_FOLDER = "training-folder"


class TagChangeStatus(enum.StrEnum):
    PENDING = "pending"
    WRITTEN = "written"
    SKIPPED = "skipped"
    STALE = "stale"  # the file changed between planning and writing
    ERROR = "error"
    UNDONE = "undone"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
        str: String(),
    }


class Track(Base):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(PathText(), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    format: Mapped[str | None]  # the container, as FFmpeg names it ("mp3", "flac", "ogg", ...)
    codec: Mapped[str | None]
    duration: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    title: Mapped[str | None]
    artist: Mapped[str | None]
    album: Mapped[str | None]
    year: Mapped[int | None]
    genres: Mapped[list[Any]] = mapped_column(default=list)
    # Of `genres`, those the file's MHT_MODEL field marks as this program's writing of a model's
    # label (`tagger tag --extra-fields`, perhaps by another library): not the user's knowledge
    # (written_genres.py). NULL when none; set by the scanner, cleared when a write of this
    # library takes over (its tag_changes row then says what it wrote).
    model_genres: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    # The class the user's own genre tags map to, NULL for none, and the digest of the genre map
    # it was computed under, NULL when the genres changed since (tag_class.py keeps them).
    tag_class: Mapped[str | None] = mapped_column(String(64))
    tag_class_map: Mapped[str | None] = mapped_column(String(16), index=True)
    # The class of its tags that the last training from this library learnt only by rote, and
    # that track's mean margin in it: a likely mis-tag (tag_doubts.py); NULL when not doubted.
    tag_doubt_class: Mapped[str | None] = mapped_column(String(64))
    tag_doubt: Mapped[float | None] = mapped_column(Float)
    tag_format: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True, default=TrackStatus.NEW)
    error: Mapped[str | None] = mapped_column(MessageText())
    user_label: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]  # when tags and header were last read
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Who is classifying this track and until when (library/claims.py): a lease, so the work of
    # a killed process is taken over once it expires.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires: Mapped[datetime | None]

    predictions: Mapped[list[Prediction]] = relationship(
        back_populates="track", cascade="all, delete-orphan", passive_deletes=True
    )
    labels: Mapped[list[Label]] = relationship(
        back_populates="track", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Track(id={self.id}, path={self.path!r}, status={self.status!r})"


@event.listens_for(Track.genres, "set")
@event.listens_for(Track.model_genres, "set")
def _tag_class_is_stale(target: Track, *_: object) -> None:
    """New genres (a scan, a tag write, an undo) or a new mark of which are this program's: the
    track's own tag class is computed again before the next question (tag_class.py)."""
    target.tag_class_map = None


class ModelRecord(Base):
    """A model file that produced predictions, identified by its content hash."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    classes: Mapped[list[Any]]
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_track_current", "track_id", "is_current"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    probabilities: Mapped[dict[str, Any]]
    # [{"start": s, "end": s, "probabilities": {class: p}}], one per window
    windows: Mapped[list[Any]]
    # Share of windows whose own top class is not the track's label (see review.py).
    disagreement: Mapped[float] = mapped_column(Float, default=0.0)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    track: Mapped[Track] = relationship(back_populates="predictions")
    model: Mapped[ModelRecord] = relationship()


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    track: Mapped[Track] = relationship(back_populates="labels")


class TagBatch(Base):
    """One "write genre tags" action, undoable as a whole."""

    __tablename__ = "tag_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    mode: Mapped[str] = mapped_column(String(32))  # e.g. "replace" / "append"
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)  # class → genre string written
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # status → number of files
    notes: Mapped[str | None] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_at: Mapped[datetime | None]

    changes: Mapped[list[TagChange]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True
    )


class TagChange(Base):
    __tablename__ = "tag_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("tag_batches.id", ondelete="CASCADE"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracks.id", ondelete="SET NULL"), index=True
    )
    path: Mapped[str] = mapped_column(PathText())
    old_genres: Mapped[list[Any]] = mapped_column(default=list)
    new_genres: Mapped[list[Any]] = mapped_column(default=list)
    old_size: Mapped[int | None] = mapped_column(BigInteger)
    old_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    new_size: Mapped[int | None] = mapped_column(BigInteger)
    new_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=TagChangeStatus.PENDING)
    error: Mapped[str | None] = mapped_column(MessageText())
    # The bytes the write replaced (tagger.tags.ByteBackup), so undo is exact to the byte.
    original_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    batch: Mapped[TagBatch] = relationship(back_populates="changes")
    track: Mapped[Track | None] = relationship()


class LibraryFolder(Base):
    """A folder the user scanned into this library: where tag writing may reach (links whose
    real path leaves every one of them are only written on request)."""

    __tablename__ = "library_folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(PathText(), unique=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
