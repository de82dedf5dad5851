"""The package layering of ``jit`` (docs/architecture.md, "Layers"), read from the source with ``ast``.

Every ``import`` / ``from ... import`` counts, wherever it is (module level, inside functions);
relative imports are resolved. Imports under ``if TYPE_CHECKING:`` never run: they count for the
package rules, not for module cycles (a lowering family annotating ``self: FunctionCompiler`` is
not a cycle). The test fails on a cycle between modules, on two packages importing each other, and on
an import that points up the layer order
abi < wasm < x64 · codemem < parallel < runtime < pipeline < users (wasi, cache, cli, commands,
benchmarks, pool, fuzz, spec tools).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "jit"

# Top-level unit (a subpackage or a module of jit) -> its layer. An import must point to a lower
# layer; only the users on top may import each other (one way: no mutual imports, no cycles).
LAYERS: dict[str, float] = {
    "errors": 0, "dataclass_cache": 0, "_accel": 0,
    "native": 0.5, "wat": 0.5,     # the cffi extension; Wasm text -> binary (wasm-tools)
    "abi": 1,
    "wasm": 2,
    "x64": 3, "codemem": 3,
    "parallel": 4,          # the compiler run in several processes (x64's driver)
    "runtime": 5,
    "pipeline": 6,
}
USERS = 7
for _name in ("wasi", "cache", "cli", "commands", "benchmarks", "pool", "fuzz", "spectest", "specrunner"):
    LAYERS[_name] = USERS


def _modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts.pop()
        mods[".".join(parts)] = (path, is_pkg)
    return mods


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module of ``jit`` that defines ``name`` (a module, or an attribute of one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


EXTENSIONS = {"jit._native": "native"}      # compiled, not .py


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                out.update(id(n) for n in ast.walk(stmt))
    return out


def import_graph(*, type_checking: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, (path, is_pkg) in MODULES.items():
        graph[mod]
        package = mod if is_pkg else mod.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = set() if type_checking else _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    full = ".".join(base + ([node.module] if node.module else []))
                else:
                    full = node.module or ""
                # ``from pkg import sub`` imports the submodule when there is one
                targets = [f"{full}.{a.name}" if f"{full}.{a.name}" in MODULES | EXTENSIONS.keys() else full
                           for a in node.names]
            for t in targets:
                if t in EXTENSIONS:
                    continue
                if t == "jit" or t.startswith("jit."):
                    owner = _owner(t)
                    if owner and owner != mod:
                        graph[mod].add(owner)
    return graph


GRAPH = import_graph(type_checking=False)      # what runs
TYPED = import_graph(type_checking=True)       # what runs or annotates


def unit(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "jit"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def package_graph() -> dict[str, set[str]]:
    pg: dict[str, set[str]] = defaultdict(set)
    for a, targets in TYPED.items():
        for b in targets:
            if unit(a) != unit(b) and b != "jit":
                pg[unit(a)].add(unit(b))
    return pg


def test_graph_is_read() -> None:
    assert "jit.abi.vmctx" in GRAPH["jit.x64.compiler"]           # from ..abi import vmctx as V
    assert "jit.abi.limits" in GRAPH["jit.pipeline"]
    assert any(m.startswith("jit.x64") for m in GRAPH["jit.pipeline"])   # imports inside functions


def test_no_module_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_no_two_packages_import_each_other() -> None:
    pg = package_graph()
    mutual = sorted({tuple(sorted((a, b))) for a in pg for b in pg[a] if a in pg.get(b, ())})
    assert mutual == []
    assert _cycles(pg) == []


def test_every_unit_has_a_layer() -> None:
    units = {unit(m) for m in MODULES} - {"jit"}
    assert sorted(units - set(LAYERS)) == []


def test_imports_point_down_the_layers() -> None:
    bad = []
    for a, targets in TYPED.items():
        for b in targets:
            ua, ub = unit(a), unit(b)
            if ua == ub or ua == "jit":
                continue
            if b == "jit":              # the public API (jit.Module, ...): for the users on top only
                if LAYERS[ua] != USERS:
                    bad.append(f"{a} -> jit (the package root)")
            elif LAYERS[ub] > LAYERS[ua] or (LAYERS[ub] == LAYERS[ua] and LAYERS[ua] != USERS):
                bad.append(f"{a} -> {b}")
    assert bad == []


def test_abi_imports_only_errors() -> None:
    outside = sorted({b for a, t in TYPED.items() if unit(a) == "abi" for b in t if unit(b) != "abi"})
    assert outside == ["jit.errors"]


def test_root_package_stays_cheap() -> None:
    # the rest is resolved lazily by name; jit.dataclass_cache and jit._accel import only the stdlib
    assert TYPED["jit"] <= {"jit.errors", "jit.dataclass_cache", "jit._accel"}


@pytest.mark.parametrize("mod", ["jit.runtime.module", "jit.runtime.instance", "jit.runtime.serialize"])
def test_runtime_never_reaches_the_compiler(mod: str) -> None:
    """Also at run time: loading the runtime imports neither the compiler nor the pipeline."""
    code = (f"import sys, {mod}; bad = [m for m in sys.modules if m.startswith(('jit.x64', 'jit.pipeline', "
            f"'jit.parallel'))]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_vmctx_header_is_current() -> None:
    from jit.abi import vmctx
    assert (ROOT / "native" / "vmctx.h").read_text() == vmctx.c_header(), \
        "regenerate: python -m jit.abi.vmctx > native/vmctx.h"
