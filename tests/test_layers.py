"""The layers of docs/architecture.md, checked on the code: every `import` in `tagger/` (those
inside functions too) is read with `ast`, and an import that points up or sideways, a cycle
between packages, Qt outside `gui/` or torch loaded by a CLI module at import time fails.

The layer table is written once, here, and `docs/architecture.md`'s diagram is checked
against it, so the document and the test cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tagger"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# From the top down; packages in one row are on the same level and must not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("gui", "cli"),  # the two front ends
    ("service",),  # the Qt-free application service both front ends call
    ("library",),
    ("training",),
    ("model",),
    ("audio", "tags"),  # the ground floor
)
RANK = {package: level for level, row in enumerate(LAYERS) for package in row}

# The one sideways import: `tagger gui` opens the window, inside its command function only, so
# the other commands never load Qt.
LAZY_SIDEWAYS = {("tagger.cli.gui", "gui")}

QT_PACKAGES = ("PySide6", "shiboken6")


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name, e.g. tagger.cli.gui
    target: str  # dotted module name it names, e.g. tagger.gui.app or torch
    line: int
    in_function: bool

    def where(self) -> str:
        scope = "in a function" if self.in_function else "at module level"
        return f"{self.importer}:{self.line} imports {self.target} ({scope})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
    """The absolute name of `from <level dots><module> import ...` written in `importer`."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(path: Path) -> Iterator[Import]:
    importer = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    yield from _walk(tree, importer, is_package, in_function=False)


def _walk(node: ast.AST, importer: str, is_package: bool, in_function: bool) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield Import(importer, alias.name, child.lineno, in_function)
        elif isinstance(child, ast.ImportFrom):
            base = _resolve(importer, is_package, child.module, child.level)
            for alias in child.names:
                # `from tagger.gui import app` names the module tagger.gui.app; `from x import
                # name` names x (the layer is the same either way).
                yield Import(importer, f"{base}.{alias.name}", child.lineno, in_function)
        # A function body, or an `if TYPE_CHECKING:` block, does not run when the module loads.
        nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        nested = nested or _is_type_checking_block(child)
        yield from _walk(child, importer, is_package, nested)


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def all_imports() -> list[Import]:
    return [i for path in sorted(PACKAGE.rglob("*.py")) for i in imports_of(path)]


def layer_of(module: str) -> str | None:
    """The layer package of a `tagger` module; None outside `tagger` and for the root modules:
    `tagger/__init__.py` only holds the version and the app's name, which any layer may read, and
    `tagger/__main__.py` is the entry point above all layers."""
    parts = module.split(".")
    root_names = ("__version__", "APP_NAME", "__main__")
    if parts[0] != "tagger" or len(parts) < 2 or parts[1] in root_names:
        return None
    return parts[1]


