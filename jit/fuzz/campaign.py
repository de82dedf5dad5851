"""Long differential campaigns in crash-isolated worker processes (used by ``wxjit fuzz``).

A campaign with base seed S checks modules ``seed_of(S, 0)``, ``seed_of(S, 1)``, ... until the time
is up. Each worker is a ``python -m jit.fuzz.campaign --worker`` subprocess that reads seeds on
stdin and answers one JSON line per module, announcing each seed before running it, so a wxjit crash
(the worker dies) is attributed to its seed and reported as a finding. Findings are saved to the
output directory as ``<name>.wasm`` + ``<name>.json`` (the calls to replay, how to compare NaNs, the
mismatch) and, minimized, as ``<name>.min.wasm`` + ``<name>.min.json``: the same format as
``tests/fuzz_regressions/``.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED_STRIDE = 1_000_000_000


def seed_of(base: int, index: int) -> int:
    """The seed of module ``index`` of the campaign with base seed ``base``."""
    return base * SEED_STRIDE + index


# ---------------------------------------------------------------------------------------------------
# regression files

def save_finding(out_dir: Path, name: str, wasm: bytes, calls: list[Any], nan_class: bool,
                 mismatch: dict[str, Any] | None) -> Path:
    """Write ``name.wasm`` and ``name.json`` (replayable by ``load_finding``/``replay``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.wasm").write_bytes(wasm)
    meta = {"nan_class": nan_class,
            "calls": [{"func": c.func, "args": [hex(a) for a in c.args]} for c in calls],
            "mismatch": mismatch}
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(meta, indent=1) + "\n")
    return path


