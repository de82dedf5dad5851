"""``perf`` symbol maps for JIT code: ``/tmp/perf-<pid>.map`` (``wxjit run --profile=perfmap``).

Linux ``perf`` reads this file to name samples in anonymous executable memory: one line per function,
``START SIZE wasm[INDEX]::NAME`` with START and SIZE in hex without ``0x`` (INDEX: the function index
in the module's index space; NAME: from the name section, else ``function[INDEX]``). Lines are appended,
so several modules (and the fuel variant of one) can be described by one process. Usage::

    wxjit run --profile=perfmap prog.wasm &  perf record -g -p $!     # or: perf record -g wxjit run ...
    perf report                                                     # samples in wasm[3]::main ...
"""
from __future__ import annotations

import os
from typing import Any


def perf_map_path(pid: int | None = None) -> str:
    return f"/tmp/perf-{os.getpid() if pid is None else pid}.map"


def entries(module: Any) -> list[tuple[int, int, str]]:
    """(start address, size, symbol) of every defined function of every loaded variant of ``module``
    (of a lazily compiled variant: every function compiled so far)."""
    out: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for _compiled, code, _plan in module._variants.values():
        if id(code) in seen:
            continue
        seen.add(id(code))
        if hasattr(code, "function_ranges"):          # jit.runtime.lazy.LazyCode
            out.extend((start, size, _symbol(code, index)) for index, start, size in code.function_ranges())
            continue
        compiled = code.compiled
        nimp = compiled.num_imported_funcs
        for i, (start, end) in enumerate(zip(compiled.func_offsets, compiled.func_ends, strict=True)):
            index = nimp + i
            name = code.names(index) or f"function[{index}]"
            out.append((code.address + start, end - start, f"wasm[{index}]::{_clean(name)}"))
    return out


def _symbol(code: Any, index: int) -> str:
    return _name(code.names, index)


def _name(names: Any, index: int) -> str:
    return f"wasm[{index}]::{_clean(names(index) or f'function[{index}]')}"


def _clean(name: str) -> str:
    """One line, no control characters (a name section may hold anything)."""
    return "".join(c if c.isprintable() else "?" for c in name)


def write_perf_map(module: Any, path: str | None = None) -> str:
    """Append ``module``'s functions to the perf map of this process; returns the file's path. The
    functions a lazily compiled variant compiles later are appended as they are compiled."""
    path = path or perf_map_path()
    _append(path, entries(module))
    for _compiled, code, _plan in module._variants.values():
        listeners = getattr(code, "listeners", None)
        if listeners is not None and not any(getattr(f, "perf_map", None) == path for f in listeners):
            def on_compile(index: int, start: int, size: int, names: Any = code.names) -> None:
                _append(path, [(start, size, _name(names, index))])
            on_compile.perf_map = path          # type: ignore[attr-defined]
            listeners.append(on_compile)
    return path


def _append(path: str, items: list[tuple[int, int, str]]) -> None:
    if not items:
        return
    lines = "".join(f"{start:x} {size:x} {symbol}\n" for start, size, symbol in items)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, lines.encode())
    finally:
        os.close(fd)
