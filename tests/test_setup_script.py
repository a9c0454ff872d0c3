"""`.ci/setup`: a second run is the quick check its comment promises (pip runs only when
pyproject.toml or the script changed), and the license metadata is the SPDX form."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("bash", "cat", "cut", "sha256sum", "dirname", "id", "echo", "command")

FAKE_PYTHON = """#!/bin/bash
echo "$@" >> "$(dirname "$0")/../pip-calls"
"""


def checkout_with_a_fake_venv(tmp_path: Path) -> Path:
    """The script and pyproject.toml in a folder whose .venv's python only logs its calls."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "setup", tmp_path / ".ci" / "setup")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "tagger"):
        (bin_dir / name).write_text(FAKE_PYTHON)
        (bin_dir / name).chmod(0o755)
    tools = tmp_path / "tools"  # a PATH without apt-get: the Debian part is skipped
    tools.mkdir()
    for tool in TOOLS:
        if found := shutil.which(tool):
            (tools / tool).symlink_to(found)
    return tmp_path


def run_setup(checkout: Path) -> list[str]:
    calls = checkout / ".venv" / "pip-calls"
    calls.unlink(missing_ok=True)
    fake = str(checkout / ".venv" / "bin" / "python")
    env = {"PATH": str(checkout / "tools"), "HOME": str(checkout), "PYTHON": fake}
    done = subprocess.run(
        ["bash", ".ci/setup"], cwd=checkout, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return calls.read_text().splitlines() if calls.exists() else []


def test_a_second_run_skips_pip_until_pyproject_changes(tmp_path: Path) -> None:
    checkout = checkout_with_a_fake_venv(tmp_path)
    first = run_setup(checkout)
    assert any(" -e " in f" {call} " for call in first)  # the first run installs
    assert run_setup(checkout) == []  # the second only checks
    with (checkout / "pyproject.toml").open("a") as f:
        f.write("\n# a changed dependency\n")
    assert any(" -e " in f" {call} " for call in run_setup(checkout))
    stamp = (checkout / ".venv" / ".setup-hash").read_text().strip()
    script = (checkout / "pyproject.toml").read_bytes() + (checkout / ".ci/setup").read_bytes()
    assert stamp == hashlib.sha256(script).hexdigest()


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert all((ROOT / f).is_file() for f in project["license-files"])