def layer_violations(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        if not imp.target.startswith("tagger"):
            continue
        if imp.target.startswith("tagger.__main__"):
            problems.append(f"{imp.where()}: nothing imports the entry point")
            continue
        source, target = layer_of(imp.importer), layer_of(imp.target)
        if source is None or target is None or source == target:
            continue
        for package in (source, target):
            if package not in RANK:
                problems.append(f"{imp.where()}: tagger/{package}/ is in no layer")
        if source not in RANK or target not in RANK:
            continue
        if RANK[target] < RANK[source]:
            problems.append(f"{imp.where()}: upward, {source} -> {target}")
        elif RANK[target] == RANK[source]:
            allowed = (imp.importer, target) in LAZY_SIDEWAYS and imp.in_function
            if not allowed:
                problems.append(f"{imp.where()}: sideways, {source} -> {target}")
    return sorted(set(problems))


def package_cycles(imports: list[Import]) -> list[list[str]]:
    """Cycles in the graph of layer packages (strongly connected components of two or more)."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        source, target = layer_of(imp.importer), layer_of(imp.target)
        if source and target and source != target:
            edges.setdefault(source, set()).add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph has a handful of nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def qt_outside_gui(imports: list[Import]) -> list[str]:
    return [
        f"{imp.where()}: Qt outside tagger/gui/"
        for imp in imports
        if imp.target.split(".")[0] in QT_PACKAGES and layer_of(imp.importer) != "gui"
    ]


def torch_at_cli_import(imports: list[Import]) -> list[str]:
    return [
        f"{imp.where()}: the CLI must load torch only inside the command that needs it"
        for imp in imports
        if imp.target.split(".")[0] == "torch"
        and layer_of(imp.importer) == "cli"
        and not imp.in_function
    ]


def torch_chains_from_cli(imports: list[Import]) -> list[str]:
    """Module-level import chains from a CLI module to torch through other `tagger` modules:
    each one makes `tagger --help` pay for loading torch (seconds)."""
    eager: dict[str, set[str]] = {}
    for imp in imports:
        if not imp.in_function:
            eager.setdefault(imp.importer, set()).add(imp.target)
    modules = set(eager)

    def as_module(target: str) -> str | None:
        """`from tagger.model import checkpoint` names a module; `from x import name`, x."""
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    chains = []
    for start in sorted(m for m in modules if layer_of(m) == "cli"):
        seen, frontier = {start: [start]}, [start]
        while frontier:
            module = frontier.pop(0)
            for target in sorted(eager.get(module, ())):
                if target.split(".")[0] == "torch":
                    chains.append(" -> ".join([*seen[module], "torch"]))
                    frontier = []
                    break
                nxt = as_module(target)
                if nxt and nxt not in seen and nxt.startswith("tagger"):
                    seen[nxt] = [*seen[module], nxt]
                    frontier.append(nxt)
    return chains


def documented_layers(text: str) -> list[tuple[str, ...]]:
    """The rows of the diagram under `## Layers`: the `name/` words at the start of its lines,
    one row per line (`gui/ and cli/` on one line are one level)."""
    section = text.split("## Layers", 1)[1]
    block = section.split("```", 2)[1]
    rows = []
    for line in block.splitlines():
        lead = re.match(r"\s*((?:\w+/(?:\s*(?:,|and)\s*)?)+)", line)
        if lead:
            rows.append(tuple(re.findall(r"(\w+)/", lead.group(1))))
    return rows


# --- the checks on the code ------------------------------------------------------------------


def test_imports_only_point_down_the_layers():
    imports = all_imports()
    cycles = [f"cycle between {' and '.join(c)}" for c in package_cycles(imports)]
    assert layer_violations(imports) + cycles == []


def test_qt_only_in_gui():
    assert qt_outside_gui(all_imports()) == []


def test_cli_modules_do_not_load_torch_at_import():
    assert torch_at_cli_import(all_imports()) == []


def test_cli_modules_do_not_load_torch_through_other_modules():
    assert torch_chains_from_cli(all_imports()) == []


def test_every_tagger_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(RANK) == set()


def test_architecture_document_shows_the_same_layers():
    assert documented_layers(ARCHITECTURE.read_text(encoding="utf-8")) == list(LAYERS)


# --- the checker itself, on small made-up packages -------------------------------------------


def _imports(source: str, importer: str = "tagger.cli.gui") -> list[Import]:
    tree = ast.parse(source)
    return list(_walk(tree, importer, is_package=False, in_function=False))


def test_checker_sees_imports_inside_functions_and_relative_ones():
    found = _imports("def run():\n    from ..gui.app import run\n    import torch\n")
    assert [(i.target, i.in_function) for i in found] == [
        ("tagger.gui.app.run", True),
        ("torch", True),
    ]


def test_checker_rejects_upward_and_sideways_imports():
    upward = _imports("from tagger.cli import main\n", importer="tagger.library.store")
    assert any("upward, library -> cli" in p for p in layer_violations(upward))
    eager_gui = _imports("from tagger.gui.app import run\n", importer="tagger.cli.gui")
    assert any("sideways, cli -> gui" in p for p in layer_violations(eager_gui))
    lazy_gui = _imports("def f():\n    from tagger.gui.app import run\n")
    assert layer_violations(lazy_gui) == []
    elsewhere = _imports("def f():\n    from tagger.gui import app\n", "tagger.cli.classify")
    assert layer_violations(elsewhere) != []
    down = _imports("from tagger.audio.decode import read\n", importer="tagger.model.predictor")
    assert layer_violations(down) == []


def test_checker_finds_a_cycle_qt_and_eager_torch():
    both_ways = _imports("import tagger.model.network\n", "tagger.audio.mel") + _imports(
        "import tagger.audio.mel\n", "tagger.model.network"
    )
    assert package_cycles(both_ways) == [["audio", "model"]]
    assert qt_outside_gui(_imports("from PySide6.QtCore import Qt\n", "tagger.library.x")) != []
    assert torch_at_cli_import(_imports("import torch\n", "tagger.cli.classify")) != []
    assert torch_at_cli_import(_imports("def f():\n    import torch\n", "tagger.cli.x")) == []
    through_model = _imports("from tagger.model import net\n", "tagger.cli.x") + _imports(
        "import torch\n", "tagger.model.net"
    )
    assert torch_chains_from_cli(through_model) == ["tagger.cli.x -> tagger.model.net -> torch"]
    lazily = _imports("def f():\n    from tagger.model import net\n", "tagger.cli.x")
    assert torch_chains_from_cli(lazily + _imports("import torch\n", "tagger.model.net")) == []


def test_documented_layers_reads_rows_of_the_diagram():
    text = "## Layers\n\n```\n  gui/ and cli/   front ends\n     |\n  audio/, tags/  floor\n```\n"
    assert documented_layers(text) == [("gui", "cli"), ("audio", "tags")]
