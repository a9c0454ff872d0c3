"""What the frozen bundle leaves out: files a desktop user never runs, as globs on bundle paths.

The spec filters PyInstaller's collected files (`Analysis.binaries` and `Analysis.datas`, each an
entry `(destination, source, kind)`) through `keep()`. The hooks collect whole packages; these
rules drop torch's C++ test programs, headers and build files, Qt's translations and the Qt
plugins and libraries this app never loads, and the test suites that ship inside wheels.
Everything here is on the bundle's destination paths, so the rules read the same on every OS.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

# Globs on the destination path inside the bundle (forward slashes; `*` crosses folders).
DROPPED = [
    # torch: C++ test binaries, protoc, headers, CMake files, test libraries.
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
    "PySide6/Qt/lib/libQt6Quick*",
    "PySide6/Qt/lib/libQt6Qml*",
    "PySide6/Qt/lib/libQt6Pdf*",
    "PySide6/Qt/lib/libQt6VirtualKeyboard*",
    "PySide6/Qt/lib/libQt6WebEngine*",
    "PySide6/Qt/lib/libQt6Designer*",
    "PySide6/Qt/lib/libQt63D*",
    "PySide6/Qt/lib/libQt6Wayland*",
    "PySide6/Qt/lib/libQt6EglFS*",
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
