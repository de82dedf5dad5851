"""The compiled build: Cython-compiled copies of the compiler's hot modules, used only when current.

``pip install -e .`` (``setup.py``) compiles the modules in ``MODULES`` with Cython into ``jit/_compiled/``
(``<dotted name><extension suffix>``, e.g. ``jit.x64.encoder.cpython-311-x86_64-linux-gnu.so``) and
writes ``jit/_compiled/manifest.json``: per module, the file and the SHA-256 of the ``.py`` source
it was compiled from. ``install()`` (called by ``import jit``) puts a finder in front of
``sys.meta_path`` that, for a module in the manifest, loads the compiled file instead of the source.

Guarantees:

- a compiled module is used only if its source file's SHA-256 is the one it was built from: after
  an edit (editable installs) the ``.py`` is imported, as if the compiled build were absent. The
  compiled files never sit next to the sources, so the stock import system never picks them up;
- no compiled build (never built, build failed, another Python version, a damaged manifest) means
  the pure-Python modules, silently; ``WXJIT_PURE_PYTHON=1`` forces them;
- the compiled modules are the same code (Cython in pure-Python mode, no type annotations used),
  so the compiler's output is byte-identical either way (``tests/test_accel.py``).

``status()`` says which modules came from the compiled build (``wxjit bench compile`` reports it).
Standard library only: this module runs in every ``import jit`` and in ``setup.py``.
"""
from __future__ import annotations

import importlib.machinery
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

# The compile path's hot modules (profile of the SQLite compile, docs/compiled-build.md). Cold ones
# (SIMD, GC, exceptions, tail calls...) stay Python: compiling them would only add install time.
MODULES: tuple[str, ...] = (
    "jit.wasm.leb",
    "jit.wasm.decoder",
    "jit.wasm.validator",
    "jit.x64.registers",
    "jit.x64.operands",
    "jit.x64.encoding",
    "jit.x64.emitter",
    "jit.x64.encoder",
    "jit.x64.stack",
    "jit.x64.context",
    "jit.x64.safepoints",
    "jit.x64.compiler",
    "jit.x64.lower.variables",
    "jit.x64.lower.integer",
    "jit.x64.lower.float",
    "jit.x64.lower.memory",
    "jit.x64.lower.control",
    "jit.x64.lower.calls",
)

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
COMPILED_DIR = os.path.join(PACKAGE_DIR, "_compiled")
MANIFEST = os.path.join(COMPILED_DIR, "manifest.json")
PURE_ENV = "WXJIT_PURE_PYTHON"


def source_path(module: str, package_dir: str = PACKAGE_DIR) -> str:
    """The ``.py`` file of ``module`` (a dotted name under ``jit``) in the package at ``package_dir``."""
    return os.path.join(package_dir, *module.split(".")[1:]) + ".py"


def source_hash(path: str) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@dataclass(frozen=True)
class Status:
    """Where the compiled modules came from in this process."""

    mode: str                   # "compiled" (every module), "partial", "pure"
    compiled: tuple[str, ...]   # modules imported from the compiled build
    reason: str                 # why not (all) compiled: "", "WXJIT_PURE_PYTHON=1", "no compiled build", ...


class _Finder:
    """A meta-path finder for ``MODULES``: the compiled file if it was built from the current source."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Any] | None = None
        self.reason = ""
        self.used: list[str] = []
        self.stale: list[str] = []

    def _manifest(self) -> dict[str, Any]:
        with self._lock:
            if self._entries is None:
                self._entries = {}
                import json

                try:
                    with open(MANIFEST, encoding="utf-8") as f:
                        data = json.load(f)
                    if data.get("ext_suffix") not in importlib.machinery.EXTENSION_SUFFIXES:
                        self.reason = f"compiled build is for another Python ({data.get('ext_suffix')})"
                    else:
                        self._entries = dict(data["modules"])
                except FileNotFoundError:
                    self.reason = "no compiled build"
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                    self.reason = f"unreadable compiled-build manifest: {exc}"
            return self._entries

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _WANTED:
            return None
        entry = self._manifest().get(fullname)
        if entry is None:
            return None
        try:
            src = source_path(fullname)
            current = source_hash(src)
            so = os.path.join(COMPILED_DIR, entry["file"])
            if current != entry["sha256"] or not os.path.exists(so):
                self.stale.append(fullname)
                return None
        except (OSError, KeyError, TypeError):
            self.stale.append(fullname)
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, so)
        spec = importlib.machinery.ModuleSpec(fullname, loader, origin=so)
        spec.has_location = True
        self.used.append(fullname)
        return spec


_WANTED = frozenset(MODULES)
_finder: _Finder | None = None


def install() -> None:
    """Put the finder in front of ``sys.meta_path`` (once), unless ``WXJIT_PURE_PYTHON=1``."""
    global _finder
    if _finder is not None or os.environ.get(PURE_ENV, "") not in ("", "0"):
        return
    _finder = _Finder()
    sys.meta_path.insert(0, _finder)


def status() -> Status:
    """Which of ``MODULES`` run compiled in this process (imports them all first)."""
    import importlib

    for name in MODULES:
        importlib.import_module(name)
    compiled = tuple(n for n in MODULES
                     if isinstance(getattr(sys.modules[n], "__loader__", None),
                                   importlib.machinery.ExtensionFileLoader))
    if _finder is None:
        reason = f"{PURE_ENV}=1" if os.environ.get(PURE_ENV, "") not in ("", "0") else "finder not installed"
    elif _finder.reason:
        reason = _finder.reason
    elif _finder.stale:
        reason = "source changed since the build: " + ", ".join(sorted(set(_finder.stale)))
    else:
        reason = "" if len(compiled) == len(MODULES) else "not in the compiled build: " + ", ".join(
            n for n in MODULES if n not in compiled)
    mode = "compiled" if len(compiled) == len(MODULES) else "partial" if compiled else "pure"
    return Status(mode, compiled, reason)
