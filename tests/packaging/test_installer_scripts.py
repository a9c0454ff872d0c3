"""The installer pieces that run in seconds: trim rules, bundle data files, the user install
script, the NSIS script, the desktop metadata validators. The bundle itself: test_bundle.py."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging" / "pyinstaller"))

from bundle_files import APP_ID, data_files  # noqa: E402
from modules import excluded, optional_used  # noqa: E402
from trim import keep, strippable, stripped  # noqa: E402

from tagger.model.checkpoint import BUNDLED_MODEL  # noqa: E402

SHELL_SCRIPTS = sorted((ROOT / "packaging").rglob("*.sh"))


@pytest.mark.parametrize(
    "path",
    [
        "torch/lib/libtorch_cpu.so",
        "torch/lib/libtorch_python.so",
        "torch/bin/torch_shm_manager",
        "torch/_C.cpython-311-x86_64-linux-gnu.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6\\plugins\\platforms\\qwindows.dll",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
        "PySide6/Qt/lib/libavcodec.so.61",
        "av.libs/libavcodec-5e6b81c2.so.62.28.102",
        "tagger/library/migrations/versions/0001_library.py",
        "tagger/bundled_models/cnn-bigru-demo.safetensors",
        "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
        "libQt6XcbQpa.so.6",
        "libpulse.so.0",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        # the FFmpeg media plugin links these
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "libQt6QmlModels.so.6",
        "libQt6QmlMeta.so.6",
        "PySide6/Qt/lib/libQt6QmlWorkerScript.so.6",
        # torch's sources that torch reads at run time (config modules parse their own)
        "torch/_dynamo/config.py",
        "torch/_inductor/config.py",
        "torch/fx/experimental/_config.py",
        "torch/nn/functional.py",
    ],
)
def test_trim_keeps_what_the_app_loads(path):
    assert keep(path)


@pytest.mark.parametrize(
    "path",
    [
        "torch/bin/test_api",
        "torch/bin/protoc",
        "torch/include/ATen/ATen.h",
        "torch/lib/libtorchbind_test.so",
        "torch/testing/_internal/common_utils.py",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6\\translations\\qtbase_de.qm",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/lib/libQt6QuickControls2.so.6",
        "PySide6/Qt/lib/libQt6QmlCompiler.so.6",
        "PySide6/Qt/qml/QtQuick/Controls/libqtquickcontrols2plugin.so",
        "scipy/stats/tests/test_stats.py",
        "numpy/_core/include/numpy/ndarrayobject.h",
        "libQt6QuickWidgets.so.6",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libgtk-3.so.0",
        "libcairo.so.2",
        "torch/optim/adam.py",  # compiled into the executable; its source is never read
        "torch/_inductor/codegen/wrapper.py",
    ],
)
def test_trim_drops_what_a_desktop_user_never_runs(path):
    assert not keep(path)


@pytest.mark.skipif(not shutil.which("strip"), reason="binutils not installed")
def test_torch_libraries_are_stripped_into_loadable_copies(tmp_path):
    library = Path(ctypes.util.find_library("z") or "")
    system_copy = next(
        (
            p / library.name
            for p in map(Path, ("/lib/x86_64-linux-gnu", "/usr/lib64", "/lib"))
            if (p / library.name).exists()
        ),
        None,
    )
    if system_copy is None:
        pytest.skip("no libz to stand in for torch's library")
    entries = [
        ("torch/lib/libtorch_cpu.so", str(system_copy), "BINARY"),
        ("numpy.libs/libscipy_openblas64_.so", str(system_copy), "BINARY"),
    ]
    out = stripped(entries, tmp_path)
    assert out[1] == entries[1], "only the listed libraries are stripped"
    copy = Path(out[0][1])
    assert copy.parent.parent == tmp_path / "torch" and copy.exists()
    assert copy.stat().st_size <= system_copy.stat().st_size
    ctypes.CDLL(str(copy))  # still loads


def _needed(library: Path) -> list[str]:
    """The DT_NEEDED names of an ELF library (objdump, which PyInstaller needs anyway)."""
    dump = subprocess.run(["objdump", "-p", str(library)], capture_output=True, text=True).stdout
    return [line.split()[1] for line in dump.splitlines() if line.strip().startswith("NEEDED")]


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("objdump"),
    reason="ELF and binutils",
)
def test_trim_keeps_every_qt_library_a_kept_qt_plugin_links():
    # A Qt plugin whose library is missing does not load, silently: with libQt6Quick dropped,
    # the FFmpeg media plugin failed and the bundle had no audio preview.
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    # The plugin folders PyInstaller's PySide6 hooks collect for QtGui, QtWidgets, QtSvg and
    # QtMultimedia (the bundle's PySide6/Qt/plugins/).
    folders = ["platforms", "platformthemes", "xcbglintegrations", "imageformats", "iconengines"]
    plugins = [
        p
        for folder in [*folders, "multimedia"]
        for p in (qt / "plugins" / folder).glob("*.so")
        if keep(p.relative_to(qt.parent.parent).as_posix())
    ]
    assert any(p.name == "libffmpegmediaplugin.so" for p in plugins)
    for plugin in plugins:
        for name in _needed(plugin):
            if (qt / "lib" / name).exists():
                assert keep(f"PySide6/Qt/lib/{name}"), f"{plugin.name} links {name}"
                assert keep(name), f"{plugin.name} links {name} (top-level link)"


@pytest.mark.skipif(not shutil.which("readelf"), reason="binutils not installed")
def test_only_libraries_that_patchelf_never_touched_are_stripped():
    import kiwisolver
    import numpy

    plain = next(Path(kiwisolver.__file__).parent.glob("_cext*.so"))  # symbols, no RPATH
    patched = next((Path(numpy.__file__).parent / "_core").glob("_multiarray_umath*.so"))
    assert strippable("kiwisolver/" + plain.name, str(plain))
    assert not strippable("numpy/_core/" + patched.name, str(patched))  # auditwheel's RPATH
    assert not strippable("numpy.libs/" + plain.name, str(plain))  # a wheel's vendored folder
    assert not strippable("tagger/resources/tagger.svg", str(ROOT / "resources" / "tagger.svg"))
    assert strippable("torch/lib/libtorch_cpu.so", str(plain))  # listed: torch's own RPATH


def test_bundle_data_files_exist_where_the_app_looks_for_them():
    files = data_files(ROOT)
    for source, _ in files:
        assert Path(source).exists(), source
    destinations = {(Path(source).name, dest) for source, dest in files}
    assert (BUNDLED_MODEL, "tagger/bundled_models") in destinations
    assert ("README.md", "tagger/bundled_models") in destinations  # the model card
    assert ("__init__.py", "tagger/bundled_models") in destinations
    assert ("tagger.svg", "tagger/resources") in destinations
    assert ("migrations", "tagger/library/migrations") in destinations
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in package_data["package-data"]:
        assert any(dest == package.replace(".", "/") for _, dest in destinations), package
    assert (f"{APP_ID}.desktop", "share/applications") in destinations
    assert (f"{APP_ID}.metainfo.xml", "share/metainfo") in destinations


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse(script):
    assert os.access(script, os.X_OK), f"{script} is not executable"
    subprocess.run(["bash", "-n", str(script)], check=True)


def _fake_unpacked_bundle(folder: Path) -> Path:
    """The layout of the .tar.gz's folder, with a shell script standing in for the app."""
    internal = folder / "_internal"
    (internal / "share" / "applications").mkdir(parents=True)
    (internal / "share" / "metainfo").mkdir(parents=True)
    (internal / "tagger" / "resources").mkdir(parents=True)
    for name, dest in [
        (f"{APP_ID}.desktop", "share/applications"),
        (f"{APP_ID}.metainfo.xml", "share/metainfo"),
    ]:
        shutil.copy(ROOT / "packaging" / name, internal / dest / name)
    shutil.copy(ROOT / "resources" / "tagger.svg", internal / "tagger" / "resources")
    app = folder / "tagger"
    app.write_text("#!/bin/sh\necho 'tagger 0.1.0'\n")
    app.chmod(0o755)
    shutil.copy(ROOT / "packaging" / "linux" / "install.sh", folder / "install.sh")
    return folder


