"""What the tag-batch tests share: an open library on each backend, and the tiny mp3 they copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tag_library_helpers import mp3_template

from tagger.library.store import Library


@pytest.fixture
def lib(library_db: str) -> Iterator[Library]:
    library = Library.open(library_db)
    yield library
    library.close()


@pytest.fixture
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mp3_template(tmp_path_factory.getbasetemp() / "mp3-template")
