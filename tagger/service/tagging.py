"""Genre tags: build the request, preview it, write it, undo it, with the summaries both front
ends show. The work is `library.tag_writer` and `library.undo`; this module adds the user's
settings and words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tagger.library.progress import Cancel, ProgressCallback
from tagger.library.queries import track_ids_for_paths
from tagger.library.review import ReviewRule
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.library.tag_writer import (
    Action,
    SkipReason,
    TagPlan,
    TagRequest,
    TagResult,
    TagWriter,
)
from tagger.library.undo import UndoError, UndoResult, undo_batch
from tagger.service.errors import ServiceError
from tagger.tags import TagOptions


def genre_strings(base: Mapping[str, str], overrides: Sequence[str]) -> dict[str, str]:
    """The settings' genre text per class, with CLASS=TEXT overrides (the class in any case)."""
    out = dict(base)
    for item in overrides:
        cls, sep, text = item.partition("=")
        if not sep or not cls.strip() or not text.strip():
            raise ServiceError(f"--genre-string wants CLASS=TEXT, e.g. metal=Metal, not {item!r}")
        for key in [k for k in out if k.casefold() == cls.strip().casefold()]:
            del out[key]
        out[cls.strip()] = text.strip()
    return out


def tag_request(
    settings: Settings,
    paths: Sequence[str] = (),
    *,
    label: str | None = None,
    mode: str = "add",
    min_confidence: float | None = None,
    reviewed_only: bool = False,
    per_album: bool = False,
    genre_overrides: Sequence[str] = (),
    separator: str | None = None,
    extra_fields: bool = False,
    keep_mtime: bool = False,
    include_unreviewed: bool = False,
    follow_links_outside: bool = False,
) -> TagRequest:
    """A TagRequest whose unset choices come from the settings. `paths` are normalized roots."""
    separator = settings.id3_separator if separator is None else separator
    if not separator.strip():
        raise ServiceError("--separator must contain a visible character, e.g. '; ' or '/'")
    return TagRequest(
        paths=tuple(paths),
        label=label,
        mode=mode,
        min_confidence=min_confidence,
        reviewed_only=reviewed_only,
        per_album=per_album,
        genre_strings=genre_strings(settings.genre_strings, genre_overrides),
        options=TagOptions(
            id3v23_separator=separator, extra_fields=extra_fields, keep_mtime=keep_mtime
        ),
        include_unreviewed=include_unreviewed,
        review_rule=ReviewRule.from_settings(settings),
        genre_map=settings.genre_map_rules(),
        library_folders=tuple(settings.library_folders),
        follow_links_outside=follow_links_outside,
    )


def tagging_warnings(library: Library, request: TagRequest, settings: Settings) -> list[str]:
    """What the user should hear before a preview or a write: --genre-string classes that no
    model of this library or the settings know."""
    from tagger.service.models import library_classes, unknown_label_warning

    with library.session() as session:
        classes = library_classes(session, settings)
    given = [c for c in request.genre_strings if c not in settings.genre_strings]
    warnings = [unknown_label_warning(c, classes, "--genre-string class") for c in given]
    return [w for w in warnings if w]


def check_paths_in_library(library: Library, request: TagRequest) -> None:
    """A path the library holds no track under is the user's mistake, said as such (instead of
    a preview of "0 files would change")."""
    if not request.paths:
        return
    stored = [library.paths.to_library(p) for p in request.paths]
    with library.session() as session:
        found = track_ids_for_paths(session, stored)
    outside = [p for p, s in zip(request.paths, stored, strict=True) if not found[s]]
    if outside:
        raise ServiceError(
            f"not in the library: {', '.join(outside)} (add it with `tagger scan PATH`)"
        )


def preview_tags(
    library: Library,
    request: TagRequest,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> TagPlan:
    return TagWriter(library).plan(request, progress=progress, cancel=cancel)


def write_tags(
    library: Library,
    request: TagRequest,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> TagResult:
    return TagWriter(library).apply(request, progress=progress, cancel=cancel)


def undo_tags(
    library: Library,
    batch_id: int | None = None,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> UndoResult:
    """Undo `batch_id` (default: the last batch)."""
    try:
        return undo_batch(library, batch_id, progress=progress, cancel=cancel)
    except UndoError as exc:
        raise ServiceError(str(exc)) from None


# --- summaries ------------------------------------------------------------------------------------


def skipped_reasons(skipped: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))


def _left_for_review(n: int, review_hint: str) -> list[str]:
    if not n:
        return []
    return [f"{n} left for review" + (f" ({review_hint})" if review_hint else "")]


def _other_skips(skipped: Mapping[str, int]) -> list[str]:
    """The skipped count without the tracks left for review (those are said in their own words)."""
    rest = {k: n for k, n in skipped.items() if k != SkipReason.NEEDS_REVIEW.value and n}
    return [f"{sum(rest.values())} skipped ({skipped_reasons(rest)})"] if rest else []


def describe_preview(
    plan: TagPlan, stale_hint: str, outside_hint: str = "", review_hint: str = ""
) -> str:
    """ "2 files would change, 1 already tagged, 3 left for review (HINT), ..."; `stale_hint`
    says how to refresh, `outside_hint` how to write files reached through links that leave
    the library, `review_hint` how to write what the review rule held back."""
    parts = [
        f"{plan.count(Action.WRITE)} files would change",
        f"{plan.count(Action.UNCHANGED)} already tagged",
    ]
    if plan.count(Action.STALE):
        parts.append(f"{plan.count(Action.STALE)} stale ({stale_hint})")
    if plan.count(Action.ERROR):
        parts.append(f"{plan.count(Action.ERROR)} unreadable")
    if plan.count(Action.OUTSIDE):
        parts.append(
            f"{plan.count(Action.OUTSIDE)} left alone (links to files outside the library folders"
            + (f"; {outside_hint} writes them)" if outside_hint else ")")
        )
    parts += _left_for_review(plan.left_for_review, review_hint)
    parts += _other_skips(plan.skipped)
    return ", ".join(parts)


def describe_write(
    result: TagResult, stale_hint: str, *, always_count_problems: bool, review_hint: str = ""
) -> str:
    """ "wrote 2 files, 0 already tagged, ..."; stale and error counts shown when nonzero, or
    always with `always_count_problems` (the app's dialog keeps a fixed layout)."""
    stale, errors = result.count("stale"), result.count("error")
    parts = [
        f"wrote {result.count('written')} files",
        f"{result.count(Action.UNCHANGED)} already tagged",
    ]
    if stale or always_count_problems:
        parts.append(f"{stale} stale" + (f" ({stale_hint})" if stale and stale_hint else ""))
    if errors or always_count_problems:
        parts.append(f"{errors} errors")
    parts += _left_for_review(result.left_for_review, review_hint)
    parts += _other_skips(result.skipped)
    return ", ".join(parts)


def write_problems(result: TagResult) -> list[str]:
    """One line per file that was not written because it was stale or broken."""
    return [
        f"{c.path}: {c.action}: {c.reason}"
        for c in result.changes
        if c.action in ("stale", "error")
    ]


def describe_undo(result: UndoResult) -> str:
    parts = [f"restored {result.count('restored')} files"]
    if result.count("refused"):
        parts.append(f"refused {result.count('refused')} (changed since the batch)")
    if result.count("error"):
        parts.append(f"{result.count('error')} errors")
    return ", ".join(parts)
