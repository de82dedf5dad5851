#!/usr/bin/env python3
"""Mutation fuzzer for the front end (decode + validate): only jit.CompileError may escape.

Seeds are the spec-test modules (``jit.spectest``). Mutations: bit flips, byte insertions and
deletions, truncations, overlong LEB128 re-encodings, huge counts and chunk splices between modules.
Reports inputs run, accepted / rejected counts, the slowest input and peak RSS; any other exception is
a failure (printed with the seed module and a hex reproducer, exit code 1).

    python tools/fuzz_frontend.py --inputs 100000 --seed 1
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jit.errors import CompileError  # noqa: E402
from jit.spectest import json_files, load_commands  # noqa: E402
from jit.wasm import validate  # noqa: E402


def seed_modules(limit: int | None = None) -> list[bytes]:
    """Every binary module of the spec suites (valid and invalid), deduplicated."""
    seen: set[bytes] = set()
    out: list[bytes] = []
    for suite in ("core", "simd"):
        for path in json_files(suite):
            for cmd in load_commands(path):
                name = cmd.get("filename", "")
                if not name.endswith(".wasm"):
                    continue
                data = Path(name).read_bytes()
                if data not in seen:
                    seen.add(data)
                    out.append(data)
                    if limit is not None and len(out) >= limit:
                        return out
    return out


def _pos(d: bytearray, rng: random.Random, end_ok: bool = False) -> int:
    """A mutation position; the 8-byte header is spared most of the time."""
    n = len(d) + (1 if end_ok else 0)
    if n > 8 and rng.random() < 0.97:
        return rng.randrange(8, n)
    return rng.randrange(n)


def _bitflip(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    for _ in range(rng.randint(1, 4)):
        i = _pos(d, rng)
        d[i] ^= 1 << rng.randrange(8)


def _byteset(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    d[_pos(d, rng)] = rng.choice((0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0B, 0x40, rng.randrange(256)))


def _insert(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    i = _pos(d, rng, end_ok=True)
    d[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))


def _delete(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    i = _pos(d, rng)
    del d[i:i + rng.randint(1, 4)]


def _truncate(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    del d[_pos(d, rng):]


def _overlong(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    """Re-encode a one-byte LEB128 value with redundant continuation bytes."""
    i = _pos(d, rng)
    if d[i] < 0x80:
        extra = rng.randint(1, 6)
        d[i:i + 1] = bytes([d[i] | 0x80] + [0x80] * (extra - 1) + [0x00])


def _huge(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    i = _pos(d, rng)
    d[i:i + 1] = rng.choice((b"\xff\xff\xff\xff\x0f", b"\x80\x80\x80\x80\x08", b"\xfe\xff\xff\x7f"))


def _splice(d: bytearray, rng: random.Random, seeds: list[bytes]) -> None:
    other = rng.choice(seeds)
    if not other:
        return
    a = rng.randrange(len(other))
    chunk = other[a:a + rng.randint(1, 64)]
    i = _pos(d, rng)
    d[i:i + rng.randint(0, len(chunk))] = chunk


MUTATORS: list[Callable[[bytearray, random.Random, list[bytes]], None]] = [
    _bitflip, _byteset, _insert, _delete, _truncate, _overlong, _huge, _splice,
]


def mutate(data: bytes, rng: random.Random, seeds: list[bytes]) -> bytes:
    d = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not d:
            break
        rng.choice(MUTATORS)(d, rng, seeds)
    return bytes(d)


def _valid(seeds: list[bytes]) -> list[bytes]:
    out = []
    for data in seeds:
        try:
            validate(data)
        except CompileError:
            continue
        out.append(data)
    return out


def run(inputs: int, seed: int, seeds: list[bytes] | None = None, report_every: int = 0,
        valid_weight: float = 0.7) -> dict:
    """Run ``inputs`` mutated modules; returns counts and the failures (non-CompileError).

    With probability ``valid_weight`` the base is a valid seed, so that mutations reach deep into
    sections and function bodies (invalid seeds mostly fail in the first bytes again)."""
    rng = random.Random(seed)
    seeds = seeds if seeds is not None else seed_modules()
    valid = _valid(seeds) or seeds
    stats = {"inputs": 0, "accepted": 0, "rejected": 0, "failures": [], "max_seconds": 0.0,
             "max_input_bytes": 0, "by_class": {}}
    start = time.perf_counter()
    for n in range(inputs):
        base = rng.choice(valid if rng.random() < valid_weight else seeds)
        data = mutate(base, rng, seeds)
        t0 = time.perf_counter()
        try:
            validate(data)
            stats["accepted"] += 1
        except CompileError as exc:
            stats["rejected"] += 1
            cls = type(exc).__name__
            stats["by_class"][cls] = stats["by_class"].get(cls, 0) + 1
        except BaseException as exc:  # noqa: BLE001 - anything else is the bug we hunt
            if isinstance(exc, KeyboardInterrupt):
                raise
            stats["failures"].append((repr(exc), data.hex()))
        dt = time.perf_counter() - t0
        if dt > stats["max_seconds"]:
            stats["max_seconds"] = dt
            stats["max_input_bytes"] = len(data)
        stats["inputs"] += 1
        if report_every and (n + 1) % report_every == 0:
            print(f"{n + 1} inputs, {len(stats['failures'])} failures, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
    stats["seconds"] = time.perf_counter() - start
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report-every", type=int, default=10_000)
    args = ap.parse_args(argv)
    seeds = seed_modules()
    if not seeds:
        print("no seed modules: the spec tests (../shared/spectest or $WXJIT_SPECTEST) are missing")
        return 2
    stats = run(args.inputs, args.seed, seeds, args.report_every)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seeds: {len(seeds)} modules, largest {max(map(len, seeds))} bytes")
    print(f"inputs: {stats['inputs']}  accepted: {stats['accepted']}  rejected: {stats['rejected']} "
          f"{stats['by_class']}  failures: {len(stats['failures'])}")
    print(f"time: {stats['seconds']:.1f} s ({stats['inputs'] / stats['seconds']:.0f} inputs/s), "
          f"slowest input {stats['max_seconds'] * 1000:.1f} ms ({stats['max_input_bytes']} bytes), "
          f"peak RSS {rss_mb:.0f} MiB")
    for err, hexdata in stats["failures"][:20]:
        print("FAILURE", err, hexdata[:400])
    return 1 if stats["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
