"""Shrink a mismatching module to a small one that still shows the same mismatch.

Works on the module's plain-data spec (``jit.fuzz.encoding.ModuleSpec``): keep only the mismatching
call, give every other function a trivial body, drop data and element segments, then delete chunks
of instructions from each body (delta debugging) and replace constants by zero. A candidate is kept
when wasmtime still validates it and ``run_module`` still reports a mismatch of the same kind in
the same function. The result is deterministic for a given input.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace

from .encoding import CONST, FuncSpec, ModuleSpec
from .generator import GeneratedModule
from .oracle import Call, Mismatch, WasmtimeSide, plan_calls, run_module


def _valid(spec: ModuleSpec) -> bool:
    import wasmtime
    try:
        wasmtime.Module.validate(WasmtimeSide.engine(), spec.encode())
        return True
    except Exception:   # noqa: BLE001 - any rejection means "not valid"
        return False


def _is_const(instr: bytes) -> bool:
    return instr[:1] in (b"\x41", b"\x42", b"\x43", b"\x44")


def _zero_const(instr: bytes) -> bytes:
    t = {0x41: 0x7F, 0x42: 0x7E, 0x43: 0x7D, 0x44: 0x7C}[instr[0]]
    return CONST[t](0)


def minimize(gm: GeneratedModule, mismatch: Mismatch,
             max_checks: int = 1500) -> tuple[GeneratedModule, list[Call]]:
    """A smaller module (and call sequence) that still shows ``mismatch``; the input is not modified."""
    all_calls = plan_calls(gm)
    calls = all_calls[:mismatch.call_index + 1] if mismatch.call_index >= 0 else all_calls
    checks = 0

    def shows(spec: ModuleSpec, seq: list[Call]) -> bool:
        nonlocal checks
        if checks >= max_checks or not _valid(spec):
            return False
        checks += 1
        candidate = replace(gm, spec=spec)
        try:
            report = run_module(candidate, calls=seq)
        except Exception:   # noqa: BLE001 - e.g. wasmtime refuses to instantiate: not interesting
            return False
        return any(m.what == mismatch.what and (m.func == mismatch.func or mismatch.func is None)
                   for m in report.mismatches)

    spec = copy.deepcopy(gm.spec)
    if calls and shows(spec, calls[-1:]):
        calls = calls[-1:]
    elif not shows(spec, calls):
        return gm, calls          # not reproducible in this process: leave it alone

    target = next((e.func_index for e in gm.funcs if e.name == mismatch.func), None)

    def attempt(mutate: Callable[[ModuleSpec], bool]) -> bool:
        nonlocal spec
        cand = copy.deepcopy(spec)
        if not mutate(cand):
            return False
        if shows(cand, calls):
            spec = cand
            return True
        return False

    for i in range(len(spec.funcs)):
        if i == target:
            continue

        def trivial(s: ModuleSpec, i: int = i) -> bool:
            f = s.funcs[i]
            results = s.types[f.type_index].results
            new = [CONST[t](0) for t in results]
            if f.body == new:
                return False
            s.funcs[i] = FuncSpec(f.type_index, [], new)
            return True
        attempt(trivial)
    for k in reversed(range(len(spec.datas))):
        attempt(lambda s, k=k: bool(s.datas.pop(k)) or True)
    for k in reversed(range(len(spec.elems))):
        attempt(lambda s, k=k: bool(s.elems.pop(k)) or True)

    for i in range(len(spec.funcs)):
        _ddmin_body(i, attempt, lambda: spec)
        for j in range(len(spec.funcs[i].body)):
            def zero(s: ModuleSpec, i: int = i, j: int = j) -> bool:
                instr = s.funcs[i].body[j] if j < len(s.funcs[i].body) else b""
                if not _is_const(instr) or instr == _zero_const(instr):
                    return False
                s.funcs[i].body[j] = _zero_const(instr)
                return True
            attempt(zero)
    return replace(gm, spec=spec), calls


def _ddmin_body(i: int, attempt: Callable[[Callable[[ModuleSpec], bool]], bool],
                current: Callable[[], ModuleSpec]) -> None:
    n = len(current().funcs[i].body)
    chunk = max(n // 2, 1)
    while chunk >= 1:
        start = 0
        while start < len(current().funcs[i].body):
            def cut(s: ModuleSpec, start: int = start, chunk: int = chunk) -> bool:
                body = s.funcs[i].body
                if start >= len(body):
                    return False
                del body[start:start + chunk]
                return True
            if not attempt(cut):
                start += chunk
        if chunk == 1:
            break
        chunk //= 2
