"""``--profile=perfmap``: ``/tmp/perf-<pid>.map`` names each loaded function's code range for ``perf``."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm

import jit
from jit.runtime.perfmap import entries, write_perf_map

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_wat2wasm

TEXT = """(module
  (import "env" "h" (func $h))
  (func $first (export "first") (result i32) (i32.const 1))
  (func (result i32) (i32.const 2))
  (func $third (export "third") (param i32) (result i32) (i32.add (local.get 0) (call $first))))"""
LINE = re.compile(r"^([0-9a-f]+) ([0-9a-f]+) (wasm\[\d+\]::\S+)$")


def parse(path: Path) -> list[tuple[int, int, str]]:
    out = []
    for line in path.read_text().splitlines():
        m = LINE.match(line)
        assert m, line
        out.append((int(m[1], 16), int(m[2], 16), m[3]))
    return out


def test_map_matches_the_loaded_code(tmp_path: Path) -> None:
    module = jit.Module(TEXT, lazy=False)
    path = tmp_path / "perf.map"
    write_perf_map(module, str(path))
    got = parse(path)
    c, base = module.compiled, module.code.address
    names = ["wasm[1]::first", "wasm[2]::function[2]", "wasm[3]::third"]
    want = [(base + s, e - s, name) for s, e, name in zip(c.func_offsets, c.func_ends, names, strict=True)]
    assert got == want
    for start, size, _ in got:           # inside the module's executable code, not overlapping
        assert base <= start and start + size <= base + module.code.size and size > 0
    assert all(a[0] + a[1] <= b[0] for a, b in zip(got, got[1:], strict=False))
    # the function a pc belongs to, as the trap handler sees it
    for k, (start, size, _) in enumerate(got):
        assert c.func_at(start - base) == k + 1 and c.func_at(start - base + size - 1) == k + 1


def test_fuel_variant_is_listed_too(tmp_path: Path) -> None:
    module = jit.Module(TEXT, lazy=False)
    module._variant(True)
    assert len(entries(module)) == 6
    assert len({start for start, _, _ in entries(module)}) == 6


def test_lazy_module_lists_functions_as_they_are_compiled(tmp_path: Path) -> None:
    module = jit.Module(TEXT, lazy=True)
    path = tmp_path / "perf.map"
    write_perf_map(module, str(path))
    assert not path.exists()                     # nothing compiled yet
    inst = jit.Instance(module, {"env": {"h": jit.Func(lambda: None)}})
    assert inst.exports.third(1) == 2            # compiles third, then first (its callee): appended
    assert inst.exports.third(2) == 3            # nothing more to compile
    got = parse(path)
    assert [name for _, _, name in got] == ["wasm[3]::third", "wasm[1]::first"]
    for start, size, _ in got:                   # the code runs there, and traps map it back
        seg = next(s for s in module.code._segments if s.address <= start < s.address + s.size)
        assert seg.func_at(start - seg.address) == seg.func_at(start - seg.address + size - 1)


@pytest.mark.parametrize("eager", [False, True])
def test_wxjit_run_profile_perfmap(eager: bool) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "jit.cli", "run", "--profile=perfmap", "--invoke", "fib",
                             *(["--eager"] if eager else []), "examples/fib.wasm", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={k: v for k, v in os.environ.items() if k != "WXJIT_LAZY"})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out == "55\n", err
    path = Path(f"/tmp/perf-{proc.pid}.map")
    try:                                         # lazily: the functions that ran (fib_iter never does)
        want = ["wasm[0]::fib", "wasm[1]::fib_iter"] if eager else ["wasm[0]::fib"]
        assert [name for _, _, name in parse(path)] == want
    finally:
        os.unlink(path)
