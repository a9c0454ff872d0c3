from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real settings or library."""
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "env-library.db"))
