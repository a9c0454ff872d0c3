"""The data files the frozen app needs, as PyInstaller `(source, destination folder)` pairs.

They sit where the installed package has them, so the app's own lookups work unchanged:
pyproject.toml's package data (the bundled model and its card, the icon, the demo corpus's word
lists) is read from there, so a file declared once for the wheel is in the bundle too. Alembic
runs env.py and the revisions from files next to the store module, so they ship as source; the
installers find the desktop entry and AppStream file under share/.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

APP_ID = "io.github.metal_hardcore_tagger"


def _setuptools(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]


def relocated_packages(root: Path) -> dict[str, str]:
    """Packages whose folder is not their dotted path (pyproject's package-dir)."""
    return dict(_setuptools(root).get("package-dir", {}))


def data_files(root: Path) -> list[tuple[str, str]]:
    """Every data file of the bundle, for a source tree at `root`."""
    setuptools = _setuptools(root)
    folders = relocated_packages(root)
    files: list[tuple[str, str]] = []
    for package, patterns in setuptools.get("package-data", {}).items():
        source = root / folders.get(package, package.replace(".", "/"))
        destination = package.replace(".", "/")
        for pattern in patterns:
            files += [(str(p), destination) for p in sorted(source.glob(pattern))]
    # A relocated package is left out of PyInstaller's analysis (it would find the installed
    # copy, which may be another checkout's), so its __init__ travels with its data.
    for package, folder in folders.items():
        files.append((str(root / folder / "__init__.py"), package.replace(".", "/")))
    files += [
        (str(root / "tagger" / "library" / "migrations"), "tagger/library/migrations"),
        (str(root / "packaging" / f"{APP_ID}.desktop"), "share/applications"),
        (str(root / "packaging" / f"{APP_ID}.metainfo.xml"), "share/metainfo"),
    ]
    return files
