import os
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from audio_factory import write_audio  # noqa: E402
from mutagen.flac import FLAC  # noqa: E402

SHARED_AUDIO = Path(__file__).resolve().parents[1].parent / "shared" / "audio"


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


def _track(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """'low': a pulsing low rumble; 'high': bright tone bursts. Loudness is randomised."""
    rate = 22_050
    t = np.arange(int(seconds * rate)) / rate
    if kind == "low":
        sig = np.sin(2 * np.pi * rng.uniform(60, 120) * t) * (np.sin(2 * np.pi * 4 * t) > 0)
    else:
        sig = np.sin(2 * np.pi * rng.uniform(2500, 4000) * t) * (np.sin(2 * np.pi * 9 * t) > 0.3)
    sig = sig * rng.uniform(0.2, 0.8) + 0.02 * rng.standard_normal(len(t))
    return np.stack([sig, sig]).astype(np.float32)


def make_corpus(root: Path, per_class: int = 14, seconds: float = 1.5, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for label, kind in (("metal", "low"), ("hardcore", "high")):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(per_class):
            path = write_audio(folder / f"{label}_{i:02d}.flac", _track(kind, seconds, rng), 22_050)
            tags = FLAC(path)
            tags["artist"] = f"{label} band {i // 2}"  # two tracks per artist
            tags["date"] = str(1985 + 5 * i)
            tags.save()
    return root


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"))
