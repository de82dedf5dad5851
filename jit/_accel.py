"""The compiled build: Cython-compiled copies of the compiler's hot modules, used only when current.

``pip install -e .`` (``setup.py``) compiles the modules in ``MODULES`` with Cython into ``jit/_compiled/``
(``<dotted name><extension suffix>``, e.g. ``jit.x64.encoder.cpython-311-x86_64-linux-gnu.so``) and
writes ``jit/_compiled/manifest.txt``: per module, the file and the BLAKE2b hash of the ``.py`` source
it was compiled from. ``install()`` (called by ``import jit``) puts a finder in front of
``sys.meta_path`` that, for a module in the manifest, loads the compiled file instead of the source.

Guarantees:

- a compiled module is used only if its source file's hash is the one it was built from: after
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
MANIFEST = os.path.join(COMPILED_DIR, "manifest.txt")
PURE_ENV = "WXJIT_PURE_PYTHON"


def source_path(module: str, package_dir: str = PACKAGE_DIR) -> str:
    """The ``.py`` file of ``module`` (a dotted name under ``jit``) in the package at ``package_dir``."""
    return os.path.join(package_dir, *module.split(".")[1:]) + ".py"


def source_hash(path: str) -> str:
    """BLAKE2b of the file (``_blake2`` directly: ``hashlib`` costs ~2.5 ms of startup, OpenSSL included)."""
    try:
        from _blake2 import blake2b
    except ImportError:              # not CPython's stock build
        from hashlib import blake2b
    with open(path, "rb") as f:
        return blake2b(f.read()).hexdigest()


def write_manifest(path: str, ext_suffix: str, modules: dict[str, tuple[str, str]]) -> None:
    """The manifest: ``ext_suffix <suffix>``, then ``<module> <file> <source hash>`` per line (no json:
    reading it is part of every ``wxjit run``)."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(f"ext_suffix {ext_suffix}\n")
        for name in sorted(modules):
            f.write(f"{name} {modules[name][0]} {modules[name][1]}\n")
    os.replace(tmp, path)


def read_manifest(path: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """(extension suffix, module -> (file, source hash)); ValueError if damaged."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    key, _, suffix = lines[0].partition(" ") if lines else ("", "", "")
    if key != "ext_suffix" or not suffix:
        raise ValueError("no ext_suffix line")
    modules = {}
    for line in lines[1:]:
        name, file, digest = line.split()
        modules[name] = (file, digest)
    return suffix, modules


@dataclass(frozen=True)
class Status:
    """Where the compiled modules came from in this process."""

    mode: str                   # "compiled" (every module), "partial", "pure"
    compiled: tuple[str, ...]   # modules imported from the compiled build
    reason: str                 # why not (all) compiled: "", "WXJIT_PURE_PYTHON=1", "no compiled build", ...


class _Finder:
    """A meta-path finder for ``MODULES``: the compiled file if it was built from the current source."""

    def __init__(self, package_dir: str = PACKAGE_DIR, compiled_dir: str = COMPILED_DIR) -> None:
        self.package_dir, self.compiled_dir = package_dir, compiled_dir
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, str]] | None = None
        self.reason = ""
        self.used: list[str] = []
        self.stale: list[str] = []

    def _manifest(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            if self._entries is None:
                self._entries = {}
                try:
                    suffix, modules = read_manifest(os.path.join(self.compiled_dir, "manifest.txt"))
                    if suffix not in importlib.machinery.EXTENSION_SUFFIXES:
                        self.reason = f"compiled build is for another Python ({suffix})"
                    else:
                        self._entries = modules
                except FileNotFoundError:
                    self.reason = "no compiled build"
                except (OSError, ValueError, UnicodeDecodeError) as exc:
                    self.reason = f"unreadable compiled-build manifest: {exc}"
            return self._entries

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _WANTED:
            return None
        entry = self._manifest().get(fullname)
        if entry is None:
            return None
        try:
            src = source_path(fullname, self.package_dir)
            current = source_hash(src)
            so = os.path.join(self.compiled_dir, entry[0])
            if current != entry[1] or not os.path.exists(so):
                self.stale.append(fullname)
                return None
        except OSError:
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
