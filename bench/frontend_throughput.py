#!/usr/bin/env python3
"""Front-end throughput: decode + validate MB/s, and linearity in module size.

Inputs: the largest spec-test modules, wasm32-wasi programs from ``bench/programs`` when present,
and a generated module with thousands of realistic functions (loops, branches, loads/stores, calls,
i64/f64 arithmetic). Linearity: the same function bodies repeated 1x, 4x and 16x; the time per MB
should stay flat.

    python bench/frontend_throughput.py [--funcs 2000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import random
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jit.wasm import decode, validate_module  # noqa: E402
from jit.wasm.leb import encode_signed as sleb  # noqa: E402
from jit.wasm.leb import encode_unsigned as uleb  # noqa: E402


def _section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + uleb(len(payload)) + payload


def _vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def _name(s: str) -> bytes:
    raw = s.encode()
    return uleb(len(raw)) + raw


# Locals: 0 a (i32 param), 1 b (i32 param), 2 p (i32), 3 x (i64), 4 f (f64).
def _stmt(rng: random.Random, nfuncs: int, depth: int) -> bytes:
    k = rng.randrange(9 if depth < 3 else 6)
    imm = sleb(rng.randrange(-1000, 1000))
    off = uleb(rng.randrange(0, 256))
    if k == 0:
        return b"\x20\x00\x41" + imm + b"\x6a\x21\x00"
    if k == 1:
        return b"\x20\x02\x28\x02" + off + b"\x20\x01\x6c\x21\x01"
    if k == 2:
        return b"\x20\x02\x20\x01\x36\x02" + off
    if k == 3:
        return b"\x20\x03\x42" + sleb(rng.randrange(-(1 << 40), 1 << 40)) + b"\x85\x42\x07\x89\x21\x03"
    if k == 4:
        return b"\x20\x04\x44" + struct.pack("<d", rng.random()) + b"\xa2\x20\x04\xa0\x21\x04"
    if k == 5:
        return b"\x20\x00\x20\x01\x10" + uleb(rng.randrange(nfuncs)) + b"\x21\x00"
    inner = b"".join(_stmt(rng, nfuncs, depth + 1) for _ in range(rng.randint(1, 4)))
    if k == 6:
        return b"\x02\x40\x20\x00\x0d\x00" + inner + b"\x0b"
    if k == 7:
        return b"\x03\x40" + inner + b"\x20\x00\x41\x01\x6b\x22\x00\x0d\x00\x0b"
    other = b"".join(_stmt(rng, nfuncs, depth + 1) for _ in range(rng.randint(1, 3)))
    return b"\x20\x00\x04\x40" + inner + b"\x05" + other + b"\x0b"


def make_bodies(count: int, nfuncs: int, seed: int = 1) -> list[bytes]:
    """``count`` function bodies (size-prefixed) calling functions below ``nfuncs``."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        code = b"".join(_stmt(rng, nfuncs, 0) for _ in range(rng.randint(4, 14)))
        locals_ = b"\x03\x01\x7f\x01\x7e\x01\x7c"
        body = locals_ + code + b"\x20\x00\x0b"
        bodies.append(uleb(len(body)) + body)
    return bodies


def make_module(nfuncs: int = 2000, repeat: int = 1, seed: int = 1) -> bytes:
    """A module of ``nfuncs * repeat`` functions: ``nfuncs`` distinct bodies repeated ``repeat`` times."""
    bodies = make_bodies(nfuncs, nfuncs, seed) * repeat
    total = len(bodies)
    types = _section(1, _vec([b"\x60\x02\x7f\x7f\x01\x7f"]))
    funcs = _section(3, uleb(total) + b"\x00" * total)
    memory = _section(5, _vec([b"\x00\x01"]))
    exports = _section(7, _vec([_name("f0") + b"\x00\x00"]))
    code = _section(10, uleb(total) + b"".join(bodies))
    return b"\0asm\x01\0\0\0" + types + funcs + memory + exports + code


def time_validate(data: bytes, repeat: int = 3) -> float:
    """Best-of-``repeat`` seconds for decode + validate of ``data``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        validate_module(decode(data))
        best = min(best, time.perf_counter() - t0)
    return best


def split_times(data: bytes, repeat: int = 3) -> tuple[float, float]:
    """Best-of seconds for decode alone and for validate alone."""
    dec = val = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        m = decode(data)
        t1 = time.perf_counter()
        validate_module(m)
        t2 = time.perf_counter()
        dec, val = min(dec, t1 - t0), min(val, t2 - t1)
    return dec, val


def spec_modules(n: int = 5) -> list[tuple[str, bytes]]:
    from jit.spectest import spectest_dir

    root = spectest_dir()
    if root is None:
        return []
    paths = sorted(root.glob("*/*/*.wasm"), key=lambda p: p.stat().st_size, reverse=True)
    out = []
    for p in paths:
        data = p.read_bytes()
        try:
            validate_module(decode(data))
        except Exception:  # noqa: BLE001 - invalid test modules are not benchmark inputs
            continue
        out.append((p.name, data))
        if len(out) == n:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--funcs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    print("input                                   bytes     seconds    MB/s   decode/validate s")
    rows: list[tuple[str, bytes]] = spec_modules()
    programs = ROOT / "bench" / "programs"
    if programs.is_dir():
        rows += [(p.name, p.read_bytes()) for p in sorted(programs.glob("**/*.wasm"))]
    rows.append((f"generated ({args.funcs} funcs)", make_module(args.funcs)))
    for name, data in rows:
        t = time_validate(data, args.repeat)
        d, v = split_times(data, args.repeat)
        print(f"{name:<38} {len(data):>8} {t:>10.4f} {len(data) / t / 1e6:>7.2f}   {d:.4f} / {v:.4f}")

    print("\nlinearity (same bodies repeated):")
    base = None
    for rep in (1, 4, 16):
        data = make_module(args.funcs // 4, repeat=rep)
        t = time_validate(data, args.repeat)
        per_mb = t / (len(data) / 1e6)
        base = base or per_mb
        print(f"  {rep:>2}x  {args.funcs // 4 * rep:>6} funcs  {len(data):>9} bytes  {t:8.4f} s  "
              f"{len(data) / t / 1e6:6.2f} MB/s  time/MB ratio to 1x: {per_mb / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
