"""Genre tag batches over a library: plan, apply, recover, history and undo.

One idea per module: `batch_model` (the request, plan and outcome values), `selection` (which
tracks, and why others are skipped), `batch_writer` (the write service), `recovery` (what a
killed batch or undo left), `history` (the batches and their state), `undo`, and `track_sync`
(the track row after a write).
"""

from tagger.library.queries import last_undoable_batch
from tagger.library.tagging.batch_model import (
    DEFAULT_GENRE_STRINGS,
    MODES,
    Action,
    BatchNotes,
    Candidate,
    FileChange,
    SkipReason,
    TagPlan,
    TagRequest,
    TagResult,
)
from tagger.library.tagging.batch_writer import TagWriter
from tagger.library.tagging.history import BatchSummary, batch_summaries, history
from tagger.library.tagging.recovery import UNDO_MARK, batch_is_running, recover_interrupted
from tagger.library.tagging.selection import select_candidates, skip_reason
from tagger.library.tagging.track_sync import update_track_after_write
from tagger.library.tagging.undo import UndoError, UndoOutcome, UndoResult, undo_batch

__all__ = [
    "Action",
    "BatchNotes",
    "BatchSummary",
    "Candidate",
    "DEFAULT_GENRE_STRINGS",
    "FileChange",
    "MODES",
    "SkipReason",
    "TagPlan",
    "TagRequest",
    "TagResult",
    "TagWriter",
    "UNDO_MARK",
    "UndoError",
    "UndoOutcome",
    "UndoResult",
    "batch_is_running",
    "batch_summaries",
    "history",
    "last_undoable_batch",
    "recover_interrupted",
    "select_candidates",
    "skip_reason",
    "undo_batch",
    "update_track_after_write",
]
