"""Bringing the library in line with the folders: stat everything, read only what changed.

A scan of folders runs in phases:
1. walk: stat every audio file (nothing is opened);
2. compare with the library rows under those folders: unchanged (same size and mtime: nothing more
   is done, no decode, no tag read), changed, new, vanished;
3. moves: a new file whose fingerprint matches a vanished or missing row takes over that row, so
   its predictions, labels and tag history follow it;
4. vanished rows left over are marked missing;
5. read: tags and audio header of new and changed files, committed in small groups, so a cancel
   or a kill keeps everything finished and the next scan resumes.

Several scans may run at once on one library (hosts sharing a PostgreSQL library, started on the
same new folder): a new file's row is inserted with `INSERT ... ON CONFLICT (path) DO NOTHING`,
so when another scan has just added it, its row (read from the same file) is kept and this scan
counts the file as unchanged instead of failing on the unique path. Files are read in path
order, so two scans lock rows in the same order and wait for each other instead of deadlocking.

Status after reading (see schema.TrackStatus): an unreadable header is `error`; a genre tag that
names no heavy genre is `out-of-scope` (unless the track keeps a current prediction); a track
whose audio changed (duration, codec, rate or channels differ) after it was classified becomes
`changed`; a tag-only change keeps `ok`.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tagger.audio.decode import AudioInfo, probe
from tagger.audio.errors import AudioError
from tagger.library.fingerprint import fingerprint
from tagger.library.folders import record_folders
from tagger.library.genre_map import DEFAULT_GENRE_MAP, GenreMap
from tagger.library.path_map import PathMap
from tagger.library.paths import tracks_under
from tagger.library.progress import Cancel, ProgressCallback, RateMeter, cancel_check
from tagger.library.schema import Prediction, Track, TrackStatus, utcnow
from tagger.library.store import Library
from tagger.library.tag_class import settle as settle_tag_classes
from tagger.library.unique_insert import insert_unless_present
from tagger.library.walk import FoundFile, normalize_root, walk_audio
from tagger.library.written_genres import marked_genres
from tagger.tags import TagError, TrackTags, read_tags

COMMIT_EVERY_FILES = 25
COMMIT_EVERY_SECONDS = 1.0
WALK_REPORT_EVERY = 200
# A re-read file whose duration moved by more than this is treated as different audio.
DURATION_TOLERANCE_S = 0.5
# What a scan fills in a new track row; the other columns keep their defaults.
READ_COLUMNS = (
    "path", "size", "mtime_ns", "fingerprint", "format", "codec", "duration", "sample_rate",
    "channels", "title", "artist", "album", "year", "genres", "model_genres", "tag_format",
    "status", "error", "read_at",
)  # fmt: skip


@dataclass
class ScanResult:
    roots: list[str]
    found: int = 0
    unchanged: int = 0
    added: int = 0
    reread: int = 0
    moved: int = 0
    missing: int = 0
    errors: int = 0  # files read in this scan whose audio cannot be read
    hidden: int = 0  # hidden files and folders (a leading dot) left out
    walk_errors: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


@dataclass
class _Existing:
    id: int
    path: str
    size: int
    mtime_ns: int
    status: str
    fingerprint: str | None


@dataclass
class _ToRead:
    found: FoundFile
    track_id: int | None  # None: a new row
    fingerprint: str | None = None


def scan(
    library: Library,
    roots: Iterable[str | Path],
    *,
    scope: GenreMap = DEFAULT_GENRE_MAP,
    written_strings: Collection[str] = (),  # a class's genre as written: marked_genres
    progress: ProgressCallback | None = None,
    cancel: Cancel = None,
) -> ScanResult:
    cancelled = cancel_check(cancel)
    root_list = [normalize_root(r) for r in roots]
    paths = library.paths  # this host's mount points → the library's spelling
    result = ScanResult(roots=root_list)

    # 1. walk
    walk_meter = RateMeter(None, "walk", progress)
    found: dict[str, FoundFile] = {}

    def count_hidden(_path: str) -> None:
        result.hidden += 1

    for f in walk_audio(
        root_list,
        on_error=lambda p, why: result.walk_errors.append((p, why)),
        cancelled=cancelled,
        on_hidden=count_hidden,
    ):
        found[paths.to_library(f.path)] = f
        if len(found) % WALK_REPORT_EVERY == 0:
            walk_meter.report(f.path, step=WALK_REPORT_EVERY)
    walk_meter.report(None, step=len(found) % WALK_REPORT_EVERY)
    result.found = len(found)
    if cancelled():
        result.cancelled = True
        return result  # a partial walk would mark unseen files missing: stop before comparing

    # 2. compare (and remember the roots as library folders: tag writing asks for them)
    library_roots = [paths.to_library(r) for r in root_list]
    with library.session() as session, session.begin():
        record_folders(session, library_roots)
        existing = _rows_under(session, library_roots)
    by_path = {row.path: row for row in existing}
    to_read: list[_ToRead] = []
    new_files: list[FoundFile] = []
    for path, f in found.items():
        row = by_path.get(path)
        if row is None:
            new_files.append(f)
        elif row.status != TrackStatus.MISSING and (row.size, row.mtime_ns) == (f.size, f.mtime_ns):
            result.unchanged += 1
        else:
            to_read.append(_ToRead(f, row.id))
    vanished = [
        row for row in existing if row.path not in found and row.status != TrackStatus.MISSING
    ]

    # 3. moves, 4. missing
    to_read.extend(_match_moves(library, new_files, vanished, result, cancelled, paths))
    if cancelled():
        result.cancelled = True
        return result
    if vanished:
        with library.session() as session, session.begin():
            ids = [row.id for row in vanished]
            for chunk in _chunks(ids, 500):
                session.execute(
                    update(Track).where(Track.id.in_(chunk)).values(status=TrackStatus.MISSING)
                )
        result.missing = len(vanished)

    # 5. read
    rules = _ReadRules(scope, frozenset(written_strings))
    _read_files(library, to_read, rules, result, progress, cancelled, paths)
    return result


def _rows_under(session: Session, roots: Sequence[str]) -> list[_Existing]:
    query = select(
        Track.id, Track.path, Track.size, Track.mtime_ns, Track.status, Track.fingerprint
    ).where(tracks_under(roots))
    return [_Existing(*row) for row in session.execute(query).all()]


def _match_moves(
    library: Library,
    new_files: list[FoundFile],
    vanished: list[_Existing],
    result: ScanResult,
    cancelled: Any,
    paths: PathMap,
) -> list[_ToRead]:
    """Fingerprint the new files; those matching a vanished or missing row take it over."""
    out: list[_ToRead] = []
    prints: dict[str, list[_ToRead]] = defaultdict(list)
    for f in new_files:
        if cancelled():
            return out
        item = _ToRead(f, None)
        if f.problem is not None:
            out.append(item)  # nothing to fingerprint: it is no regular file
            continue
        try:
            item.fingerprint = fingerprint(f.path, f.size)
            prints[item.fingerprint].append(item)
        except OSError:
            pass  # reading will report it
        out.append(item)
    candidates: dict[str, list[_Existing]] = defaultdict(list)
    for row in vanished:
        if row.fingerprint:
            candidates[row.fingerprint].append(row)
    with library.session() as session, session.begin():
        for chunk in _chunks(list(prints), 500):
            elsewhere = session.execute(
                select(
                    Track.id,
                    Track.path,
                    Track.size,
                    Track.mtime_ns,
                    Track.status,
                    Track.fingerprint,
                ).where(Track.fingerprint.in_(chunk), Track.status == TrackStatus.MISSING)
            ).all()
            for row in elsewhere:
                candidates[row.fingerprint].append(_Existing(*row))
        taken: set[int] = set()
        for fp, items in prints.items():
            rows = [r for r in candidates.get(fp, []) if r.id not in taken]
            for item, row in zip(items, rows, strict=False):
                if os.path.lexists(paths.to_local(row.path)):
                    continue  # a copy, not a move: the original is still there
                taken.add(row.id)
                item.track_id = row.id
                session.execute(
                    update(Track)
                    .where(Track.id == row.id)
                    .values(path=paths.to_library(item.found.path))
                )
                result.moved += 1
                if row.status != TrackStatus.MISSING and (row.size, row.mtime_ns) == (
                    item.found.size,
                    item.found.mtime_ns,
                ):
                    item.track_id = -1  # moved as it was: nothing to read
    for row in vanished[:]:
        if row.id in taken:
            vanished.remove(row)
    return [item for item in out if item.track_id != -1]


@dataclass(frozen=True)
class _ReadRules:
    scope: GenreMap  # which genres put a track in scope
    written_strings: frozenset[str]  # what this program writes as a class's genre


def _read_files(
    library: Library,
    items: list[_ToRead],
    rules: _ReadRules,
    result: ScanResult,
    progress: ProgressCallback | None,
    cancelled: Any,
    paths: PathMap,
) -> None:
    meter = RateMeter(len(items), "read", progress)
    session = library.session()
    # The same order in every concurrent scan: row locks are then taken in one order (no
    # deadlock between two scans of the same folder).
    items = sorted(items, key=lambda item: paths.to_library(item.found.path))
    try:
        last_commit = time.monotonic()
        pending = 0
        for item in items:
            if cancelled():
                result.cancelled = True
                break
            new = item.track_id is None
            status = _read_one(session, item, rules, paths.to_library(item.found.path))
            if status is None:
                result.unchanged += 1  # another scan added it just now, from the same file
            elif new:
                result.added += 1
            else:
                result.reread += 1
            if status == TrackStatus.ERROR:
                result.errors += 1
            pending += 1
            if (
                pending >= COMMIT_EVERY_FILES
                or time.monotonic() - last_commit > COMMIT_EVERY_SECONDS
            ):
                settle_tag_classes(session, rules.scope)
                session.commit()
                pending, last_commit = 0, time.monotonic()
            meter.report(item.found.path, status)
        # The tracks read come with their tag classes: the review rule's SQL reads them, and a
        # reader (the app's thread) then has nothing to settle, so never waits for this writer.
        settle_tag_classes(session, rules.scope)
        session.commit()
    finally:
        session.close()


def _read_one(session: Session, item: _ToRead, rules: _ReadRules, library_path: str) -> str | None:
    """Read one file into its row; the track's new status, or None when the file was new to
    this scan but another scan sharing the library has added it meanwhile (its row is kept)."""
    f = item.found
    tags: TrackTags | None = None
    info: AudioInfo | None = None
    problems: list[str] = []
    if f.problem is not None:
        problems.append(f.problem)  # a link to a device or nowhere: never opened
    else:
        tags, info = _read_tags_and_header(f.path, problems)
    if item.fingerprint is None and f.problem is None:
        try:
            item.fingerprint = fingerprint(f.path, f.size)
        except OSError as exc:
            problems.append(f"cannot read: {exc.strerror or exc}")

    track = session.get(Track, item.track_id) if item.track_id is not None else None
    if track is None:
        track = Track(path=library_path, size=f.size, mtime_ns=f.mtime_ns, genres=[])
        has_current = False
    else:
        has_current = (
            session.scalar(
                select(Prediction.id).where(
                    Prediction.track_id == track.id, Prediction.is_current.is_(True)
                )
            )
            is not None
        )
    audio_changed = info is not None and _audio_changed(track, info)

    track.path, track.size, track.mtime_ns = library_path, f.size, f.mtime_ns
    track.fingerprint = item.fingerprint
    if tags is not None:
        track.title, track.artist, track.album = tags.title, tags.artist, tags.album
        track.year = tags.year
        track.genres = list(tags.genres)
        track.model_genres = marked_genres(tags.genres, tags.model_mark, rules.written_strings)
        track.tag_format = tags.format or None
    if info is not None:
        track.format, track.codec = info.container, info.codec
        track.duration = info.duration or None
        track.sample_rate, track.channels = info.sample_rate, info.channels
    track.error = "; ".join(problems) or None
    track.read_at = utcnow()

    if info is None:
        status = TrackStatus.ERROR
    elif has_current and not audio_changed:
        status = TrackStatus.OK
    elif not rules.scope.in_scope(track.genres):
        status = TrackStatus.OUT_OF_SCOPE
    elif has_current:
        status = TrackStatus.CHANGED
    else:
        status = TrackStatus.NEW
    track.status = status
    if track.id is None:  # a new file: its row, unless another scan has just added it
        values = {name: getattr(track, name) for name in READ_COLUMNS}
        track_id = insert_unless_present(session, Track, values)
        if track_id is None:
            return None
        item.track_id = track_id
    return status


def _read_tags_and_header(
    path: str, problems: list[str]
) -> tuple[TrackTags | None, AudioInfo | None]:
    tags: TrackTags | None = None
    info: AudioInfo | None = None
    try:
        tags = read_tags(path)
    except TagError as exc:
        problems.append(f"tags: {exc.reason}")
    except Exception as exc:  # one odd file must never stop a scan
        problems.append(f"tags: {type(exc).__name__}: {exc}")
    try:
        info = probe(path)
    except AudioError as exc:
        problems.insert(0, exc.reason)
    except Exception as exc:
        problems.insert(0, f"cannot read the audio header ({type(exc).__name__}: {exc})")
    return tags, info


def _audio_changed(track: Track, info: AudioInfo) -> bool:
    if track.duration is None and track.codec is None:
        return False  # never read before: nothing to compare with
    return (
        track.codec != info.codec
        or track.sample_rate != info.sample_rate
        or track.channels != info.channels
        or abs((track.duration or 0.0) - info.duration) > DURATION_TOLERANCE_S
    )


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
