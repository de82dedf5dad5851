#!/usr/bin/env python3
"""Crash-safety fuzzer (issue 8 item 4): mutated modules that still validate are compiled and run.

Inputs are mutations (``tools/fuzz_frontend.py``'s mutator) of the valid spec-test modules and of
modules from the differential generator (``jit.fuzz.generator``), plus unmutated generated modules.
Only inputs that pass ``jit.validate`` go further. Each one is compiled, instantiated with stub
imports (functions returning zeros, fresh memories/tables/globals of the declared types) under
``jit.Limits(max_memory_pages=..., max_table_elements=...)``, and every exported function is called
with a few argument vectors. All of that happens in a CHILD process that announces each input before
running it, so the parent can tell:

- **crash**: the child died from a signal (or exited) while running the input;
- **hang**: no answer within ``--hang-seconds`` (each call is also stopped by ``instance.interrupt()``
  from a timer after ``--call-seconds``, so only a call that ignores interruption hangs);
- **python**: an exception that is not a ``jit.Error`` escaped (a bug: bad input must raise jit errors).

Every finding is written to ``--out`` as ``<kind>-<index>.wasm`` (+ ``.txt`` with the details) and
the parent restarts the child and goes on. The report gives inputs, how many validated, compiled,
instantiated, calls and their outcomes, and the findings.

    nice python tools/crash_fuzz.py --inputs 20000 --seed 1 [--out /tmp/crash-fuzz]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

CHILD_LIMITS = {"max_memory_pages": 256, "max_table_elements": 100_000}
ARG_VECTORS = 3


# ---------------------------------------------------------------------------------------------------
# inputs

def _generated(seed: int) -> bytes:
    from jit.fuzz.generator import generate

    return generate(f"crash:{seed}").encode()


_CODE_BYTES = (0x00, 0x01, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x1A, 0x1B, 0x20, 0x21, 0x22, 0x23, 0x24,
               0x28, 0x36, 0x3F, 0x40, 0x41, 0x42, 0x45, 0x6A, 0x6D, 0x7F, 0x80, 0xFF)


def mutate_code(data: bytes, rng: random.Random) -> bytes:
    """Change 1-3 bytes inside the code section (opcodes, immediates, local indices): such inputs
    still validate far more often than whole-module mutations and reach the compiler."""
    from jit.errors import CompileError
    from jit.wasm import decode

    try:
        code = [(start, size) for sid, start, size in decode(data).sections if sid == 10]
    except CompileError:
        code = []
    if not code or code[0][1] == 0:
        return data
    start, size = code[0]
    d = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        i = start + rng.randrange(size)
        d[i] = rng.choice(_CODE_BYTES) if rng.random() < 0.6 else d[i] ^ (1 << rng.randrange(8))
    return bytes(d)


def inputs(seed: int, count: int, spec_seeds: list[bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """``count`` candidate modules (origin, bytes), reproducible from ``seed``; not all are valid."""
    import fuzz_frontend

    rng = random.Random(seed)
    seeds = spec_seeds if spec_seeds is not None else fuzz_frontend.seed_modules()
    valid = fuzz_frontend._valid(seeds)
    for i in range(count):
        r = rng.random()
        if r < 0.1 or not valid:
            yield "generated", _generated(seed * 1_000_000 + i)
        elif r < 0.25:
            base = _generated(seed * 1_000_000 + i)
            yield "generated+mutated", fuzz_frontend.mutate(base, rng, seeds)
        elif r < 0.45:
            yield "generated+code", mutate_code(_generated(seed * 1_000_000 + i), rng)
        elif r < 0.7:
            yield "spec+code", mutate_code(rng.choice(valid), rng)
        else:
            yield "spec+mutated", fuzz_frontend.mutate(rng.choice(valid), rng, seeds)


# ---------------------------------------------------------------------------------------------------
# the child: compile, instantiate, call

def _stub_imports(module: Any) -> dict[str, dict[str, Any]]:
    import jit
    from jit.wasm import FuncType, GlobalType, MemoryType, TableType, valtype_name

    out: dict[str, dict[str, Any]] = {}
    for mod, name, t in module.imports:
        if isinstance(t, FuncType):
            nres = len(t.results)
            zeros = None if nres == 0 else 0 if nres == 1 else tuple([0] * nres)
            ext: Any = jit.Func(lambda *_a, _z=zeros: _z, params=[valtype_name(v) for v in t.params],
                                results=[valtype_name(v) for v in t.results])
        elif isinstance(t, MemoryType):
            ext = jit.Memory(t.limits.min, t.limits.max)
        elif isinstance(t, TableType):
            ext = jit.Table(valtype_name(t.elem), t.limits.min, t.limits.max)
        elif isinstance(t, GlobalType):
            ext = jit.Global(valtype_name(t.valtype), None if t.valtype in (0x70, 0x6F) else 0,
                             mutable=t.mutable)
        else:  # pragma: no cover - the four extern kinds are covered
            raise AssertionError(t)
        out.setdefault(mod, {})[name] = ext
    return out


_BOUNDARY = (0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFF, 0x10000, 0xFFFFFFFFFFFFFFFF,
             0x8000000000000000, 0x7FF8000000000000, 0x7FC00000)


def _args(rng: random.Random, params: tuple[int, ...], k: int) -> list[Any]:
    out: list[Any] = []
    for t in params:
        if t in (0x70, 0x6F):
            out.append(None)
        elif k == 0:
            out.append(0)
        else:
            bits = 128 if t == 0x7B else 64 if t in (0x7E, 0x7C) else 32
            v = rng.choice(_BOUNDARY) if k == 1 else rng.getrandbits(bits)
            out.append(v & ((1 << bits) - 1))
    return out


def run_one(data: bytes, call_seconds: float, rng: random.Random) -> dict[str, Any]:
    """Compile, instantiate and call every export of ``data``; only jit errors are expected."""
    import jit

    res: dict[str, Any] = {"stage": "compile", "calls": 0, "outcomes": {}}
    outcomes: Counter[str] = Counter()
    try:
        module = jit.Module(data)
        res["stage"] = "instantiate"
        limits = jit.Limits(**CHILD_LIMITS)
        instance = jit.Instance(module, _stub_imports(module), limits=limits)
        res["stage"] = "call"
        funcs = [(name, t) for name, t in module.exports if isinstance(t, jit.wasm.FuncType)]
        for name, t in funcs:
            f = instance.exports[name]
            if not hasattr(f, "call_raw"):   # a re-exported host import is the jit.Func itself
                outcomes["skipped:host import"] += 1
                continue
            for k in range(ARG_VECTORS):
                timer = threading.Timer(call_seconds, instance.interrupt)
                timer.start()
                try:
                    f.call_raw(_args(rng, t.params, k))
                    outcomes["ok"] += 1
                except jit.Trap as trap:
                    outcomes[f"trap:{trap.kind}"] += 1
                except jit.Error as exc:
                    outcomes[f"error:{type(exc).__name__}"] += 1
                finally:
                    timer.cancel()
                res["calls"] += 1
        res["stage"] = "done"
    except jit.Trap as trap:
        res["error"] = f"trap:{trap.kind}"
    except jit.Error as exc:
        res["error"] = type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a non-jit exception is a finding
        import traceback

        res["python"] = f"{type(exc).__name__}: {exc}"
        res["traceback"] = traceback.format_exc(limit=8)
    res["outcomes"] = dict(outcomes)
    return res


def child_main(call_seconds: float) -> int:
    """Read ``<index> <hex>`` lines; print ``start <index>`` then the JSON result of each."""
    import jit  # noqa: F401 - import before the first input so that a failing import is not a finding

    out = sys.stdout
    selftest = os.environ.get("CRASH_FUZZ_SELFTEST", "")   # "crash:<index>" / "hang:<index>"
    for line in sys.stdin:
        index, hexdata = line.split()
        out.write(f"start {index}\n")
        out.flush()
        if selftest == f"crash:{index}":   # the parent's crash detection, tested end to end
            import ctypes
            ctypes.string_at(0)
        if selftest == f"hang:{index}":
            time.sleep(3600)
        res = run_one(bytes.fromhex(hexdata), call_seconds, random.Random(int(index)))
        out.write(json.dumps(res) + "\n")
        out.flush()
    return 0


# ---------------------------------------------------------------------------------------------------
# the parent

@dataclass
class Report:
    """Counts of one campaign; ``findings`` are (kind, index, origin, detail)."""

    inputs: int = 0
    valid: int = 0
    rejected_by: Counter[str] = field(default_factory=Counter)
    compiled: int = 0
    instantiated: int = 0
    completed: int = 0
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)
    findings: list[tuple[str, int, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    child_restarts: int = 0

    def summary(self) -> str:
        kinds = Counter(k for k, *_ in self.findings)
        lines = [
            f"inputs: {self.inputs}  valid: {self.valid} {dict(self.origins)}  "
            f"rejected: {dict(self.rejected_by)}",
            f"compiled: {self.compiled}  instantiated: {self.instantiated}  all exports called: "
            f"{self.completed}  calls: {self.calls}",
            f"call outcomes: {dict(self.outcomes.most_common())}",
            f"compile/instantiate errors: {dict(self.errors.most_common())}",
            f"findings: crashes {kinds['crash']}  hangs {kinds['hang']}  python exceptions "
            f"{kinds['python']}  (child restarts {self.child_restarts})",
            f"time: {self.seconds:.0f} s ({self.inputs / max(self.seconds, 1e-9):.1f} inputs/s)",
        ]
        for kind, index, origin, detail in self.findings[:20]:
            lines.append(f"  {kind} #{index} ({origin}): {detail[:300]}")
        return "\n".join(lines)


class _Child:
    def __init__(self, call_seconds: float) -> None:
        env = dict(os.environ, PYTHONFAULTHANDLER="1")   # a crash prints the Python stack
        self.err = tempfile.TemporaryFile()                # a file: a chatty child never blocks
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", "--call-seconds", str(call_seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, env=env, cwd=ROOT)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.buf = b""

    def send(self, index: int, data: bytes) -> None:
        self.proc.stdin.write(f"{index} {data.hex()}\n".encode())
        self.proc.stdin.flush()

    def line(self, deadline: float) -> str | None:
        """The next output line, or None on EOF (child died) or at the deadline ('' then)."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                return ""
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def stderr_tail(self) -> str:
        self.err.seek(0)
        return self.err.read().decode(errors="replace")[-1500:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.sel.close()
        self.err.close()


def _describe_exit(proc: subprocess.Popen[bytes]) -> str:
    rc = proc.wait()
    if rc < 0:
        return f"killed by {signal.Signals(-rc).name}"
    return f"exited with status {rc}"


def run(count: int, seed: int, out_dir: Path | None = None, call_seconds: float = 0.5,
        hang_seconds: float = 60.0, report_every: int = 0, spec_seeds: list[bytes] | None = None) -> Report:
    """Run ``count`` candidate inputs; returns the report (findings saved to ``out_dir`` if given)."""
    from jit.errors import CompileError, LimitError
    from jit.wasm import validate

    rep = Report()
    start = time.perf_counter()
    child: _Child | None = None

    def finding(kind: str, index: int, origin: str, data: bytes, detail: str) -> None:
        rep.findings.append((kind, index, origin, detail))
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{kind}-{seed}-{index}.wasm").write_bytes(data)
            (out_dir / f"{kind}-{seed}-{index}.txt").write_text(f"{origin}\n{detail}\n")

    try:
        for index, (origin, data) in enumerate(inputs(seed, count, spec_seeds)):
            rep.inputs += 1
            if report_every and rep.inputs % report_every == 0:
                print(f"{rep.inputs} inputs, {rep.valid} valid, {rep.calls} calls, "
                      f"{len(rep.findings)} findings, {time.perf_counter() - start:.0f} s", flush=True)
            try:
                validate(data)
            except (CompileError, LimitError) as exc:
                rep.rejected_by[type(exc).__name__] += 1
                continue
            except Exception as exc:  # noqa: BLE001 - the front end must raise only jit errors
                finding("python", index, origin, data, f"front end: {type(exc).__name__}: {exc}")
                continue
            rep.valid += 1
            rep.origins[origin] += 1
            if child is None:
                child = _Child(call_seconds)
            child.send(index, data)
            deadline = time.monotonic() + hang_seconds
            first = child.line(deadline)
            result = child.line(deadline) if first and first.startswith("start") else first
            if result is None or result == "":
                if result is None:
                    detail = f"child {_describe_exit(child.proc)}; stderr: {child.stderr_tail()}"
                    kind = "crash"
                else:
                    detail = f"no answer within {hang_seconds} s"
                    kind = "hang"
                child.kill()
                child = None
                rep.child_restarts += 1
                finding(kind, index, origin, data, detail)
                continue
            res = json.loads(result)
            stage = res["stage"]
            rep.compiled += stage != "compile"
            rep.instantiated += stage in ("call", "done")
            rep.completed += stage == "done"
            rep.calls += res["calls"]
            rep.outcomes.update(res["outcomes"])
            if "error" in res:
                rep.errors[f"{stage}:{res['error']}"] += 1
            if "python" in res:
                finding("python", index, origin, data, f"{stage}: {res['python']}\n{res['traceback']}")
    finally:
        if child is not None:
            child.proc.stdin.close()
            child.kill()
        rep.seconds = time.perf_counter() - start
    return rep


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/crash-fuzz"))
    ap.add_argument("--call-seconds", type=float, default=0.5, help="interrupt a call after this long")
    ap.add_argument("--hang-seconds", type=float, default=60.0, help="a silent child is a hang after this")
    ap.add_argument("--report-every", type=int, default=1000)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args.call_seconds)
    rep = run(args.inputs, args.seed, args.out, args.call_seconds, args.hang_seconds, args.report_every)
    print(rep.summary())
    return 1 if rep.findings else 0


if __name__ == "__main__":
    sys.exit(main())
