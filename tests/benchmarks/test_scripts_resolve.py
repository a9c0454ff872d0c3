"""The benchmark scripts name only what the package has: a rename in `tagger` that a script
missed (refit_curve.py still called `train._start_network` for weeks) fails here, not in the
middle of someone's half-hour measurement."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = sorted((Path(__file__).parents[2] / "benchmarks").glob("*.py"))


def _tagger_names(tree: ast.AST) -> tuple[list[str], dict[str, ModuleType]]:
    """The `from tagger... import name` lines whose name the package lacks, and the modules
    bound to a local name (`import tagger.x as y`, or `from tagger import x`, x a module)."""
    missing: list[str] = []
    modules: dict[str, ModuleType] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tagger"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if value is None:  # a submodule its package does not import, or nothing
                    try:
                        value = importlib.import_module(f"{node.module}.{alias.name}")
                    except ModuleNotFoundError:
                        missing.append(f"from {node.module} import {alias.name}")
                        continue
                if isinstance(value, ModuleType):
                    modules[alias.asname or alias.name] = value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tagger") and alias.asname:
                    modules[alias.asname] = importlib.import_module(alias.name)
    return missing, modules


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_every_name_a_benchmark_takes_from_the_package_exists(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    missing, modules = _tagger_names(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and not hasattr(modules[node.value.id], node.attr)
        ):
            missing.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not missing, f"{script.name} names what the package lacks: {missing}"


def test_the_benchmarks_are_found() -> None:
    assert len(BENCHMARKS) > 20 and any(p.name == "refit_curve.py" for p in BENCHMARKS)
