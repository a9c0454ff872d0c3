"""Build the Linux downloads from this tree and smoke-test the frozen app (slow: minutes).

The same commands a maintainer runs (docs/install.md): packaging/linux/build-linux.sh makes the
PyInstaller bundle, the .tar.gz and the .deb; packaging/smoke-test.sh then runs the bundle in a
clean environment (no virtualenv on PATH) through the CLI, a scan, training and the window.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagger import __version__

ROOT = Path(__file__).resolve().parents[2]
# The build's tools (objdump for PyInstaller; readelf and strip for trim.py, without which the
# bundle silently grows by ~125 MB; dpkg-deb for the .deb) and the smoke test's (Xvfb, xdotool,
# ImageMagick's `import`). `bash .ci/setup` installs all of them.
NEEDED_TOOLS = ["objdump", "readelf", "strip", "dpkg-deb", "Xvfb", "xdotool", "import"]

# Part of the default run: it is the only test that proves the installers still build and the
# frozen app still runs. It builds once per session (module fixture) in temporary folders: the
# PyInstaller build, .tar.gz and .deb took 13-36 minutes on two shared cores (niced, load 5-11)
# and the smoke test 4-5 more (docs/install.md); `-m "not slow"` leaves it out of a quick local run.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
]


def missing_prerequisites() -> list[str]:
    """What this machine lacks to build and smoke-test the bundle."""
    missing = [tool for tool in NEEDED_TOOLS if not shutil.which(tool)]
    if importlib.util.find_spec("PyInstaller") is None:
        missing.append("PyInstaller (pip install -e '.[package]')")
    return missing


def require_prerequisites() -> None:
    """Skip where a tool is missing, except on CI (CI=true), where that is a failure: CI must
    never pass with the installer test silently skipped."""
    missing = missing_prerequisites()
    if not missing:
        return
    reason = f"needs {', '.join(missing)} (bash .ci/setup installs them)"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI=true but the bundle test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[Path]:
    require_prerequisites()
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    env = {**os.environ, "PYTHON": sys.executable, "DIST_DIR": str(dist), "WORK_DIR": str(work)}
    # Lowest priority: the build is minutes of CPU and must not starve the machine.
    subprocess.run(
        ["nice", "-n", "19", str(ROOT / "packaging" / "linux" / "build-linux.sh")],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=40 * 60,
    )
    shutil.rmtree(work, ignore_errors=True)
    yield dist
    # The bundle and both downloads are about 1.6 GB: gone before the next module's tests run.
    shutil.rmtree(dist, ignore_errors=True)


def test_bundle_passes_the_smoke_test_in_a_clean_environment(built, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "VIRTUAL_ENV")}
    result = subprocess.run(
        [
            "nice",
            "-n",
            "19",
            str(ROOT / "packaging" / "smoke-test.sh"),
            str(built / "tagger"),
            str(tmp_path / "w.png"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30 * 60,  # training and the window are slow on a busy machine
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert f"smoke: all passed (tagger {__version__})" in result.stdout
    assert (tmp_path / "w.png").stat().st_size > 10_000  # a picture of the screen, not a blank


def test_tarball_holds_the_bundle_and_the_user_install_script(built):
    (tarball,) = built.glob("metal-hardcore-tagger-*-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    top = tarball.name.removesuffix(".tar.gz")
    for member in ["tagger", "install.sh", "_internal/tagger/bundled_models/README.md"]:
        assert f"{top}/{member}" in names


def test_deb_installs_under_opt_with_tagger_on_path(built):
    (deb,) = built.glob("metal-hardcore-tagger_*.deb")
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: metal-hardcore-tagger" in fields
    assert f"Version: {__version__}" in fields and "libxcb-cursor0" in fields
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "./usr/bin/tagger -> /opt/metal-hardcore-tagger/tagger" in contents
    assert "./usr/share/applications/io.github.metal_hardcore_tagger.desktop" in contents
    assert "./usr/share/metainfo/io.github.metal_hardcore_tagger.metainfo.xml" in contents
    assert "./opt/metal-hardcore-tagger/_internal/tagger/library/migrations/env.py" in contents


def test_a_missing_tool_fails_on_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: none of the tools
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but the bundle test needs objdump"):
        require_prerequisites()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="needs objdump"):
        require_prerequisites()
