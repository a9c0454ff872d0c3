"""The values a tag batch trades in: the request, a selected track, one file's plan or outcome."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap
from tagger.library.review import DEFAULT_RULE, ReviewRule
from tagger.tags import MergeMode, TagOptions

DEFAULT_GENRE_STRINGS: dict[str, str] = {"metal": "Metal", "hardcore": "Hardcore"}
MODES: tuple[MergeMode, ...] = ("add", "replace", "fill")

STALE_REASON = "changed on disk since the last scan (size or modification time differ)"
OUTSIDE_REASON = "its real path (links followed) lies outside the library folders"


class SkipReason(enum.StrEnum):
    """Why a selected track is not even looked at."""

    MISSING = "missing"
    ERROR = "error"
    OUT_OF_SCOPE = "out-of-scope"
    UNCLASSIFIED = "unclassified"  # no label yet, or the prediction is for older audio
    LOW_CONFIDENCE = "low-confidence"
    NOT_REVIEWED = "not-reviewed"  # the request wants only a person's decisions
    NEEDS_REVIEW = "needs-review"  # the review rule flags the model's label
    NEITHER = "neither"  # labeled `other`: neither class, so no genre of ours is written


class Action(enum.StrEnum):
    """What the writer does (or, in a preview, would do) with one file."""

    WRITE = "write"
    UNCHANGED = "unchanged"  # the merge gives the genres the file already has
    STALE = "stale"
    ERROR = "error"
    OUTSIDE = "outside"  # a link to a file outside the library folders; not written by default


@dataclass(frozen=True)
class TagRequest:
    paths: tuple[str, ...] = ()  # files or folders (absolute, as this host mounts them)
    label: str | None = None  # only tracks whose effective label is this class
    mode: MergeMode = "add"
    min_confidence: float | None = None  # model decisions below it are skipped
    reviewed_only: bool = False  # only tracks a person decided
    genre_strings: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GENRE_STRINGS))
    options: TagOptions = field(default_factory=TagOptions)
    # Model labels the review rule flags are left for review unless this is set.
    include_unreviewed: bool = False
    review_rule: ReviewRule = DEFAULT_RULE
    # What the user's genre tags mean: a track against its album's tags waits for review too.
    genre_map: GenreMap = DEFAULT_GENRE_MAP
    # The library's folders; a file whose real path lies outside them (and outside `paths`) is
    # only written when `follow_links_outside` is set.
    library_folders: tuple[str, ...] = ()
    follow_links_outside: bool = False
    # Write each album's verdict (album_consensus.py) to all its tracks; a person's decision
    # on a track still wins, and tracks without an album keep their own label.
    per_album: bool = False

    def genre_for(self, label: str) -> str:
        """The genre string written for a class: from the settings, else the class name."""
        for cls, text in self.genre_strings.items():
            if cls.casefold() == label.casefold() and text.strip():
                return text.strip()
        return label.strip().title()


@dataclass(frozen=True)
class Candidate:
    """A selected library track and who decided its label."""

    track_id: int
    path: str
    size: int
    mtime_ns: int
    status: str
    label: str | None
    decided_by: Literal["user", "model"] | None
    confidence: float | None
    model: str | None
    needs_review: bool = False


@dataclass(frozen=True)
class FileChange:
    """One file's outcome: planned (preview) or done (apply)."""

    track_id: int | None
    path: str  # the file as this host names it (TAGGER_PATH_MAP), to show and open
    # An Action in a plan; a TagChangeStatus value after apply (read it as `status` there).
    action: Action | str
    old_genres: list[str]
    new_genres: list[str]
    reason: str | None = None
    label: str | None = None
    decided_by: str | None = None
    note: str | None = None  # e.g. that a link's target lies outside the library folders

    @property
    def status(self) -> str:
        """The outcome as a plain string (a TagChangeStatus value after apply)."""
        return str(self.action)

    def but(self, **changes: Any) -> FileChange:
        """A copy with `changes` applied."""
        return FileChange(**{**self.__dict__, **changes})


@dataclass
class TagPlan:
    request: TagRequest
    changes: list[FileChange]
    skipped: dict[str, int]  # SkipReason → tracks
    cancelled: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def left_for_review(self) -> int:
        """Tracks not written because the review rule flags their model label."""
        return self.skipped.get(SkipReason.NEEDS_REVIEW.value, 0)


@dataclass
class TagResult:
    batch_id: int
    changes: list[FileChange]
    skipped: dict[str, int]
    recovered: list[FileChange]  # pending rows of interrupted batches settled first
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.action == status)

    @property
    def left_for_review(self) -> int:
        return self.skipped.get(SkipReason.NEEDS_REVIEW.value, 0)


@dataclass
class BatchNotes:
    """What `tag_batches.notes` holds, as JSON (the schema has no columns for these)."""

    separator: str = "; "
    extra_fields: bool = False
    keep_mtime: bool = False
    request: dict[str, Any] = field(default_factory=dict)
    pid: int | None = None
    host: str | None = None
    finished: bool = False

    def options(self) -> TagOptions:
        return TagOptions(
            id3v23_separator=self.separator,
            extra_fields=self.extra_fields,
            keep_mtime=self.keep_mtime,
        )

    def to_text(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def parse(cls, text: str | None) -> BatchNotes:
        try:
            raw = json.loads(text or "")
        except ValueError:
            return cls(finished=True)  # a batch not written by this module: not ours to settle
        if not isinstance(raw, dict):
            return cls(finished=True)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})
