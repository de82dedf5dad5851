"""Parallel compilation: a large module's functions compiled across forked worker processes.

The GIL rules out threads, so ``compile_parallel`` forks ``jobs - 1`` workers (the module is
inherited, never pickled), gives each a contiguous run of functions balanced by body size, and
compiles the first run itself. A worker compiles its run with its own ``ModuleCompiler`` starting at
code offset 0 and sends back the code, the references to labels outside the run (other functions,
helpers, constants; always rel32 fields), the order in which it first used helpers and constants,
and its PC map. Function code is position independent and every function starts 16-aligned, so the
parent splices the runs in order, resolves the outstanding references through its own labels and
appends the host stubs, constant pool and GOT exactly as the serial compiler does: the result is
byte-identical to ``jit.x64.compiler.compile_module`` (tests/test_parallel_compile.py).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
from dataclasses import dataclass, field
from typing import Any

from .abi.limits import DEFAULT_LIMITS, Limits

# Modules whose function bodies total fewer bytes than this are compiled serially (forking costs
# more than it saves on small modules: `wxjit bench compile` on 2 CPUs, wall serial / 2 processes:
# ~23 KB programs 0.7-1.0x, 230 KB (synth-10k) 1.6x, 889 KB (SQLite) 1.6x).
PARALLEL_THRESHOLD = 128 * 1024


@dataclass
class Chunk:
    """One run of functions compiled in a worker, at code offsets relative to its start."""

    code: bytes
    starts: list[int]
    ends: list[int]
    # (label key, field offset, field size, offset the value is relative to); a key is
    # ("func", index), ("helper", name) or ("const", (bits, size))
    refs: list[tuple[tuple[str, Any], int, int, int]]
    helpers: list[str]
    consts: list[tuple[int, int]]
    pc_offsets: list[int]
    pc_wasm: list[int]
    eh: tuple = ((), ())        # exception handling: (functions, segments) as ModuleCompiler keeps them
    safepoints: list = field(default_factory=list)    # stack maps (jit.abi.stackmaps) at code offsets


def default_jobs() -> int:
    """Worker processes to use when ``jobs`` is not given: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:      # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def code_bytes(module: Any) -> int:
    """Total size of the module's function bodies (what the threshold is compared with)."""
    return sum(body.size for body in module.codes)


def should_parallelize(module: Any, jobs: int | None) -> int:
    """The number of processes to compile ``module`` with: 1 (serial) below the threshold or with
    ``jobs=1``; ``jobs`` (default: the CPU count) above it."""
    if jobs is not None and jobs <= 1:
        return 1
    if len(module.codes) < 2:
        return 1
    n = jobs or default_jobs()
    if n <= 1 or code_bytes(module) < PARALLEL_THRESHOLD:
        return 1 if jobs is None else min(n, len(module.codes))
    return min(n, len(module.codes))


