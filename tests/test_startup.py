"""Startup (issue 14 item 6): ``wxjit run`` imports only what running needs, and ``wxjit bench startup``
measures time to first result against wasmtime-py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What `wxjit run` must not import: the other commands, the file format, the cache, the parallel
# compiler, the benchmarks and the fuzzer; inspect (jit.dataclass_cache: every dataclass on the way
# has a docstring) and ctypes (jit.wasi.fs loads it on the first path lookup).
NOT_FOR_RUN = ["jit.commands.bench", "jit.commands.fuzz", "jit.commands.spec", "jit.commands.compile",
               "jit.commands.validate", "jit.commands.inspect", "jit.commands.objdump",
               "jit.runtime.serialize", "jit.cache", "jit.parallel", "jit.benchmarks", "jit.fuzz", "jit.pool",
               "json", "hashlib", "subprocess", "inspect", "ctypes"]

PROGRAM = r"""
import sys
from jit.cli import main
status = main(["run", "--invoke", "fib", "examples/fib.wasm", "10"])
print(sorted(m for m in sys.modules if m in NAMES or m.startswith(tuple(n + "." for n in NAMES))))
sys.exit(status)
"""


def test_wxjit_run_imports_only_what_it_needs() -> None:
    code = f"NAMES = {NOT_FOR_RUN!r}\n" + PROGRAM
    env = {k: v for k, v in os.environ.items() if k != "WXJIT_LAZY"}      # the default: lazy
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "55"
    assert lines[1] == "[]", f"wxjit run imported {lines[1]}"


def test_wxjit_help_still_lists_every_command() -> None:
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "-h"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0
    for name, text in [("run", "run a WASI command"), ("bench", "run a benchmark"),
                       ("objdump", "disassemble")]:
        assert name in proc.stdout and text in proc.stdout


def test_the_console_script_leaves_without_teardown_after_run(tmp_path: Path) -> None:
    """The fast exit keeps every byte of output, the exit status and the trap report."""
    script = "import sys\nfrom jit.cli import main\nsys.exit(main())"
    ok = subprocess.run([sys.executable, "-c", script, "run", "--invoke", "fib", "examples/fib.wasm", "12"],
                        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (ok.returncode, ok.stdout) == (0, "144\n")
    wat = tmp_path / "trap.wat"
    wat.write_text('(module (func (export "boom") unreachable))')
    from wasm_text import HAVE_WAT
    if not HAVE_WAT:
        pytest.skip("no Wasm text parser")
    from wasm_text import wat as assemble
    path = tmp_path / "trap.wasm"
    path.write_bytes(assemble(wat.read_text()))
    bad = subprocess.run([sys.executable, "-c", script, "run", "--invoke", "boom", str(path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 134 and "trap: unreachable" in bad.stderr


def test_bench_startup_json() -> None:
    from jit.benchmarks.programs_build import BuildUnavailable, find_clang
    try:
        find_clang()
    except BuildUnavailable as exc:
        pytest.skip(str(exc))
    engines = "wxjit,wasmtime"
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        engines = "wxjit"
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "bench", "startup", "hello", "--reps", "1",
                           "--engines", engines, "--json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = {(r["module"], r["engine"]): r for r in data["results"]}
    assert rows["hello", "wxjit"]["output"] == "hello, world\n"
    assert rows["hello", "wxjit"]["wall_s"] > 0 and rows["hello", "wxjit"]["cpu_s"] > 0
    assert data["load_average"]["cpus"] >= 1 and data["load_average"]["before"] >= 0
    if "wasmtime" in engines:
        assert rows["hello", "wasmtime"]["output"] == "hello, world\n"
        assert set(data["ratio_vs_wasmtime"]) == {"hello"} and data["target"] == {"hello": 1.0}


GC_SPY = r"""
import gc, sys
import jit.commands.common as common
import jit.commands.run as run
seen = []
load = common.load_module
invoke = run._invoke
def spy_load(*a, **k):
    seen.append(("load", gc.isenabled()))
    return load(*a, **k)
def spy_invoke(*a, **k):
    seen.append(("guest", gc.isenabled()))
    print(seen, file=sys.stderr)        # (the console script leaves with os._exit after the run)
    return invoke(*a, **k)
common.load_module, run._invoke = spy_load, spy_invoke
from jit.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("eager", [False, True])
def test_console_script_pauses_the_collector_only_while_starting(eager: bool) -> None:
    """jit.commands.startup: no cyclic GC while loading a lazily compiled module, the collector on
    again (and what the startup made frozen) before the guest runs; a whole-module compile runs with
    it on."""
    args = ["run", *(["--eager"] if eager else []), "--invoke", "fib", "examples/fib.wasm", "10"]
    proc = subprocess.run([sys.executable, "-c", GC_SPY, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert (proc.returncode, proc.stdout) == (0, "55\n"), proc.stderr
    assert proc.stderr.strip() == f"[('load', {eager}), ('guest', True)]"


def test_main_with_arguments_leaves_the_collector_alone() -> None:
    import gc

    from jit.cli import main
    assert gc.isenabled()
    assert main(["run", "--invoke", "fib", str(ROOT / "examples/fib.wasm"), "5"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
