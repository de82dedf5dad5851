#!/usr/bin/env python3
"""Compile bombs: modules crafted to make a single-pass compiler slow, measured at 1x / 4x / 16x size.

Each bomb is a builder ``size -> bytes`` (the module's size grows linearly with ``size``). For every
bomb and scale the script reports the module size, the front-end time (decode + validate), the
compile time (``jit.x64.compiler.compile_module``) and the time per MB; a bomb is *linear* when the
time per unit of size stays flat from 1x to 16x (ratio of the 16x time to 16 times the 1x time close
to 1; a quadratic corner shows as a ratio near 16). A bomb refused by a ``jit.Limits`` field reports
the limit instead (the intended behaviour for the default limits).

    python bench/hostile_compile.py [--scale 1 4 16] [--only nesting,br_table] [--json]

The builders are also used by ``tests/test_hostile_compile.py`` (behaviour and limits only; no timed
assertions there).
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jit.fuzz.encoding import sleb, uleb  # noqa: E402  (after the sys.path insertion)

I32, I64 = 0x7F, 0x7E
HEADER = b"\0asm\x01\0\0\0"


def section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + uleb(len(payload)) + payload


def vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def functype(params: bytes = b"", results: bytes = b"") -> bytes:
    return b"\x60" + uleb(len(params)) + params + uleb(len(results)) + results


def body(code: bytes, local_runs: list[tuple[int, int]] = ()) -> bytes:
    """A code-section entry: local runs and ``code`` (the final ``end`` is added)."""
    locals_ = uleb(len(local_runs)) + b"".join(uleb(n) + bytes([t]) for n, t in local_runs)
    inner = locals_ + code + b"\x0b"
    return uleb(len(inner)) + inner


def module(types: list[bytes], funcs: list[int], bodies: list[bytes], *, exports: list[bytes] = (),
           memory: bytes | None = None, imports: list[bytes] = (), tables: list[bytes] = (),
           datas: list[bytes] = (), elems: list[bytes] = ()) -> bytes:
    """Assemble sections (each only if non-empty) in the binary format's order."""
    out = [HEADER, section(1, vec(types))]
    if imports:
        out.append(section(2, vec(list(imports))))
    if funcs:
        out.append(section(3, vec([uleb(t) for t in funcs])))
    if tables:
        out.append(section(4, vec(list(tables))))
    if memory is not None:
        out.append(section(5, vec([memory])))
    if exports:
        out.append(section(7, vec(list(exports))))
    if elems:
        out.append(section(9, vec(list(elems))))
    if bodies:
        out.append(section(10, vec(bodies)))
    if datas:
        out.append(section(11, vec(list(datas))))
    return b"".join(out)


def export_func(name: str, index: int) -> bytes:
    raw = name.encode()
    return uleb(len(raw)) + raw + b"\x00" + uleb(index)


def one_func(code: bytes, params: bytes = b"", results: bytes = b"",
             local_runs: list[tuple[int, int]] = ()) -> bytes:
    """A module with one exported function ``f``."""
    return module([functype(params, results)], [0], [body(code, local_runs)], exports=[export_func("f", 0)])


# -- the bombs: size -> module bytes -----------------------------------------------------------------

def nesting(n: int) -> bytes:
    """``n`` nested empty blocks."""
    return one_func(b"\x02\x40" * n + b"\x0b" * n)


def nesting_loops(n: int) -> bytes:
    """``n`` nested loops, each with a value (loop headers: interrupt checks and merges)."""
    return one_func(b"\x03\x7f" * n + b"\x41\x01" + b"\x0b" * n + b"\x1a")


def nesting_if(n: int) -> bytes:
    """``n`` nested if/else on a parameter, each arm returning a value."""
    code = (b"\x20\x00\x04\x7f") * n + b"\x41\x01" + (b"\x05\x41\x02\x0b") * n
    return one_func(code, params=bytes([I32]), results=bytes([I32]))


