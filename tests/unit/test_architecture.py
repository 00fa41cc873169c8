"""The tree shows the architecture: imports point one way, no cycles, small functions.

Read with :mod:`ast` (nothing is imported), so a violation anywhere in the tree fails here with
its file and line. ``python -m tests.unit.test_architecture`` lists the long functions of the
whole tree.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("mappings", "harvesters", "service", "simulators")
#: what each layer must not import: ``mappings`` <- ``harvesters`` <- ``service`` (the demo's
#: simulators are for ``service`` only)
FORBIDDEN = {
    "mappings": ("harvesters", "service", "simulators"),
    "harvesters": ("service", "simulators"),
}
MAX_FUNCTION_LINES = 40
#: where the 40-line rule is enforced: everywhere but the simulators and the benchmarks (issue #17)
SMALL_FUNCTION_TREES = ("harvesters", "mappings", "service", "scripts", "tests")


def module_files() -> dict[str, Path]:
    """Every module of our packages, by dotted name (a package by its own name)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The import nodes under ``if TYPE_CHECKING:`` (they never run, so they make no cycle)."""
    guarded: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(n for child in node.body for n in ast.walk(child))
    return guarded


def imported_modules(path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """Our modules that ``path`` imports at run time, each with the line of its first import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = _type_checking_only(tree)
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if node in guarded:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            targets = [name if name in modules else node.module for name in names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules:
                found.setdefault(target, node.lineno)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """Module -> the modules it imports (with the line)."""
    modules = module_files()
    return {name: imported_modules(path, modules) for name, path in modules.items()}


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """Imports from a lower layer into a higher one (``mappings`` importing ``harvesters``...)."""
    found = []
    for module, targets in graph.items():
        forbidden = FORBIDDEN.get(module.split(".")[0], ())
        for target, line in targets.items():
            if target.split(".")[0] in forbidden:
                found.append(f"{module} (line {line}) imports {target}")
    return found


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = [stack.pop()]
            while component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return cycles


def long_functions(trees: tuple[str, ...], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``path:line name (N lines)`` for every function or method longer than ``limit`` lines."""
    found = []
    for tree_name in trees:
        for path in sorted((ROOT / tree_name).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > limit:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_imports_point_one_way() -> None:
    assert upward_imports(import_graph()) == []


def test_there_are_no_import_cycles() -> None:
    assert import_cycles(import_graph()) == []


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    """The checks themselves catch what they are for (so an empty answer above means something)."""
    graph = {"mappings.a": {"harvesters.b": 3}, "harvesters.b": {"mappings.a": 1}, "service.c": {}}
    assert upward_imports(graph) == ["mappings.a (line 3) imports harvesters.b"]
    assert import_cycles(graph) == [["harvesters.b", "mappings.a"]]
    assert len(import_graph()["harvesters.base"]) > 3  # the real tree is read, not an empty one


@pytest.mark.parametrize("tree", SMALL_FUNCTION_TREES)
def test_functions_are_at_most_40_lines(tree: str) -> None:
    assert long_functions((tree,)) == []


def test_the_length_check_sees_a_long_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(45))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text(f"def long():\n{body}\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert long_functions(("pkg",)) == ["pkg/long.py:1 long (46 lines)"]


if __name__ == "__main__":
    print("\n".join(long_functions(PACKAGES)) or "no function is longer than 40 lines")
