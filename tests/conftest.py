import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Models' ONNX forms are exported into the user cache folder: keep the tests' out of the user's.
# Removed when pytest exits: a full run exports about 400 MB of them.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tagger-tests-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)
sys.path.insert(0, str(Path(__file__).parent))

from audio_factory import pulses, write_audio  # noqa: E402
from mutagen.flac import FLAC  # noqa: E402

SHARED_AUDIO = Path(__file__).resolve().parents[1].parent / "shared" / "audio"


@pytest.fixture(autouse=True)
def _user_folders_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real settings, library or feature cache (commands
    like `tagger models use` save the settings; training fills the cache)."""
    monkeypatch.setenv("TAGGER_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("TAGGER_DB", str(tmp_path / "env-library.db"))
    monkeypatch.setenv("TAGGER_FEATURE_CACHE", str(tmp_path / "feature-cache"))


@pytest.fixture(scope="session")
def shared_clips() -> list[Path]:
    clips = sorted(SHARED_AUDIO.glob("*.ogg"))
    if not clips:
        pytest.skip(f"real clips not found in {SHARED_AUDIO}")
    return clips


@pytest.fixture(scope="session")
def random_model(tmp_path_factory) -> Path:
    """A small untrained model file: verdicts are noise, the plumbing is real."""
    import torch

    from tagger.audio.mel import FrontEndConfig
    from tagger.model.checkpoint import save_model
    from tagger.model.network import Network, NetworkConfig

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "random.safetensors"
    save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig())
    return path


# --- a tiny labeled corpus for training tests ------------------------------------------------


def make_corpus(root: Path, per_class: int = 14, seconds: float = 1.5, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for label, low in (("metal", True), ("hardcore", False)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(per_class):
            path = write_audio(folder / f"{label}_{i:02d}.flac", pulses(low, seconds, rng), 22_050)
            tags = FLAC(path)
            tags["artist"] = f"{label} band {i // 2}"  # two tracks per artist
            tags["date"] = str(1985 + 5 * i)
            tags.save()
    return root


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


# --- the library's two backends: SQLite files and a throwaway PostgreSQL cluster -------------

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Modules marked `both_backends` run each test using `library_db` on SQLite and PostgreSQL."""
    if metafunc.definition.get_closest_marker("both_backends") and (
        "backend" in metafunc.fixturenames
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """One PostgreSQL server for the session (skips where the binaries or psycopg are missing)."""
    pytest.importorskip("psycopg")
    from postgres_cluster import server_bin, start_cluster

    if server_bin() is None:
        pytest.skip("PostgreSQL server binaries not found (.ci/setup installs them)")
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def library_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a test's library lives: an SQLite file, or a fresh PostgreSQL database's URL."""
    if backend == "sqlite":
        return str(tmp_path / "library.db")
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.url(cluster.new_database())
