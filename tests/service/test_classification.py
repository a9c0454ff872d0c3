"""service/classification.py: scan, classify, and the summaries both front ends print."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_factory import tone, write_audio

from tagger.library.pipeline import BatchResult
from tagger.library.scanner import ScanResult
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.classification import (
    Classification,
    classify_files,
    classify_tracks,
    describe_classification,
    describe_scan,
    existing_roots,
    scan_folders,
)
from tagger.service.errors import ServiceError
from tagger.service.models import load_predictor


def test_the_scan_summary_names_every_count_unchanged_included() -> None:
    result = ScanResult(["/m"], found=9, unchanged=3, added=2, reread=1, moved=1, missing=1)
    result.errors = 1
    assert describe_scan(result) == (
        "9 audio files: 2 new, 1 changed, 1 moved, 1 missing, 3 unchanged, 1 unreadable"
    )


def test_the_classification_summary() -> None:
    done = Classification(BatchResult(total=4, classified=3, failed=1), "demo")
    assert describe_classification(done) == "classified 3 of 4 with demo, 1 failed"
    assert describe_classification(done, "see the Errors list").endswith("(see the Errors list)")
    clean = Classification(BatchResult(total=2, classified=2), "demo")
    assert describe_classification(clean, "unused") == "classified 2 of 2 with demo"


def test_existing_roots_are_normalized_and_a_missing_one_is_the_users_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "music").mkdir()
    assert existing_roots([str(tmp_path / "music" / ".." / "music")]) == [
        str((tmp_path / "music").resolve())
    ]
    with pytest.raises(ServiceError, match="no such file or folder: .*nowhere"):
        existing_roots([str(tmp_path / "music"), str(tmp_path / "nowhere")])


def test_scan_then_classify_with_the_settings_model(random_model: Path, tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    write_audio(tmp_path / "music" / "a.wav", tone(1.0))
    (tmp_path / "music" / "junk.mp3").write_bytes(b"junk" * 100)
    settings = Settings(model_path=str(random_model), workers=1)
    library = Library.open(tmp_path / "lib.db")
    try:
        roots = existing_roots([str(tmp_path / "music")])
        scanned = scan_folders(library, settings, roots)
        assert (scanned.found, scanned.added, scanned.errors) == (2, 2, 1)  # junk is added too
        run = classify_tracks(library, settings, load_predictor(settings), roots=roots)
        assert (run.model_name, run.batch.total, run.batch.classified) == ("random", 1, 1)
        again = classify_tracks(library, settings, load_predictor(settings))
        assert again.batch.total == 0  # already classified by this model
    finally:
        library.close()


def test_classify_files_streams_a_verdict_or_a_reason_per_file(
    random_model: Path, tmp_path: Path
) -> None:
    good = write_audio(tmp_path / "good.wav", tone(1.0))
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00" * 500)
    verdicts = classify_files(load_predictor(Settings(), random_model), [str(bad), str(good)])
    first = next(verdicts)  # one at a time, as each file is done
    assert first.path == str(bad) and first.prediction is None and first.error
    second = next(verdicts)
    assert second.error is None and second.prediction.label in ("metal", "hardcore")
    assert list(verdicts) == []
