"""Slimming the frozen bundle: what it leaves out (as globs on bundle paths), what it strips.

The spec filters PyInstaller's collected files (`Analysis.binaries` and `Analysis.datas`, each an
entry `(destination, source, kind)`) through `keep()`. The hooks collect whole packages; these
rules drop torch's C++ test programs, headers and build files, Qt's translations and the Qt
plugins and libraries this app never loads, and the test suites that ship inside wheels.
Everything here is on the bundle's destination paths, so the rules read the same on every OS.

On Linux, libraries also lose their symbol tables (`stripped()`): torch's two big ones and
libpython (about 100 MB), and every other one that patchelf never touched (about 24 MB more:
SQLAlchemy's, kiwisolver's, PyYAML's compiled modules, ...). Not PyInstaller's own strip option,
which runs over every library: stripping the ones that auditwheel patched (NumPy's OpenBLAS,
for one) breaks their loading. auditwheel leaves two marks, and a library with either keeps its
symbols: it sits in a wheel's `*.libs/` folder, or it has an RPATH/RUNPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

# torch's Python sources that torch reads at run time. The torch hook ships every one of them
# (44 MB) beside the compiled modules, which stay in the executable; only these are kept,
# found by tracing the files the app opens (strace) through a classify, scan, training and
# evaluation, and by reading torch for `inspect.getsource`:
# - its config modules parse their own source at import (torch/utils/_config_module.py), so
#   without it `import torch` fails;
# - `@_overload` functions read their body at import (torch/_jit_internal.py) and warn once per
#   function without it, at every training;
# - the rest feed source lines to tracebacks and warnings (linecache), which print without them.
TORCH_SOURCES_READ = [
    "torch/*config*.py",
    "torch/functional.py",
    "torch/nn/functional.py",
    "torch/nn/modules/rnn.py",
    "torch/__init__.py",
    "torch/random.py",
    "torch/cuda/__init__.py",
    "torch/cuda/random.py",
    "torch/xpu/__init__.py",
    "torch/xpu/random.py",
    "torch/mtia/__init__.py",
    "torch/_library/custom_ops.py",
    "torch/_native/registry.py",
    "torch/utils/_debug_mode/_mode.py",
]

# Kept even where a rule below would drop it: torch refuses to import without its shared-memory
# helper (it checks for the file); QtMultimedia's FFmpeg plugin (the review preview) links
# libQt6Quick and libQt6Qml and those three Qml libraries, and Qt skips a plugin it cannot load
# ("No QtMultimedia backends found").
KEPT = [
    "torch/bin/torch_shm_manager*",
    *TORCH_SOURCES_READ,
    "*libQt6QmlMeta.*",
    "*libQt6QmlModels.*",
    "*libQt6QmlWorkerScript.*",
]

# Globs on the destination path inside the bundle (forward slashes; `*` crosses folders).
DROPPED = [
    # torch: C++ test programs, protoc, headers, CMake files, test libraries.
    "torch/bin/*",
    "torch/include/*",
    "torch/share/*",
    "torch/test/*",
    "torch/lib/*test*",
    "torch/lib/libbackend_with_compiler*",
    "torch/lib/libaoti_custom_ops*",
    "torch/_inductor/codegen/*.cpp",
    "torch/_inductor/codegen/*.h",
    "torch/testing/_internal/*",
    "torch/utils/benchmark/*",
    "torch/*.pyi",
    "torch/*.py",  # but TORCH_SOURCES_READ
    # Test suites and headers shipped inside wheels.
    "*/tests/*",
    "numpy/_core/include/*",
    "numpy/f2py/*",
    "*.pyx",
    "*.pxd",
    # Qt: the app is in English, so no translations; no QML/Quick at run time.
    "PySide6/Qt/translations/*",
    "PySide6/translations/*",
    "PySide6/Qt/qml/*",
    "PySide6/qml/*",
    "PySide6/Qt/resources/qtwebengine*",
    # Qt libraries only the dropped plugins below need; they are also linked at the bundle's top
    # level, hence the leading `*`. libQt6Quick.so and libQt6Qml.so themselves stay (see KEPT).
    "*libQt6Quick[!.]*",
    "*libQt6Qml[!.]*",
    "*libQt6Pdf*",
    "*libQt6VirtualKeyboard*",
    "*libQt6WebEngine*",
    "*libQt6Designer*",
    "*libQt63D*",
    "*libQt6Wayland*",
    "*libQt6WlShell*",
    "*libQt6EglFS*",
    "*libQt6EglFs*",
    # The GTK platform theme would bring the build machine's GTK stack along; Qt's own theme
    # and the desktop portal remain.
    "PySide6/Qt/plugins/platformthemes/libqgtk3*",
    "libgtk-3*",
    "libgdk-3*",
    "libgdk_pixbuf*",
    "libatk*",
    "libcairo*",
    "libpango*",
    "libepoxy*",
    "libthai*",
    "libdatrie*",
    "libfribidi*",
    "libpixman*",
    "libgraphite2*",
    "PySide6/Qt/plugins/wayland-*",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/platforminputcontexts/*",
    "PySide6/Qt/plugins/qmltooling/*",
    "PySide6/Qt/plugins/sqldrivers/*",
    "PySide6/Qt/plugins/designer/*",
    "PySide6/Qt/plugins/virtualkeyboard/*",
    "PySide6/Qt/plugins/tls/*",
    "PySide6/Qt/plugins/networkinformation/*",
    "PySide6/Qt/plugins/generic/*",
    # matplotlib renders reports with Agg; its sample data and other backends' assets go.
    "matplotlib/mpl-data/sample_data/*",
    "matplotlib/backends/web_backend/*",
]

# Libraries stripped although they have an RPATH (torch's build sets it, not auditwheel).
STRIPPED = [
    "torch/lib/libtorch_cpu.so",
    "torch/lib/libtorch_python.so",
    "libpython3*.so*",
    "python3*/lib-dynload/*.so",
]

# Of Qt's platform and image-format plugins only these are kept: X11 (xcb, which XWayland also
# serves), offscreen for headless runs, and the native ones of Windows and macOS; image
# formats for cover art (JPEG, PNG built in, WebP, GIF) and the SVG icon.
KEPT_PLUGINS = {
    "platforms": {"qxcb", "qoffscreen", "qwindows", "qcocoa", "qminimal"},
    "imageformats": {"qjpeg", "qsvg", "qwebp", "qgif", "qico"},
}


def _plugin_name(path: PurePosixPath) -> str:
    stem = path.name.split(".")[0]
    return stem.removeprefix("lib")


def keep(destination: str) -> bool:
    """Whether a file collected for `destination` (a path inside the bundle) is shipped."""
    path = PurePosixPath(destination.replace("\\", "/"))
    posix = path.as_posix()
    if any(fnmatchcase(posix, rule) for rule in KEPT):
        return True
    if any(fnmatchcase(posix, rule) for rule in DROPPED):
        return False
    parts = path.parts
    for folder, names in KEPT_PLUGINS.items():
        if folder in parts and "plugins" in parts[: parts.index(folder)]:
            return _plugin_name(path) in names
    return True


def trimmed(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The entries to ship; prints how much the rules left out, for the build log."""
    kept: list[tuple[str, str, str]] = []
    dropped_bytes = 0
    dropped_count = 0
    for entry in entries:
        if keep(entry[0]):
            kept.append(entry)
            continue
        dropped_count += 1
        if os.path.isfile(entry[1]):
            dropped_bytes += os.path.getsize(entry[1])
    print(f"trim: left out {dropped_count} files, {dropped_bytes / 1e6:.1f} MB")
    return kept