def test_install_script_installs_for_the_user_and_uninstalls(tmp_path):
    bundle = _fake_unpacked_bundle(tmp_path / "metal-hardcore-tagger-0.1.0-linux-x86_64")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    subprocess.run([str(bundle / "install.sh")], env=env, check=True, capture_output=True)

    prefix = home / ".local" / "opt" / "metal-hardcore-tagger"
    link = home / ".local" / "bin" / "tagger"
    entry = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    icon = home / ".local/share/icons/hicolor/scalable/apps" / f"{APP_ID}.svg"
    assert link.resolve() == (prefix / "tagger").resolve()
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout == "tagger 0.1.0\n"
    assert f'Exec="{prefix}/tagger" gui %F' in entry.read_text()
    assert icon.read_bytes() == (ROOT / "resources" / "tagger.svg").read_bytes()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(entry)], check=True)

    subprocess.run([str(prefix / "install.sh"), "--uninstall"], env=env, check=True)
    assert not prefix.exists() and not link.is_symlink() and not entry.exists()
    assert not icon.exists()
    assert bundle.exists(), "uninstalling must not touch the unpacked download"


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis (Debian: nsis) not installed")
def test_nsis_script_compiles_into_a_windows_installer(tmp_path):
    bundle = tmp_path / "tagger"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("tagger.exe", "tagger-gui.exe", "_internal/base_library.zip"):
        (bundle / name).write_bytes(b"stand-in")
    setup = tmp_path / "metal-hardcore-tagger-0.1.0-windows-x64-setup.exe"
    result = subprocess.run(
        [
            "makensis",
            "-V2",
            "-WX",  # warnings are errors
            "-INPUTCHARSET",
            "UTF8",
            "-DVERSION=0.1.0",
            f"-DBUNDLE={bundle}",
            f"-DOUTFILE={setup}",
            str(ROOT / "packaging" / "windows" / "tagger-setup.nsi"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert setup.read_bytes()[:2] == b"MZ"


@pytest.mark.skipif(
    not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed"
)
def test_desktop_entry_validates():
    subprocess.run(
        ["desktop-file-validate", str(ROOT / "packaging" / f"{APP_ID}.desktop")], check=True
    )


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_appstream_metadata_validates():
    subprocess.run(
        [
            "appstreamcli",
            "validate",
            "--no-net",
            "--pedantic",
            str(ROOT / "packaging" / f"{APP_ID}.metainfo.xml"),
        ],
        check=True,
    )


def test_optional_packages_are_bundled_only_as_dependencies(tmp_path):
    assert "pyarrow" in excluded(ROOT) and "numba" in excluded(ROOT)
    assert "torch" not in excluded(ROOT) and "sympy" not in excluded(ROOT)
    (tmp_path / "pyproject.toml").write_text(
        "[project]\n"
        'dependencies = ["torch>=2.13,<2.14", "onnxruntime >=1.20, <2", "psycopg[binary]"]\n'
    )
    assert optional_used(tmp_path) == ["onnxruntime", "psycopg"]
    assert "onnxruntime" not in excluded(tmp_path) and "onnx" in excluded(tmp_path)
    # The bundle trains too: what the `train` extra brings is bundled.
    (tmp_path / "pyproject.toml").write_text(
        "[project]\n"
        'dependencies = ["onnxruntime >=1.20, <2"]\n'
        "[project.optional-dependencies]\n"
        'train = ["torch>=2.13,<2.14", "onnx>=1.17,<2"]\n'
    )
    assert "onnx" not in excluded(tmp_path)


def test_the_classify_variant_leaves_torch_and_the_train_extra_out(monkeypatch):
    monkeypatch.setenv("TAGGER_BUNDLE", "classify")
    left_out = excluded(ROOT)
    for name in ["torch", "onnx", "sklearn", "matplotlib", "sympy"]:
        assert name in left_out
    assert "onnxruntime" in optional_used(ROOT) and "onnxruntime" not in left_out
    monkeypatch.setenv("TAGGER_BUNDLE", "light")
    with pytest.raises(ValueError, match="TAGGER_BUNDLE='light'"):
        excluded(ROOT)
