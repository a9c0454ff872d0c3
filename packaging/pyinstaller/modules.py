"""Which Python packages the frozen bundle leaves out, though PyInstaller would find them.

PyInstaller follows every import it can see, including the optional ones inside torch, sklearn,
narwhals and alembic's extensions; whatever happens to be installed in the build environment
then lands in the bundle (pyarrow alone is 160 MB). Two lists keep the bundle to what the app
runs: packages it never imports, and optional packages bundled only when pyproject.toml makes
them a dependency of the project (ONNX Runtime for inference, a PostgreSQL driver, ...).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

NEVER_IMPORTED = [
    # Tests, notebooks and other GUI toolkits.
    "tkinter",
    "IPython",
    "pytest",
    "_pytest",
    "py",
    "hypothesis",
    "librosa",
    "PyQt5",
    "PyQt6",
    "gi",
    # Only torch's C++ extension builder, TensorBoard writer and graph tools use these; sympy
    # stays: torch.optim imports torch._dynamo, which needs it.
    "setuptools",
    "torch.utils.tensorboard",
    "networkx",
    # mako (alembic) falls back to plain text without pygments; numba comes from torch's tests.
    "pygments",
    "numba",
    "llvmlite",
    # Network file systems and HTTP, reached only through fsspec and torch.distributed.
    "fsspec",
    "requests",
    "urllib3",
    "cryptography",
]

# Import names of optional packages: bundled only when the project depends on them.
OPTIONAL = [
    "onnxruntime",
    "onnx",
    "onnxscript",
    "onnx_ir",
    "psycopg",
    "psycopg2",
    "pandas",
    "pyarrow",
    "polars",
    "duckdb",
    "dask",
    "ibis",
    "pyspark",
    "modin",
    "sqlframe",
    "ray",
]


# The bundle does everything the installed app does, training included, so it carries the
# `train` extra as well as the dependencies (torch, and onnx for writing a trained model's
# ONNX form).
BUNDLED_EXTRAS = ("train",)

# The torch-free "classify and tag" variant (`TAGGER_BUNDLE=classify pyinstaller tagger.spec`):
# the dependencies alone, as `pip install metal-hardcore-tagger` installs them. The CLI's
# train, evaluate and export commands then say that they need the `train` extra. These import
# names are what the `train` extra brings (and torch's own sympy/mpmath), which PyInstaller
# would otherwise still find through tagger.training's imports.
TRAIN_ONLY = ["torch", "onnx", "onnxscript", "onnx_ir", "matplotlib", "sklearn", "sympy", "mpmath"]


def variant() -> str:
    """Which bundle the spec builds: "full" (default) or "classify" ($TAGGER_BUNDLE)."""
    name = os.environ.get("TAGGER_BUNDLE", "full")
    if name not in ("full", "classify"):
        raise ValueError(f"TAGGER_BUNDLE={name!r}: expected 'full' or 'classify'")
    return name


def project_dependencies(root: Path) -> set[str]:
    """The distributions the bundle carries: the project's dependencies and BUNDLED_EXTRAS
    (pyproject.toml; not in the classify variant), as import-style names."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    bundled_extras = BUNDLED_EXTRAS if variant() == "full" else ()
    dependencies = [
        *project["dependencies"],
        *(d for e in bundled_extras for d in extras.get(e, [])),
    ]
    names = (re.split(r"[\s<>=!~;\[(]", d, maxsplit=1)[0] for d in dependencies)
    return {name.lower().replace("-", "_") for name in names}


def optional_used(root: Path) -> list[str]:
    """The optional packages the project depends on: imported by name into the bundle."""
    dependencies = project_dependencies(root)
    return [name for name in OPTIONAL if name.lower() in dependencies]


def excluded(root: Path) -> list[str]:
    """Every package the bundle leaves out, for a source tree at `root`."""
    used = set(optional_used(root))
    train_only = TRAIN_ONLY if variant() == "classify" else []
    return (
        NEVER_IMPORTED + train_only + [n for n in OPTIONAL if n not in used and n not in train_only]
    )