def load_finding(wasm_path: Path) -> tuple[bytes, list[Any], bool]:
    """The module, the calls to replay and the NaN comparison mode of a saved finding."""
    from .oracle import Call, exported_funcs, plan_calls_for_sigs
    wasm = wasm_path.read_bytes()
    sigs = exported_funcs(wasm)
    meta_path = wasm_path.with_suffix(".json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        calls = [Call(c["func"], sigs[c["func"]], [int(a, 16) for a in c["args"]]) for c in meta["calls"]]
        return wasm, calls, bool(meta.get("nan_class", False))
    return wasm, plan_calls_for_sigs(wasm_path.stem, sigs), False


def replay(wasm_path: Path) -> Any:
    """Run a saved finding in both engines again; returns the ``RunReport``."""
    from .oracle import exported_memories, run_wasm
    wasm, calls, nan_class = load_finding(wasm_path)
    return run_wasm(wasm, calls, nan_class, seed=wasm_path.stem, memories=exported_memories(wasm))


# ---------------------------------------------------------------------------------------------------
# worker side

def check_seed(seed: int, out_dir: Path | None, minimize: bool = True) -> dict[str, Any]:
    """Generate, run and compare one module; save (and minimize) it if it mismatches."""
    from .generator import generate
    from .oracle import plan_calls, run_module
    gm = generate(seed)
    report = run_module(gm)
    result: dict[str, Any] = {"seed": seed, "calls": report.calls, "traps": report.traps, "hung": report.hung,
                              "either": report.either, "limited": report.limited,
                              "mismatches": [m.to_json() for m in report.mismatches]}
    if report.mismatches and out_dir is not None:
        m = report.mismatches[0]
        calls = plan_calls(gm)
        save_finding(out_dir, f"seed-{seed}", gm.encode(), calls[:m.call_index + 1], not gm.canon,
                     m.to_json())
        if minimize:
            from .minimize import minimize as shrink
            small, small_calls = shrink(gm, m)
            again = run_module(small, calls=small_calls).mismatches
            save_finding(out_dir, f"seed-{seed}.min", small.encode(), small_calls, not gm.canon,
                         again[0].to_json() if again else m.to_json())
            result["minimized_size"] = len(small.encode())
    return result


def check_smith_seed(seed: int, out_dir: Any = None, features: Any = None) -> dict[str, Any]:
    """Make, run and compare the smith module of ``seed`` (the proposals of ``features``, default
    ``jit.Features()``); save it when it mismatches."""
    from .smith import interface, run_smith, smith_module
    wasm = smith_module(seed, features)
    if wasm is None:
        return {"seed": seed, "calls": 0, "traps": 0, "hung": False, "mismatches": [], "no_module": True}
    report = run_smith(wasm, seed)
    result: dict[str, Any] = {"seed": seed, "calls": report.calls, "traps": report.traps, "hung": report.hung,
                              "either": report.either, "limited": report.limited,
                              "mismatches": [m.to_json() for m in report.mismatches]}
    if report.mismatches and out_dir is not None:
        from .oracle import plan_calls_for_sigs
        m = report.mismatches[0]
        calls = plan_calls_for_sigs(seed, interface(wasm).funcs, 2) if m.what != "compile" else []
        save_finding(out_dir, f"smith-{seed}", wasm, calls[:m.call_index + 1] if m.call_index >= 0 else [],
                     False, m.to_json())
    return result


SOURCES = ("gen", "smith")
"""Where a campaign's modules come from: the project's generator (``jit.fuzz.generator``) or
``wasm-tools smith`` (``jit.fuzz.smith``)."""


def worker_main(out_dir: str | None, minimize: bool, source: str = "gen") -> int:
    out = Path(out_dir) if out_dir else None
    if source == "smith":
        check = check_smith_seed
    else:
        def check(seed: int, out: Path | None) -> dict[str, Any]:
            return check_seed(seed, out, minimize)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        seed = int(line)
        print(json.dumps({"start": seed}), flush=True)
        try:
            result = check(seed, out)
        except Exception as exc:   # noqa: BLE001 - a harness failure is reported, not fatal
            result = {"seed": seed, "calls": 0, "traps": 0, "hung": False, "mismatches": [],
                      "harness_error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(result), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------------
# parent side

@dataclass
class Stats:
    """Running totals of a campaign."""

    modules: int = 0
    calls: int = 0
    traps: int = 0
    hung: int = 0
    crashes: int = 0
    harness_errors: int = 0
    no_module: int = 0          # smith inputs that gave no module (smith's exit code 2)
    either: int = 0             # relaxed SIMD modules that agreed with wasmtime's native choices only
    limited: int = 0            # modules stopped by an engine's GC heap limit (oracle.RESOURCE_TRAPS)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"modules": self.modules, "calls": self.calls, "traps": self.traps, "hung": self.hung,
                "crashes": self.crashes, "harness_errors": self.harness_errors, "either": self.either,
                "no_module": self.no_module, "limited": self.limited,
                "mismatches": len(self.mismatches), "findings": self.mismatches,
                "seconds": round(self.seconds, 1)}


class _Worker:
    def __init__(self, out_dir: Path, minimize: bool, source: str = "gen") -> None:
        cmd = [sys.executable, "-m", "jit.fuzz.campaign", "--worker", "--out", str(out_dir),
               "--source", source]
        if not minimize:
            cmd.append("--no-minimize")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.current: int | None = None
        self.buffer = b""

    def read_lines(self) -> list[str] | None:
        """Complete lines available now; None when the worker has exited (EOF)."""
        assert self.proc.stdout is not None
        data = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not data:
            return None
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        return [line.decode() for line in lines if line.strip()]

    def send(self, seed: int) -> None:
        assert self.proc.stdin is not None
        self.current = seed
        self.proc.stdin.write(f"{seed}\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_campaign(seconds: float, base_seed: int = 0, jobs: int = 1, out_dir: Path = Path("fuzz-failures"),
                 minimize: bool = True, max_modules: int | None = None, skip: set[int] | None = None,
                 on_result: Callable[[Stats, dict[str, Any]], None] | None = None,
                 source: str = "gen") -> Stats:
    """Check generated modules until ``seconds`` pass (or ``max_modules`` are done); ``source``: one
    of ``SOURCES``."""
    stats = Stats()
    start = time.monotonic()
    deadline = start + seconds
    sel = selectors.DefaultSelector()
    workers: list[_Worker] = []
    next_index = 0
    skip = skip or set()

    def next_seed() -> int | None:
        nonlocal next_index
        while True:
            if time.monotonic() >= deadline or (max_modules is not None and next_index >= max_modules):
                return None
            s = seed_of(base_seed, next_index)
            next_index += 1
            if s not in skip:
                return s

    def start_worker() -> _Worker | None:
        seed = next_seed()
        if seed is None:
            return None
        w = _Worker(out_dir, minimize, source)
        assert w.proc.stdout is not None
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)
        workers.append(w)
        w.send(seed)
        return w

    for _ in range(max(1, jobs)):
        start_worker()
    while workers:
        for key, _ in sel.select(timeout=1.0):
            w: _Worker = key.data
            lines = w.read_lines()
            if lines is None:       # the worker died: wxjit crashed on w.current
                sel.unregister(key.fileobj)
                workers.remove(w)
                w.proc.wait()
                if w.current is not None:
                    stats.modules += 1
                    stats.crashes += 1
                    finding = {"seed": w.current, "what": "crash",
                               "wxjit": f"worker exit {w.proc.returncode}",
                               "wasmtime": "", "func": None, "args": [], "call_index": -1}
                    stats.mismatches.append(finding)
                    _save_crash(out_dir, w.current, finding, source)
                    if on_result:
                        on_result(stats, {"seed": w.current, "mismatches": [finding]})
                start_worker()
                continue
            for line in lines:
                msg = json.loads(line)
                if "start" in msg:
                    continue
                w.current = None
                stats.modules += 1
                stats.calls += msg["calls"]
                stats.traps += msg["traps"]
                stats.hung += bool(msg["hung"])
                stats.harness_errors += "harness_error" in msg
                stats.no_module += bool(msg.get("no_module"))
                stats.either += bool(msg.get("either"))
                stats.limited += bool(msg.get("limited"))
                stats.mismatches.extend(msg["mismatches"])
                stats.seconds = time.monotonic() - start
                if on_result:
                    on_result(stats, msg)
                seed = next_seed()
                if seed is None:
                    sel.unregister(key.fileobj)
                    workers.remove(w)
                    w.close()
                else:
                    w.send(seed)
        stats.seconds = time.monotonic() - start
    stats.seconds = time.monotonic() - start
    return stats


def _save_crash(out_dir: Path, seed: int, finding: dict[str, Any], source: str = "gen") -> None:
    if source == "smith":
        from .smith import smith_module
        wasm = smith_module(seed)
        if wasm is not None:
            save_finding(out_dir, f"smith-{seed}", wasm, [], False, finding)
        return
    from .generator import generate
    from .oracle import plan_calls
    gm = generate(seed)
    save_finding(out_dir, f"seed-{seed}", gm.encode(), plan_calls(gm), not gm.canon, finding)


def main(argv: list[str] | None = None) -> int:
    import argparse
    p = argparse.ArgumentParser(description="differential fuzzing worker (internal)")
    p.add_argument("--worker", action="store_true")
    p.add_argument("--out", default=None)
    p.add_argument("--no-minimize", action="store_true")
    p.add_argument("--source", choices=SOURCES, default="gen")
    args = p.parse_args(argv)
    if not args.worker:
        p.error("only --worker mode is supported; use `wxjit fuzz`")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    return worker_main(args.out, not args.no_minimize, args.source)


if __name__ == "__main__":
    sys.exit(main())
