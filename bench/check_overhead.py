"""What the interruption and fuel checks cost on the benchmark programs (issue 8).

Every function entry and loop header of compiled code compares the interrupt flag; with fuel, it also
decrements a counter. This script runs each program of ``bench/programs`` under three builds, each in a
fresh child process, and reports median run times and ratios to the first:

- ``none``: the checks removed (a measurement baseline only: wxjit always compiles the interrupt check),
- ``interrupt``: the default code,
- ``fuel``: compiled with fuel checks, run with ``jit.Limits(fuel=2**60)``.

    python bench/check_overhead.py [--repeat 3] [--only nbody,matmul] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("none", "interrupt", "fuel")


def child(mode: str, wasm: str) -> None:
    """Compile and run one program in this process; print the run time in seconds."""
    sys.path.insert(0, str(ROOT))
    import jit
    from jit.wasi import run_command
    from jit.x64 import compiler

    if mode == "none":
        compiler.FunctionCompiler.emit_budget_checks = lambda self: None
    module = jit.Module(Path(wasm).read_bytes(), fuel=mode == "fuel")
    limits = jit.Limits(fuel=2**60) if mode == "fuel" else None
    with open(os.devnull, "wb") as sink:
        t0 = time.perf_counter()
        code = run_command(module, args=[wasm], stdout=sink, limits=limits)
        elapsed = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"{wasm} exited with {code}")
    print(elapsed)


def measure(mode: str, wasm: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", mode, str(wasm)], capture_output=True,
                             text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="comma-separated program names")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "WASM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    sys.path.insert(0, str(ROOT))
    from jit.benchmarks.programs_build import build_all

    built = build_all()
    names = set(args.only.split(",")) if args.only else None
    rows = []
    for prog in sorted(built, key=lambda p: p.name):
        if names and prog.name not in names:
            continue
        times = {mode: measure(mode, prog.wasm, args.repeat) for mode in MODES}
        rows.append({"program": prog.name, **{f"{m}_s": t for m, t in times.items()},
                     "interrupt_ratio": times["interrupt"] / times["none"],
                     "fuel_ratio": times["fuel"] / times["none"]})
        if not args.json:
            r = rows[-1]
            print(f"{r['program']:14} none {r['none_s']:.3f}s  interrupt {r['interrupt_s']:.3f}s "
                  f"({r['interrupt_ratio']:.3f}x)  fuel {r['fuel_s']:.3f}s ({r['fuel_ratio']:.3f}x)",
                  flush=True)
    geo = {k: statistics.geometric_mean(r[k] for r in rows) for k in ("interrupt_ratio", "fuel_ratio")}
    if args.json:
        print(json.dumps({"programs": rows, "geomean": geo}, indent=1))
    else:
        print(f"geomean        interrupt {geo['interrupt_ratio']:.3f}x  fuel {geo['fuel_ratio']:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
