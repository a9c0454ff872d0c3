"""Stored moments (UTC, naive from SQLite) shown on the user's clock by both front ends."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tagger.service.local_time import local_time


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch):
    if not hasattr(time, "tzset"):
        pytest.skip("the process's zone is changed with time.tzset (POSIX)")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_naive_stored_moment_is_utc_shown_locally(tokyo) -> None:
    assert local_time(datetime(2026, 12, 3, 16, 40)) == "2026-12-04 01:40"
    assert local_time(datetime(2026, 12, 3, 16, 40, tzinfo=UTC)) == "2026-12-04 01:40"


def test_no_moment_is_an_empty_cell() -> None:
    assert local_time(None) == ""
