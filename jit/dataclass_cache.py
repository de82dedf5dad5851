"""Startup: the methods that ``@dataclass`` generates for wxjit's classes, compiled once per install.

``dataclasses`` writes the source of every generated method (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, frozen ``__setattr__``...) and compiles it with ``exec`` each time a class is defined:
about 0.5 ms per class, 15-30 ms of every ``wxjit`` start for the ~30 dataclasses that running a
module imports. ``install()`` (called by ``import jit``) makes CPython 3.11's ``dataclasses._create_fn``
look the compiled code of that source up in a file beside the package's bytecode caches
(``jit/__pycache__/dataclass-methods.<cache tag>.marshal``), keyed by the exact source text, and
compile only what is missing. The code is the one ``exec`` would compile from the same text, and it
runs the same way (with the class's module globals and the same closure values), so the classes
are identical to stock ones.

Guarantees: only classes defined in ``jit`` modules are affected (others go to the stock function
untouched); nothing changes on another Python version or when ``_create_fn`` is not the one known
here (the stock path runs); a missing, unreadable or damaged cache file means compiling as usual;
new entries are written at exit (atomically, never when ``sys.dont_write_bytecode``), and an
unwritable directory only means no cache. The file has the trust of the ``.pyc`` files beside it.

``dataclasses`` also imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``: 4-5 ms), which it uses
only to write a docstring for a class that has none. When this module is the first to import
``dataclasses`` (CPython 3.11, ``inspect`` not yet imported), the name ``inspect`` in ``dataclasses``
is bound to a stand-in that imports the real module on first attribute access and forwards to it:
nothing changes but when ``inspect`` is imported (every wxjit dataclass has a docstring, so running
a module never needs it). ``sys.modules`` holds the stand-in only while ``dataclasses`` is imported.
"""
from __future__ import annotations

import marshal
import os
import sys
import threading
import types
from typing import Any


class _InspectOnDemand(types.ModuleType):
    """``dataclasses``' ``inspect`` until first used: the real module, imported on first access."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_inspect(), name)


_inspect_lock = threading.RLock()    # re-entrant: importing inspect never waits on itself
_inspect_stand_in = _InspectOnDemand("inspect")


def _real_inspect() -> Any:
    """Import ``inspect`` (the stand-in leaves ``sys.modules`` first) and give it to ``dataclasses``."""
    with _inspect_lock:
        if sys.modules.get("inspect") is _inspect_stand_in:
            del sys.modules["inspect"]
        import inspect
        dataclasses.inspect = inspect  # type: ignore[attr-defined]
        return inspect


def _import_dataclasses() -> Any:
    """``import dataclasses``, with ``inspect`` deferred when this is the first import of both."""
    if sys.version_info[:2] != (3, 11) or "dataclasses" in sys.modules or "inspect" in sys.modules:
        import dataclasses
        return dataclasses
    sys.modules["inspect"] = _inspect_stand_in
    try:
        import dataclasses
    finally:
        with _inspect_lock:
            if sys.modules.get("inspect") is _inspect_stand_in:
                del sys.modules["inspect"]
    return dataclasses


dataclasses = _import_dataclasses()

_PATH = os.path.join(os.path.dirname(__file__), "__pycache__",
                     f"dataclass-methods.{sys.implementation.cache_tag}.marshal")
_MAX_ENTRIES = 4096                 # beyond this (stale sources piling up) the file starts afresh
_stock = dataclasses._create_fn     # type: ignore[attr-defined]
_code: dict[str, Any] | None = None
_new = 0
_lock = threading.Lock()


def _known_create_fn() -> bool:
    """Whether ``dataclasses._create_fn`` is CPython 3.11's, whose behaviour ``_create_fn`` repeats."""
    code = getattr(_stock, "__code__", None)
    return (sys.version_info[:2] == (3, 11) and code is not None
            and code.co_varnames[:6] == ("name", "args", "body", "globals", "locals", "return_type"))


def _load() -> dict[str, Any]:
    try:
        with open(_PATH, "rb") as f:
            table = marshal.loads(f.read())     # marshal.load(f) reads piece by piece: slower
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if type(table) is not dict or not all(type(k) is str and type(v) is _CODE for k, v in table.items()):
        return {}
    return table


_CODE = type(_known_create_fn.__code__)


def _create_fn(name: str, args: Any, body: Any, *, globals: Any = None, locals: Any = None,  # noqa: A002
               return_type: Any = dataclasses.MISSING) -> Any:
    """CPython 3.11's ``dataclasses._create_fn`` with the compiled code of the text looked up first."""
    global _code, _new
    if globals is None or not str(globals.get("__name__", "")).startswith("jit."):
        return _stock(name, args, body, globals=globals, locals=locals, return_type=return_type)
    if locals is None:
        locals = {}
    return_annotation = ""
    if return_type is not dataclasses.MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    args = ",".join(args)
    body = "\n".join(f"  {b}" for b in body)
    txt = f" def {name}({args}){return_annotation}:\n{body}"
    local_vars = ", ".join(locals.keys())
    txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
    with _lock:
        if _code is None:
            _code = _load()
        code = _code.get(txt)
        if code is None:
            code = _code[txt] = compile(txt, "<string>", "exec")
            _new += 1
    ns: dict[str, Any] = {}
    exec(code, globals, ns)  # noqa: S102 - the code dataclasses itself would exec from this text
    return ns["__create_fn__"](**locals)


def save() -> None:
    """Write the table if this process compiled new entries (atomically; errors mean no cache)."""
    global _new
    with _lock:
        if not _new or _code is None or sys.dont_write_bytecode:
            return
        table = _code if len(_code) <= _MAX_ENTRIES else {}
        _new = 0
        tmp = f"{_PATH}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(_PATH), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(marshal.dumps(table))
            os.replace(tmp, _PATH)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def install() -> None:
    """Route ``dataclasses._create_fn`` through the cache (CPython 3.11 only; idempotent)."""
    if dataclasses._create_fn is _create_fn or not _known_create_fn():  # type: ignore[attr-defined]
        return
    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]
    import atexit
    atexit.register(save)
