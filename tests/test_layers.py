"""The layers of docs/ARCHITECTURE.md, read off the code: imports point down, and never in a circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mtcheck"


def declared_layers() -> list[list[str]]:
    """The layers as docs/ARCHITECTURE.md lists them, lowest first: one line each, module names in backquotes."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers = [re.findall(r"`([a-z_.*]+)`", line) for line in section.splitlines() if re.match(r"\d+\. ", line)]
    return [layer for layer in layers if layer]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside ``if TYPE_CHECKING:``: annotations only, never executed."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return True
    return False


def imports_of(name: str) -> set[str]:
    """Every mtcheck module ``name`` imports, at the top or inside a function."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str, layers: list[list[str]]) -> int:
    """The layer whose most specific pattern matches ``name`` (``mtcheck.lang.*`` or ``mtcheck.checker``)."""
    best: tuple[int, int] | None = None
    for index, patterns in enumerate(layers):
        for pattern in patterns:
            exact = pattern == name
            prefix = pattern.endswith(".*") and (name == pattern[:-2] or name.startswith(pattern[:-1]))
            if exact or prefix:
                specificity = len(pattern) + (1000 if exact else 0)
                if best is None or specificity > best[1]:
                    best = (index, specificity)
    if best is None:
        raise AssertionError(f"{name} is in no layer of docs/ARCHITECTURE.md: add it to one")
    return best[0]


def test_every_module_has_a_layer():
    layers = declared_layers()
    assert len(layers) >= 6, "docs/ARCHITECTURE.md lists the layers under '## Layers', one numbered line each"
    for name in MODULES:
        layer_of(name, layers)


def upward_imports(graph: dict[str, set[str]], layers: list[list[str]]) -> list[str]:
    return sorted(f"{name} (layer {layer_of(name, layers) + 1}) imports {target} (layer {layer_of(target, layers) + 1})"
                  for name, targets in graph.items() for target in targets
                  if layer_of(target, layers) > layer_of(name, layers))


def find_circles(graph: dict[str, set[str]]) -> list[str]:
    circles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return circles


def test_imports_point_down():
    upward = upward_imports(GRAPH, declared_layers())
    assert not upward, "imports that run up a layer:\n" + "\n".join(upward)


def test_no_import_circles():
    circles = find_circles(GRAPH)
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_the_checks_catch_a_planted_circle_and_an_upward_import():
    graph = {"mtcheck.types": {"mtcheck.checker"}, "mtcheck.checker": {"mtcheck.align"}, "mtcheck.align": {"mtcheck.checker"}}
    layers = [["mtcheck.types"], ["mtcheck.align"], ["mtcheck.checker"]]
    assert upward_imports(graph, layers) == ["mtcheck.align (layer 2) imports mtcheck.checker (layer 3)",
                                             "mtcheck.types (layer 1) imports mtcheck.checker (layer 3)"]
    assert find_circles(graph) == ["mtcheck.align -> mtcheck.checker -> mtcheck.align"]


def test_function_level_imports_count(tmp_path: Path):
    """An import hidden inside a function is an import: the graph holds the CLI's lazy ones."""
    assert "mtcheck.batch.run" in GRAPH["mtcheck.cli"]


def test_importing_mtcheck_stays_light():
    """``import mtcheck`` loads no torch, transformers or pandas (notebooks and the CLI start fast)."""
    import subprocess
    import sys

    code = "import sys, mtcheck; print(','.join(m for m in ('torch', 'transformers', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