def deep_br(n: int) -> bytes:
    """``n`` nested blocks with a value; the innermost code branches to each of them (n labels,
    each with a merge of the operand stack)."""
    code = b"\x02\x7f" * n
    for depth in range(n):
        code += b"\x41" + sleb(depth) + b"\x20\x00\x0d" + uleb(depth) + b"\x1a"
    code += b"\x41\x00" + b"\x0b" * n
    return one_func(code, params=bytes([I32]), results=bytes([I32]))


def br_table(n: int) -> bytes:
    """One ``br_table`` with ``n`` targets (all the same label)."""
    code = b"\x02\x40\x20\x00\x0e" + uleb(n) + b"\x00" * n + b"\x00\x0b"
    return one_func(code, params=bytes([I32]))


def br_table_nested(n: int) -> bytes:
    """``n // 16`` nested blocks and a ``br_table`` with ``n`` targets spread over all of them."""
    depth = max(1, n // 16)
    targets = b"".join(uleb(i % depth) for i in range(n))
    code = b"\x02\x40" * depth + b"\x20\x00\x0e" + uleb(n) + targets + b"\x00" + b"\x0b" * depth
    return one_func(code, params=bytes([I32]))


def many_locals(n: int) -> bytes:
    """``n`` i32 locals in one run; the body reads the last one."""
    return one_func(b"\x20" + uleb(n - 1) + b"\x1a", local_runs=[(n, I32)])


def many_local_runs(n: int) -> bytes:
    """``n`` locals in ``n`` alternating i32/i64 runs, each read and written once."""
    code = bytearray()
    for i in range(n):
        code += b"\x20" + uleb(i) + b"\x21" + uleb(i)
    return one_func(bytes(code), local_runs=[(1, I32 if i % 2 else I64) for i in range(n)])


def many_functions(n: int) -> bytes:
    """``n`` small functions, each calling the next (one export)."""
    bodies = [body(b"\x20\x00" + (b"\x10" + uleb(i + 1) if i + 1 < n else b"\x1a")) for i in range(n)]
    return module([functype(bytes([I32]))], [0] * n, bodies, exports=[export_func("f", 0)])


def huge_body(n: int) -> bytes:
    """One function of ``n`` statements ``local = local * 3 + 1`` (a long straight line)."""
    stmt = b"\x20\x00\x41\x03\x6c\x41\x01\x6a\x21\x00"
    return one_func(stmt * n + b"\x20\x00", params=bytes([I32]), results=bytes([I32]))


def deep_stack(n: int) -> bytes:
    """``n`` values pushed on the operand stack, then summed (the compile-time stack gets deep:
    registers run out and everything spills)."""
    code = b"\x20\x00" * n + b"\x6a" * (n - 1)
    return one_func(code, params=bytes([I32]), results=bytes([I32]))


def deep_stack_calls(n: int) -> bytes:
    """``n`` values on the operand stack with a call under each (spill everything at every call)."""
    code = bytearray()
    for _ in range(n):
        code += b"\x20\x00\x10\x01"   # push, call $id (i32 -> i32)
    code += b"\x6a" * (n - 1)
    types = [functype(bytes([I32]), bytes([I32]))]
    return module(types, [0, 0], [body(bytes(code)), body(b"\x20\x00")], exports=[export_func("f", 0)])


def deep_stack_local_set(n: int) -> bytes:
    """``n`` values on the operand stack while ``n`` ``local.set``s run (each may look through the
    whole compile-time stack for pending reads of that local)."""
    code = b"\x20\x00" * n + b"\x41\x05\x21\x01" * n + b"\x6a" * (n - 1)
    return one_func(code, params=bytes([I32]), results=bytes([I32]), local_runs=[(1, I32)])


def deep_stack_blocks(n: int) -> bytes:
    """``n`` values on the operand stack, then ``n`` empty blocks (a merge at every block)."""
    code = b"\x20\x00" * n + b"\x02\x40\x0b" * n + b"\x6a" * (n - 1)
    return one_func(code, params=bytes([I32]), results=bytes([I32]))


def many_blocks_with_values(n: int) -> bytes:
    """``n`` sequential blocks, each merging a value (control-flow merges in a long function)."""
    code = b"\x41\x00" + b"\x02\x7f\x41\x07\x20\x00\x0d\x00\x1a\x41\x01\x0b\x6a" * n
    return one_func(code, params=bytes([I32]), results=bytes([I32]))


BOMBS: dict[str, tuple[Callable[[int], bytes], int]] = {
    # name: (builder, size at 1x)
    "nesting": (nesting, 6_250),
    "nesting_loops": (nesting_loops, 3_000),
    "nesting_if": (nesting_if, 3_000),
    "deep_br": (deep_br, 1_000),
    "br_table": (br_table, 62_500),
    "br_table_nested": (br_table_nested, 16_000),
    "many_locals": (many_locals, 3_125),
    "many_local_runs": (many_local_runs, 3_125),
    "many_functions": (many_functions, 1_000),
    "huge_body": (huge_body, 5_000),
    "deep_stack": (deep_stack, 2_000),
    "deep_stack_calls": (deep_stack_calls, 1_000),
    "deep_stack_local_set": (deep_stack_local_set, 1_000),
    "deep_stack_blocks": (deep_stack_blocks, 1_000),
    "many_blocks_with_values": (many_blocks_with_values, 3_000),
}


@dataclass
class Measurement:
    bomb: str
    scale: int
    size: int                 # the builder's size parameter
    module_bytes: int
    frontend_s: float | None  # decode + validate
    compile_s: float | None   # compile_module
    code_bytes: int | None
    refused: str | None       # the LimitError text, if a limit refused the module


def measure(name: str, scale: int, limits: object | None = None) -> Measurement:
    from jit.abi.limits import Limits
    from jit.errors import LimitError
    from jit.wasm import validate
    from jit.x64.compiler import compile_module

    builder, base = BOMBS[name]
    size = base * scale
    data = builder(size)
    limits = limits or Limits()
    gc.collect()
    t0 = time.perf_counter()
    try:
        m = validate(data, limits)
        t1 = time.perf_counter()
        compiled = compile_module(m, limits=limits)
        t2 = time.perf_counter()
    except LimitError as exc:
        return Measurement(name, scale, size, len(data), None, None, None, str(exc))
    return Measurement(name, scale, size, len(data), t1 - t0, t2 - t1, len(compiled.code), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--only", default="", help="comma-separated bomb names")
    ap.add_argument("--json", action="store_true", help="print one JSON object per measurement")
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(BOMBS)
    unknown = [n for n in names if n not in BOMBS]
    if unknown:
        print(f"unknown bombs {unknown}; known: {', '.join(BOMBS)}")
        return 2
    if not args.json:
        print(f"{'bomb':24} {'x':>3} {'size':>9} {'bytes':>10} {'front s':>8} {'compile s':>9} "
              f"{'us/KB':>7} {'ratio':>6}")
    worst = 0.0
    for name in names:
        first: Measurement | None = None
        for scale in args.scale:
            r = measure(name, scale)
            if args.json:
                print(json.dumps(asdict(r)), flush=True)
                continue
            if r.refused:
                print(f"{name:24} {scale:>3} {r.size:>9} {r.module_bytes:>10}  refused: {r.refused}")
                continue
            total = r.frontend_s + r.compile_s
            per_kb = total / (r.module_bytes / 1024) * 1e6
            ratio = ""
            if first is None:
                first = r
            else:
                base_total = first.frontend_s + first.compile_s
                growth = (total / base_total) / (r.size / first.size)
                worst = max(worst, growth)
                ratio = f"{growth:.2f}"
            print(f"{name:24} {scale:>3} {r.size:>9} {r.module_bytes:>10} {r.frontend_s:>8.3f} "
                  f"{r.compile_s:>9.3f} {per_kb:>7.0f} {ratio:>6}", flush=True)
    if not args.json:
        print(f"worst growth of time per byte vs 1x: {worst:.2f} (1.0 = linear; 16x input at 4.0+ "
              "means worse than linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