def partition(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Split indices ``0..len(sizes)`` into ``parts`` contiguous non-empty runs of similar total size."""
    parts = max(1, min(parts, len(sizes)))
    total = sum(sizes) or 1
    bounds = [0]
    acc = 0
    for i, s in enumerate(sizes):
        acc += s
        k = len(bounds)
        remaining = len(sizes) - i - 1
        if k < parts and acc >= total * k / parts and remaining >= parts - k:
            bounds.append(i + 1)
    if bounds[-1] != len(sizes):
        bounds.append(len(sizes))
    return list(zip(bounds, bounds[1:], strict=False))


def compile_chunk(module: Any, lo: int, hi: int, fuel: bool, limits: Limits) -> Chunk:
    """Compile defined functions ``lo..hi`` (indices into ``module.codes``) from code offset 0."""
    from .x64.compiler import FunctionCompiler, ModuleCompiler, external_refs, gc_paused

    mc = ModuleCompiler(module, fuel, limits)
    nimp = module.num_imported_funcs
    starts, ends = [], []
    with gc_paused():
        for i in range(lo, hi):
            fc = FunctionCompiler(mc, nimp + i, module.codes[i])
            fc.compile()
            starts.append(fc.start)
            ends.append(fc.end)
    keys: dict[int, tuple[str, Any]] = {id(lbl): ("func", i) for i, lbl in enumerate(mc.func_labels)}
    keys.update((id(lbl), ("helper", name)) for name, lbl in mc.helpers.items())
    keys.update((id(lbl), ("const", key)) for key, lbl in mc.consts.items())
    refs = [(keys[id(lbl)], at, size, rel_to) for lbl, at, size, rel_to in external_refs(mc.asm)]
    return Chunk(bytes(mc.asm.code), starts, ends, refs, list(mc.helpers), list(mc.consts),
                 mc.pc_offsets, mc.pc_wasm, (mc.eh_funcs, mc.eh_segs), mc.safepoints)


def _worker(module: Any, lo: int, hi: int, fuel: bool, limits: Limits, conn: Any) -> None:
    gc.disable()        # short-lived, and the compiler makes no reference cycles worth collecting
    try:
        result: Any = compile_chunk(module, lo, hi, fuel, limits)
    except BaseException as exc:     # re-raised by the parent, in function order
        result = exc
    try:
        conn.send_bytes(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
    finally:
        conn.close()


def compile_parallel(module: Any, fuel: bool = False, limits: Limits | None = None,
                     jobs: int | None = None) -> Any:
    """``compile_module`` across ``jobs`` processes (default: the CPU count); byte-identical output."""
    from .x64.compiler import compile_module

    limits = limits or DEFAULT_LIMITS
    n = min(jobs or default_jobs(), len(module.codes))
    if n <= 1:
        return compile_module(module, fuel=fuel, limits=limits)
    sizes = [body.size for body in module.codes]
    runs = partition(sizes, n)
    ctx = multiprocessing.get_context("fork")
    procs = []
    gc.freeze()         # a collection in a worker would write to (and so copy) every inherited page
    try:
        for lo, hi in runs[1:]:
            recv, send = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_worker, args=(module, lo, hi, fuel, limits, send), daemon=True)
            p.start()
            send.close()
            procs.append((p, recv))
    finally:
        gc.unfreeze()
    chunks: list[Any] = []
    try:
        try:
            chunks.append(compile_chunk(module, *runs[0], fuel, limits))
        except BaseException as exc:
            chunks.append(exc)
        for p, recv in procs:
            try:
                chunks.append(pickle.loads(recv.recv_bytes()))
            except EOFError:
                chunks.append(RuntimeError(f"compile worker exited with status {p.exitcode}"))
            finally:
                recv.close()
    finally:
        for p, _ in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()
    for c in chunks:
        if isinstance(c, BaseException):
            raise c
    compiled = merge(module, chunks, fuel, limits)
    compiled.fuel = fuel
    return compiled


def merge(module: Any, chunks: list[Chunk], fuel: bool, limits: Limits) -> Any:
    """One ``CompiledModule`` from the chunks, laid out as the serial compiler lays it out."""
    from .x64.compiler import ModuleCompiler

    mc = ModuleCompiler(module, fuel, limits)
    a = mc.asm
    func_offsets: list[int] = []
    func_ends: list[int] = []
    func_refs: list[tuple[int, int, int]] = []
    nimp = module.num_imported_funcs
    for c in chunks:
        a.align(16)
        base = a.offset
        a.code += c.code
        for name in c.helpers:          # first use in function order, as serially
            mc.helper_label(name)
        for key in c.consts:
            mc.const_label(*key)
        func_offsets += [base + s for s in c.starts]
        func_ends += [base + e for e in c.ends]
        mc.pc_offsets += [base + p for p in c.pc_offsets]
        mc.pc_wasm += c.pc_wasm
        mc.safepoints += [(base + off, words) for off, words in c.safepoints]
        funcs, segs = c.eh
        mc.eh_funcs += [(base + s, base + e, *rest) for s, e, *rest in funcs]
        mc.eh_segs += [(base + lo, base + hi, tuple((k, t, base + pad) for k, t, pad in cl))
                       for lo, hi, cl in segs]
        for (kind, key), at, size, rel_to in c.refs:
            if kind == "func" and key >= nimp:      # calls: rel32, patched once all code is in
                func_refs.append((key - nimp, base + at, base + rel_to))
                continue
            if kind == "func":
                lbl = mc.func_labels[key]
            elif kind == "helper":
                lbl = mc.helper_label(key)
            else:
                lbl = mc.const_label(*key)
            a._ref(lbl, base + at, size, base + rel_to)
    code = a.code
    for i, lbl in enumerate(mc.func_labels[nimp:]):
        lbl.offset = func_offsets[i]
    for target, at, rel_to in func_refs:
        code[at:at + 4] = (func_offsets[target] - rel_to).to_bytes(4, "little", signed=True)
    return mc.finish(func_offsets, func_ends)

