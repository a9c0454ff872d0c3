"""The data files the frozen app needs, as PyInstaller `(source, destination folder)` pairs.

They sit where the installed package has them, so the app's own lookups work unchanged:
`importlib.resources` finds the bundled model and the icon, the library store finds Alembic's
scripts next to its module (Alembic runs env.py and the revisions from files, so they ship as
source), and the installers find the desktop entry and AppStream file under share/.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

APP_ID = "io.github.metal_hardcore_tagger"


def data_files(root: Path) -> list[tuple[str, str]]:
    """Every data file of the bundle, for a source tree at `root`."""
    models = root / "models"
    resources = root / "resources"
    return [
        # tagger.bundled_models and tagger.resources live outside tagger/ in the source tree
        # (pyproject's package-dir), so they are placed, __init__ included, by hand.
        (str(models / "__init__.py"), "tagger/bundled_models"),
        (str(models / "README.md"), "tagger/bundled_models"),
        *[(str(p), "tagger/bundled_models") for p in sorted(models.glob("*.safetensors"))],
        *[(str(p), "tagger/resources") for p in sorted(resources.iterdir()) if p.is_file()],
        (str(root / "tagger" / "library" / "migrations"), "tagger/library/migrations"),
        (str(root / "packaging" / f"{APP_ID}.desktop"), "share/applications"),
        (str(root / "packaging" / f"{APP_ID}.metainfo.xml"), "share/metainfo"),
    ]


def project_dependencies(root: Path) -> set[str]:
    """The distributions the project depends on (pyproject.toml), as import-style names."""
    dependencies = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    names = (re.split(r"[\s<>=!~;\[(]", d, maxsplit=1)[0] for d in dependencies)
    return {name.lower().replace("-", "_") for name in names}
