"""A machine without torch (no `train` extra): classifying works, training says what to install.

Each run is a subprocess whose `import torch` fails, as on such a machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audio_factory import write_tone

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "models" / "cnn-bigru-demo.safetensors"
WITHOUT_TORCH = (
    "import sys; sys.modules['torch'] = None; from tagger.cli import main; "
    "sys.exit(main(sys.argv[1:]))"
)


def tagger_without_torch(*args: str, frozen: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # PyInstaller sets sys.frozen in the bundle, as the classify-only download is built.
    code = (
        WITHOUT_TORCH.replace("import sys;", "import sys; sys.frozen = True;")
        if frozen
        else WITHOUT_TORCH
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_classify_runs_the_bundled_model_without_torch(tmp_path):
    song = write_tone(tmp_path / "song.flac", 5.0, 22_050, 330.0)
    done = tagger_without_torch("classify", "--json", "--model", str(BUNDLED), str(song))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["label"] in ("hardcore", "metal") and len(result["segments"]) == 60


def test_train_without_torch_names_the_extra_to_install(tiny_corpus, tmp_path):
    done = tagger_without_torch("train", str(tiny_corpus), "--out", str(tmp_path / "m.safetensors"))
    assert done.returncode == 2
    assert "needs torch" in done.stderr and "metal-hardcore-tagger[train]" in done.stderr
    assert "Traceback" not in done.stderr


def test_train_in_the_classify_only_bundle_points_to_the_full_download(tiny_corpus, tmp_path):
    out = str(tmp_path / "m.safetensors")
    done = tagger_without_torch("train", str(tiny_corpus), "--out", out, frozen=True)
    assert done.returncode == 2
    assert "needs torch" in done.stderr and "full bundle" in done.stderr
    assert "pip install" not in done.stderr and "Traceback" not in done.stderr
