import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

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
