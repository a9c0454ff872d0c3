"""Generated music libraries and a tiny random model for the library engine's tests.

Audio is made with PyAV: short tones (1–2 s, 8–22 kHz) so that hundreds of files stay cheap.
Each distinct file is encoded once per session and copied into each test's folder tree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from library_helpers import FORMATS, AudioPool, MakeLibrary
from tag_library_helpers import make_mp3, mp3_template

from tagger.audio.mel import FrontEndConfig
from tagger.library.store import Library
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig


@pytest.fixture(scope="session")
def audio_pool(tmp_path_factory: pytest.TempPathFactory) -> AudioPool:
    return AudioPool(tmp_path_factory.mktemp("audio-pool"))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    return save_model(
        path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig(), {}, {}
    )


@pytest.fixture
def library(library_db: str) -> Library:
    lib = Library.open(library_db)
    yield lib
    lib.close()


@pytest.fixture
def make_music(audio_pool: AudioPool, tmp_path: Path) -> MakeLibrary:
    """make_music(n) → {name: path}: n distinct audio files in mixed formats and nested folders."""

    def make(n: int, root: Path | None = None, start: int = 0) -> dict[str, Path]:
        root = root or tmp_path / "music"
        kinds = list(FORMATS)
        out: dict[str, Path] = {}
        for i in range(start, start + n):
            kind = kinds[i % len(kinds)]
            folder = root / f"Artist {i % 7}" / f"Album {i % 3}"
            name = f"{i:03d} track{FORMATS[kind][2]}"
            out[name] = audio_pool.copy(kind, i // len(kinds), folder / name)
        return out

    return make


@pytest.fixture
def mp3_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """mp3_file(dest, genres): a tiny real mp3 with an ID3 tag holding `genres` (None: none)."""
    template = mp3_template(tmp_path_factory.getbasetemp() / "mp3-template")
    return lambda dest, genres=None: make_mp3(template, dest, genres)
