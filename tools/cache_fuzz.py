#!/usr/bin/env python3
"""Deserializer fuzzer for compiled-module files (``.cwasm``, ``jit.runtime.serialize``).

The forger here HOLDS THE KEY: every mutant gets a valid MAC (except the truncations, which keep
the old one), so what is tested is the parser and the bounds checks behind the MAC. Mutations of a
few base files (compiled here from Wasm text):

- ``flip-meta``: 1-4 bits flipped in the fixed header, the JSON header or the metadata (the payload
  outside the machine code), MAC made again;
- ``huge``: a marshal count or integer of the payload (a list/tuple/bytes length or an int) set to a
  huge or extreme value, MAC made again;
- ``splice``: a run of payload bytes replaced by bytes from elsewhere, MAC made again;
- ``truncate``: the file cut short (old MAC), or cut and sealed again with fixed lengths;
- ``flip-code``: bits flipped inside the machine code, MAC made again;
- ``wrong-key``: an unchanged file read with another key.

Every mutant must be rejected with ``CacheError`` or be accepted. The parent process only parses
(``serialize.loads``: nothing is loaded or run), so a parser crash would be a crash of the parent:
there is none to tolerate. Accepted mutants whose contents equal the original's (re-serialized) are
harmless. Accepted mutants with changed machine code, or a changed meaning of it that is still within
bounds (the helper a GOT slot holds, the function types the code was compiled for: only the key
vouches for these), are only LOADED (copied, relocated, registered; never called) in a child process:
the forger has the key, so such code may run, that is what a key is for. Other accepted mutants
with changed contents are loaded, instantiated and their exports called in a child process that
announces each input first, so a crash or hang is pinned on its input; their results are compared
with the original's. Findings: ``python`` (an exception that
is not CacheError), ``crash`` (the child died), ``hang``, ``wrong-key-accepted``.

    python tools/cache_fuzz.py --inputs 10000 --seed 1
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import selectors
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import jit  # noqa: E402
from jit.runtime import serialize  # noqa: E402
from jit.runtime.serialize import CacheError  # noqa: E402

BASE_SOURCES = [
    """(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 5))
  (table 2 funcref)
  (elem (i32.const 0) $fib $twice)
  (data (i32.const 16) "cached!")
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u if (result i32) local.get 0 else
    local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end)
  (func (export "via_table") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect (param i32) (result i32))
  (func (export "host") (param i32) (result i32) local.get 0 call $twice)
  (func (export "boom") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func (export "bump") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g))""",
    """(module
  (global $k i64 (i64.const 77))
  (global $f (mut f64) (f64.const 1.5))
  (table (export "t") 3 funcref)
  (elem (i32.const 1) func $a $b)
  (func $a (result i32) i32.const 7)
  (func $b (result i32) i32.const 9)
  (func (export "pick") (param i32) (result i32) local.get 0 call_indirect (result i32))
  (func (export "k") (result i64) global.get $k)
  (func (export "f") (result f64) global.get $f f64.const 2 f64.mul))""",
]
IMPORTS_SIGNATURE = {("env", "twice"): (["i32"], ["i32"])}


def base_files(key: bytes) -> list[bytes]:
    """The base .cwasm files, made with ``key``."""
    from jit.wat import wat2wasm
    out = []
    for text in BASE_SOURCES:
        m = jit.Module(wat2wasm(text), lazy=False)    # the variant's CompiledModule: complete code
        compiled, _code, plan = m._variant(False)
        out.append(serialize.dumps(compiled, m.wasm, m.wasm_sha256, plan.recipe, key=key))
    return out


# -- mutations -------------------------------------------------------------------------------------

def split(data: bytes, key: bytes) -> tuple[int, int, int, int]:
    """(header start, payload start, code start, code end) of a file made with ``key``."""
    _m, _v, hlen, _plen = serialize._HEAD.unpack_from(data)
    payload = serialize._HEAD.size + hlen
    code = serialize.loads(data, key=key).compiled.code
    start = data.index(code, payload) if code else payload
    return serialize._HEAD.size, payload, start, start + len(code)


def seal(data: bytes | bytearray, key: bytes, *, fix_lengths: bool = False) -> bytes:
    """``data`` with its MAC made again with ``key`` (and the lengths fitted to the bytes)."""
    data = bytearray(data[:-serialize.MAC_SIZE])          # the MAC goes, made again below
    head = serialize._HEAD.size
    if fix_lengths:
        magic, version, hlen, _plen = serialize._HEAD.unpack_from(data)
        hlen = min(hlen, len(data) - head)
        serialize._HEAD.pack_into(data, 0, magic, version, hlen, len(data) - head - hlen)
    return bytes(data) + serialize.file_mac(key, bytes(data))


_HUGE = [0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 10**9, 1 << 20, 65536, 65537, 4096, 255, 1]
_MARSHAL_COUNTED = b"[(s{i"        # list, tuple, bytes, dict(!), int: a u32 follows (marshal v2)


def mutate(rng: random.Random, data: bytes, key: bytes, kind: str) -> bytes:
    hstart, pstart, cstart, cend = split(data, key)
    b = bytearray(data)
    if kind == "flip-meta":
        regions = [(0, serialize._HEAD.size), (hstart, pstart), (pstart, cstart),
                   (cend, len(b) - serialize.MAC_SIZE)]
        regions = [r for r in regions if r[1] > r[0]]
        for _ in range(rng.randint(1, 4)):
            lo, hi = rng.choice(regions)
            b[rng.randrange(lo, hi)] ^= 1 << rng.randrange(8)
        return seal(b, key)
    if kind == "flip-code":
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(cstart, cend)] ^= 1 << rng.randrange(8)
        return seal(b, key)
    if kind == "huge":
        spots = [i for i in range(pstart, len(b) - 4 - serialize.MAC_SIZE)
                 if b[i] in _MARSHAL_COUNTED and not cstart <= i < cend]
        for _ in range(rng.randint(1, 2)):
            i = rng.choice(spots)
            value = rng.choice(_HUGE) if rng.random() < 0.7 else rng.getrandbits(32)
            b[i + 1:i + 5] = value.to_bytes(4, "little")
        return seal(b, key)
    if kind == "splice":
        n = rng.randint(1, 16)
        end = len(b) - serialize.MAC_SIZE
        dst, src = rng.randrange(pstart, end - n), rng.randrange(pstart, end - n)
        b[dst:dst + n] = data[src:src + n]
        return seal(b, key)
    if kind == "truncate":
        cut = bytes(b[:rng.randrange(len(b))])
        return seal(cut, key, fix_lengths=True) if rng.random() < 0.5 and len(cut) >= 56 else cut
    raise ValueError(kind)


KINDS = ["flip-meta"] * 4 + ["huge"] * 2 + ["splice", "truncate", "flip-code", "wrong-key"]


@dataclass
class Report:
    inputs: int = 0
    outcomes: Counter = field(default_factory=Counter)      # (kind, outcome) -> count
    findings: list[str] = field(default_factory=list)
    children: int = 0
    seconds: float = 0.0

    def text(self) -> str:
        lines = [f"{self.inputs} inputs in {self.seconds:.1f} s, {self.children} child process(es)"]
        for (kind, outcome), n in sorted(self.outcomes.items()):
            lines.append(f"  {kind:10} {outcome:24} {n}")
        lines.append(f"findings: {len(self.findings)}")
        lines.extend("  " + f for f in self.findings[:50])
        return "\n".join(lines)


def fuzz(inputs: int, seed: int = 0, *, hang_seconds: float = 20.0, out: Path | None = None,
         quiet: bool = True) -> Report:
    """Run ``inputs`` mutants (see the module docstring); the ``Report`` of their outcomes."""
    t0 = time.monotonic()
    rng = random.Random(seed)
    key = bytes(rng.getrandbits(8) for _ in range(32))
    other_key = bytes(rng.getrandbits(8) for _ in range(32))
    bases = base_files(key)
    originals = [serialize.loads(f, key=key) for f in bases]
    report = Report()
    to_run: list[tuple[int, str, int, bytes]] = []        # (input, kind, base, mutant) for the child
    for i in range(inputs):
        kind = rng.choice(KINDS)
        bi = rng.randrange(len(bases))
        base = bases[bi]
        mutant = base if kind == "wrong-key" else mutate(rng, base, key, kind)
        report.inputs += 1
        try:
            decoded = serialize.loads(mutant, key=other_key if kind == "wrong-key" else key)
        except CacheError:
            report.outcomes[(kind, "rejected")] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is a finding
            report.outcomes[(kind, "python-error")] += 1
            report.findings.append(f"python: input {i} ({kind}): {type(exc).__name__}: {exc}")
            _save(out, f"python-{i}", mutant)
            continue
        if kind == "wrong-key":
            report.findings.append(f"wrong-key-accepted: input {i}")
            continue
        again = serialize.dumps(decoded.compiled, decoded.wasm, decoded.wasm_sha256, decoded.recipe, key=key)
        orig = originals[bi]
        if again == bases[bi] and decoded.header == orig.header:
            report.outcomes[(kind, "accepted-identical")] += 1
            continue
        # changed machine code (a flip-code mutant, or a splice that landed in the code) or changed
        # meaning of it (which helper each GOT slot holds, the function types it was compiled for:
        # in bounds, but only the key vouches for them) is only loaded
        c, oc = decoded.compiled, orig.compiled
        same_code = c.code == oc.code and c.relocations == oc.relocations and c.types == oc.types
        mode = "run" if same_code else "load"
        to_run.append((i, f"{kind}/{mode}", bi, mutant))
    if to_run:
        _run_children(to_run, bases, key, report, hang_seconds, out)
    report.seconds = time.monotonic() - t0
    if not quiet:
        print(report.text())
    return report


def _save(out: Path | None, name: str, data: bytes) -> None:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.cwasm").write_bytes(data)


# -- the child: load (and for metadata mutants, run) accepted files ------------------------------------

def _run_children(cases: list[tuple[int, str, int, bytes]], bases: list[bytes], key: bytes, report: Report,
                  hang_seconds: float, out: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n, f in enumerate(bases):
            p = Path(tmp) / f"base-{n}.cwasm"
            p.write_bytes(f)
            paths.append(("base", -1, n, str(p)))
        for i, kind, bi, data in cases:
            p = Path(tmp) / f"{i}.cwasm"
            p.write_bytes(data)
            paths.append((kind, i, bi, str(p)))
        results: dict[int, Any] = {}
        base_results: dict[int, Any] = {}
        pos = 0
        while pos < len(paths):
            report.children += 1
            todo = paths[pos:]
            child = [sys.executable, __file__, "--child", key.hex(),
                     "--compiler", serialize.compiler_version()]
            proc = subprocess.Popen(child, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("".join(json.dumps(t) + "\n" for t in todo))
            proc.stdin.close()
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ)
            current: tuple | None = None
            while True:
                if not sel.select(hang_seconds):
                    proc.kill()
                    proc.wait()
                    _finding(report, "hang", current, out)
                    pos += 1
                    break
                line = proc.stdout.readline()
                if not line:
                    rc = proc.wait()
                    if current is not None:
                        _finding(report, f"crash (exit {rc})", current, out)
                        pos += 1
                    break
                msg = json.loads(line)
                if msg[0] == "start":
                    current = tuple(paths[pos])
                    continue
                kind, i, bi, _p = paths[pos]
                if kind == "base":
                    base_results[bi] = msg[1]
                else:
                    results[i] = (kind, bi, msg[1])
                current = None
                pos += 1
            sel.close()
        for bi in range(len(bases)):
            res = base_results.get(bi)
            if not isinstance(res, list) or any("Error" in str(r) and "Trap" not in str(r) for r in res):
                report.findings.append(f"base file {bi} did not run in the child: {res}")
        for _i, (kind, bi, res) in results.items():
            if kind.endswith("/load"):
                outcome = "accepted-code-loaded" if res == "loaded" else f"accepted-code-{res}"
            elif res == base_results.get(bi):
                outcome = "accepted-same-behaviour"
            else:
                outcome = "accepted-other-values"    # e.g. a data byte or constant of the key holder's
            report.outcomes[(kind.split("/")[0], outcome)] += 1


def _finding(report: Report, what: str, case: tuple | None, out: Path | None) -> None:
    if case is None:
        report.findings.append(f"{what}: between inputs")
        return
    kind, i, _bi, path = case
    report.outcomes[(kind.split("/")[0], what.split()[0])] += 1
    report.findings.append(f"{what}: input {i} ({kind})")
    _save(out, f"{what.split()[0]}-{i}", Path(path).read_bytes())


def _child(key: bytes) -> None:
    """Read (kind, input, base, path) lines; for each print ["start"], then ["done", result]."""
    limits = jit.Limits(timeout=2.0, max_memory_pages=64)
    for line in sys.stdin:
        kind, _i, _bi, path = json.loads(line)
        print(json.dumps(["start"]), flush=True)
        try:
            module = jit.Module._from_decoded(serialize.loads(Path(path).read_bytes(), key=key), None)
            result: Any = "loaded" if kind.endswith("/load") else _behaviour(module, limits)
        except jit.Error as exc:
            result = f"error: {type(exc).__name__}"
        print(json.dumps(["done", result]), flush=True)


def _zeros(n: int) -> Any:
    """A host function returning ``n`` zeros."""
    def fn(*_args: Any) -> Any:
        return None if n == 0 else (0 if n == 1 else [0] * n)
    return fn


def _behaviour(module: Any, limits: Any) -> list[Any]:
    """What the module does: instantiate it, call every exported function with zeros."""
    imports: dict[str, dict[str, Any]] = {}
    for mod, name, t in module.imports:
        if hasattr(t, "params"):
            imports.setdefault(mod, {})[name] = jit.Func(_zeros(len(t.results)), list(t.params),
                                                         list(t.results))
    out: list[Any] = []
    try:
        inst = jit.Instance(module, imports, limits=limits)
    except jit.Error as exc:
        return [f"instantiate: {type(exc).__name__}"]
    for arg in (0, 1, 7):
        for name, t in module.exports:
            if not hasattr(t, "params"):
                continue
            try:
                value = inst.exports[name](*([arg] * len(t.params)))
                out.append([name, arg, repr(value)])
            except jit.Error as exc:
                out.append([name, arg, f"{type(exc).__name__}: {getattr(exc, 'kind', '')}"])
    for name, _t in module.exports:            # memories and globals after the calls
        item = inst.exports[name]
        if hasattr(item, "data"):
            out.append([name, hashlib.sha256(bytes(item.data)).hexdigest()[:16]])
        elif hasattr(item, "value"):
            out.append([name, repr(item.value)])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hang-seconds", type=float, default=20.0)
    ap.add_argument("--out", type=Path, help="write finding inputs here")
    ap.add_argument("--child", metavar="KEYHEX", help=argparse.SUPPRESS)
    ap.add_argument("--compiler", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        if args.compiler and args.compiler != serialize.compiler_version():
            # the compiler's sources changed since the parent compiled the base files (a tree being
            # edited): the child takes the parent's word for the files' compiler
            serialize.compiler_version = lambda: args.compiler  # type: ignore[assignment]
        _child(bytes.fromhex(args.child))
        return 0
    report = fuzz(args.inputs, args.seed, hang_seconds=args.hang_seconds, out=args.out, quiet=False)
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