def strippable(destination: str, source: str) -> bool:
    """Whether the library collected from `source` for `destination` is stripped: a STRIPPED
    one, or one with a symbol table and neither of auditwheel's marks (see the module doc)."""
    if any(fnmatchcase(destination, rule) for rule in STRIPPED):
        return True
    if ".libs/" in destination.replace("\\", "/") or not shutil.which("readelf"):
        return False
    elf = subprocess.run(
        ["readelf", "--dynamic", "--section-headers", "--wide", source],
        capture_output=True,
        text=True,
    ).stdout  # empty for a file that is not ELF
    return ".symtab" in elf and "(RPATH)" not in elf and "(RUNPATH)" not in elf


def stripped(entries: Iterable[tuple[str, str, str]], cache: Path) -> list[tuple[str, str, str]]:
    """The entries with the strippable libraries replaced by stripped copies made in `cache`."""
    result: list[tuple[str, str, str]] = []
    for destination, source, kind in entries:
        library = kind in ("BINARY", "EXTENSION") and os.path.isfile(source)
        if library and shutil.which("strip") and strippable(destination, source):
            copy = cache / destination
            if not copy.exists() or copy.stat().st_mtime < os.path.getmtime(source):
                copy.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(["strip", "--strip-unneeded", "-o", str(copy), source], check=True)
            source = str(copy)
        result.append((destination, source, kind))
    return result
