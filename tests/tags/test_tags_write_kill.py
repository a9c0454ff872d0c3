"""A batch writer SIGKILLed midway leaves every file decodable and exactly old or exactly new."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mutagen.id3 import ID3, TCON, TIT2
from tag_test_files import decodes

from tagger.tags import cleanup_stale_temp_files, read_genres

REPO = Path(__file__).resolve().parents[2]
N_FILES = 200
KILL_AFTER = 50

BATCH = """
import sys
from pathlib import Path
from tagger.tags import write_genres

for done, path in enumerate(sorted(Path(sys.argv[1]).glob("*.mp3")), 1):
    n = int(path.stem.split("-")[1])
    write_genres(path, ["Metal", f"New {n}"])
    print(done, flush=True)
"""

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _old(n: int) -> list[str]:
    return [f"Old {n}"]


def _new(n: int) -> list[str]:
    return ["Metal", f"New {n}"]


def _run_batch(folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", BATCH, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )


def test_kill_mid_batch_then_resume(tmp_path: Path, encoded: dict[str, Path]) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for n in range(N_FILES):
        path = folder / f"track-{n:03d}.mp3"
        shutil.copyfile(encoded["mp3"], path)
        tags = ID3()
        tags.add(TIT2(encoding=3, text=f"Track {n}"))
        tags.add(TCON(encoding=3, text=_old(n)))
        tags.save(str(path), v2_version=3 if n % 2 else 4)

    proc = _run_batch(folder)
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) >= KILL_AFTER:
            proc.kill()
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    cleanup_stale_temp_files(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"track-{n:03d}.mp3" for n in range(N_FILES)
    ]
    new = 0
    for n in range(N_FILES):
        path = folder / f"track-{n:03d}.mp3"
        genres = read_genres(path)
        assert genres in (_old(n), _new(n)), (path.name, genres)
        new += genres == _new(n)
        assert decodes(path), path.name
    assert KILL_AFTER <= new < N_FILES  # killed midway, after 50 reported done

    rerun = _run_batch(folder)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0
    assert out.split()[-1] == str(N_FILES)
    for n in range(N_FILES):
        assert read_genres(folder / f"track-{n:03d}.mp3") == _new(n)
    assert not [p for p in folder.iterdir() if ".tagger-tmp-" in p.name]
