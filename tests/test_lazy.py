"""Lazy compilation (docs/lazy-compilation.md): decode and validate at ``jit.Module(...)``, compile each
function on its first call, through jump slots written via the code memfd's writable view.

Every test compares against eager compilation (``lazy=False``) where there is something to compare:
the same results, traps, backtraces, fuel counts and serialized bytes.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.native import ffi
from jit.runtime import lazy as lazy_runtime

pytestmark = needs_wat2wasm
ROOT = Path(__file__).resolve().parent.parent

# $main -> $mid -> $leaf (traps on 0); $other is never called by them; $loop spins; $table_* through
# call_indirect ($indirect(i, x) calls table[i](x)); $rec recurses.
WAT = """
(module
  (type $ii (func (param i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (table $t 4 funcref)
  (elem (i32.const 0) $leaf $other $mid)
  (func $leaf (export "leaf") (param i32) (result i32)
    (i32.div_u (i32.const 100) (local.get 0)))
  (func $mid (export "mid") (param i32) (result i32)
    (i32.add (call $leaf (local.get 0)) (i32.const 1)))
  (func $main (export "main") (param i32) (result i32)
    (call $log (local.get 0))
    (i32.mul (call $mid (local.get 0)) (i32.const 2)))
  (func $other (export "other") (param i32) (result i32)
    (i32.load (i32.mul (local.get 0) (i32.const 65536))))
  (func $indirect (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func $ref (export "ref") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func $loop (export "loop") (loop $l (br $l)))
  (func $rec (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
)
"""
LEAF, MID, MAIN, OTHER, INDIRECT, REF, LOOP, REC = range(1, 9)      # function indices (0: the import)


@pytest.fixture(scope="module")
def wasm() -> bytes:
    return wat(WAT)


def instance(module: jit.Module, log: list[int] | None = None,
             limits: jit.Limits | None = None) -> jit.Instance:
    sink = log if log is not None else []
    return jit.Instance(module, {"env": {"log": jit.Func(sink.append, ["i32"], [])}}, limits)


def test_lazy_is_the_default_and_eager_is_asked_for(wasm: bytes, monkeypatch) -> None:
    monkeypatch.delenv("WXJIT_LAZY", raising=False)
    assert jit.Module(wasm).lazy and not jit.Module(wasm, lazy=False).lazy
    monkeypatch.setenv("WXJIT_LAZY", "0")                 # how a whole test run goes eager
    assert not jit.Module(wasm).lazy and jit.Module(wasm, lazy=True).lazy
    eager = jit.Module(wasm, lazy=False)
    assert eager.compiled_functions == list(range(1, 9))


def test_functions_compile_on_their_first_call_only(wasm: bytes) -> None:
    module = jit.Module(wasm, lazy=True)
    assert module.compiled_functions == [] and module.code.compiles == 0
    inst = instance(module)
    assert module.compiled_functions == []                       # instantiating compiles nothing
    assert inst.exports.main(5) == 2 * (100 // 5 + 1)
    assert module.compiled_functions == [LEAF, MID, MAIN]         # main and what it called
    assert module.code.compiles == 3
    for _ in range(3):
        assert inst.exports.main(7) == 2 * (100 // 7 + 1)
        assert instance(module).exports.mid(10) == 11             # new instances share the code
    assert module.code.compiles == 3
    assert inst.exports.other(0) == 0
    assert module.compiled_functions == [LEAF, MID, MAIN, OTHER] and module.code.compiles == 4


def test_results_match_eager_compilation(wasm: bytes) -> None:
    lazy, eager = instance(jit.Module(wasm, lazy=True)), instance(jit.Module(wasm, lazy=False))
    for name, args in [("main", (3,)), ("mid", (9,)), ("rec", (300,)), ("indirect", (0, 4)),
                       ("indirect", (2, 1)), ("other", (0,))]:
        assert lazy.exports[name](*args) == eager.exports[name](*args), name


def test_an_invalid_module_fails_at_construction() -> None:
    # the bad function is never called: validation is eager all the same
    ok = '(func (export "ok") (result i32) (i32.const 1))'
    with pytest.raises(jit.ValidationError):
        jit.Module(wat(f"(module {ok} (func (result i32) (i64.const 1)))"), lazy=True)
    with pytest.raises(jit.MalformedError):
        jit.Module(b"\0asm\1\0\0\0\x0a\x04\x01\x02\x00", lazy=True)
    with pytest.raises(jit.LimitError):
        jit.Module(wat(f"(module {ok} {ok.replace('ok', 'ok2')})"), limits=jit.Limits(max_functions=1))


def _trap(inst: jit.Instance, name: str, *args: int) -> jit.Trap:
    with pytest.raises(jit.Trap) as info:
        inst.exports[name](*args)
    return info.value


def test_traps_and_backtraces_in_lazily_compiled_code(wasm: bytes) -> None:
    lazy, eager = instance(jit.Module(wasm, lazy=True)), instance(jit.Module(wasm, lazy=False))
    for name, args, kind in [("main", (0,), "integer divide by zero"),       # explicit trap, 3 deep
                             ("other", (2,), "out of bounds memory access"),  # a fault (signal)
                             ("indirect", (3, 0), "uninitialized element"),
                             ("indirect", (9, 0), "undefined element")]:
        want = _trap(eager, name, *args)
        for _ in range(2):                     # the first call compiles, the second runs compiled code
            got = _trap(lazy, name, *args)
            assert got.kind == want.kind == kind
            assert got.backtrace == want.backtrace and got.backtrace, name
            assert (got.func_index, got.func_name, got.wasm_offset) == \
                   (want.func_index, want.func_name, want.wasm_offset)
    bt = _trap(lazy, "main", 0).backtrace
    assert [f[1] for f in bt] == ["leaf", "mid", "main"]
    assert lazy.exports.main(4) == 52                            # usable after traps


def test_stack_exhaustion_while_functions_are_compiled(wasm: bytes) -> None:
    for module in (jit.Module(wasm, lazy=True), jit.Module(wasm, lazy=False)):
        inst = instance(module)
        assert _trap(inst, "rec", 10**7).kind == "call stack exhausted"
        assert inst.exports.rec(1000) == 1000


def test_two_threads_racing_on_one_uncompiled_function(wasm: bytes, monkeypatch) -> None:
    module = jit.Module(wasm, lazy=True)
    code = module.code
    compiling = threading.Event()
    calls: list[int] = []
    real = code._compile

    def slow_compile(index: int):                # hold the first compile until the other thread waits
        calls.append(index)
        compiling.set()
        time.sleep(0.2)
        return real(index)
    monkeypatch.setattr(code, "_compile", slow_compile)
    instances = [instance(module) for _ in range(4)]        # separate groups: they run in parallel
    results: dict[int, object] = {}
    start = threading.Barrier(len(instances))

    def run(k: int) -> None:
        start.wait()
        try:
            results[k] = instances[k].exports.leaf(4)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[k] = exc
    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(instances))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {k: 25 for k in range(len(instances))}
    assert calls == [LEAF] and module.compiled_functions == [LEAF]    # compiled once, one code
    assert compiling.is_set()


def test_calls_through_tables_funcrefs_exports_and_imports_before_compilation(wasm: bytes) -> None:
    module = jit.Module(wasm, lazy=True)
    inst = instance(module)
    slots = module.compiled.func_offsets                   # every reference targets a jump slot
    leaf = inst.exports.leaf
    assert leaf.code_address == module.code.address + slots[LEAF - 1]
    ref = inst.exports.ref(2)                              # a funcref of $mid, which is not compiled
    assert module.compiled_functions == [REF]
    assert ref(6) == 17                                    # called from Python: compiles $mid, $leaf
    assert module.compiled_functions == [LEAF, MID, REF]
    module = jit.Module(wasm, lazy=True)
    inst = instance(module)
    leaf = inst.exports.leaf
    assert inst.exports.indirect(0, 50) == 2               # call_indirect to the uncompiled $leaf
    assert module.compiled_functions == [LEAF, INDIRECT]
    assert inst.exports.indirect(2, 5) == 21               # ... and to $mid
    # an import bound to another instance's uncompiled export: a cross-instance call through its slot
    user = jit.Module(wat("""(module (import "m" "other" (func $o (param i32) (result i32)))
                             (func (export "go") (result i32) (call $o (i32.const 0))))"""), lazy=True)
    other_before = inst.exports.other.code_address
    assert jit.Instance(user, {"m": {"other": inst.exports.other}}).exports.go() == 0
    assert OTHER in module.compiled_functions
    assert inst.exports.other.code_address == other_before == module.code.address + slots[OTHER - 1]
    assert leaf.code_address == module.code.address + slots[LEAF - 1]      # stable after compiling


def call_targets(module: jit.Module, index: int) -> list[int]:
    """The targets of the ``call rel32`` instructions in function ``index``'s installed code."""
    code = module.code
    start = code.entry(index)
    seg = next(s for s in code._segments if s.address <= start < s.address + s.size)
    k = seg.funcs.index(index)
    raw = bytes(ffi.buffer(ffi.cast("char *", start), seg.ends[k] - seg.starts[k]))
    import capstone
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    return [int(i.op_str, 0) for i in md.disasm(raw, start) if i.mnemonic == "call" and
            i.op_str[:1].isdigit()]


def test_a_caller_compiled_after_its_callee_calls_it_directly(wasm: bytes) -> None:
    """Calls to functions compiled already are direct ``call rel32`` to their code; calls to the
    others go through the slot (``jmp [rip + pointer]``: one more indirect jump)."""
    module = jit.Module(wasm, lazy=True)
    inst = instance(module)
    slot = {f: module.code.address + module.compiled.func_offsets[f - 1] for f in range(1, 9)}
    inst.exports.mid(1)                                    # $mid first: its call to $leaf is the slot
    assert call_targets(module, MID) == [slot[LEAF]]
    inst.exports.main(1)                                   # $main after $mid: a direct call
    assert call_targets(module, MAIN) == [module.code.entry(MID)]
    inst.exports.rec(3)                                    # recursion: a direct call to itself
    assert call_targets(module, REC) == [module.code.entry(REC)]
    c = jit.Module(wasm, lazy=False).compiled              # eager: direct calls, callee compiled or not
    import capstone
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    start, end = c.func_offsets[MID - 1], c.func_ends[MID - 1]
    calls = [int(i.op_str, 0) for i in md.disasm(c.code[start:end], start)
             if i.mnemonic == "call" and i.op_str[:1].isdigit()]
    assert calls == [c.func_offsets[LEAF - 1]]


def test_fuel_counts_like_eager_code(wasm: bytes) -> None:
    spent = []
    for lazy in (True, False):
        inst = instance(jit.Module(wasm, lazy=lazy), limits=jit.Limits(fuel=10_000))
        assert inst.exports.rec(100) == 100
        spent.append(10_000 - inst.fuel)
        assert _trap(inst, "rec", 100_000).kind == "out of fuel"
    assert spent[0] == spent[1] > 100
    module = jit.Module(wasm, lazy=True)
    fuel_code = module._variant(True)[1]
    assert fuel_code is not module.code and fuel_code.compiles == 0           # a lazy fuel variant


def test_timeout_and_interrupt_stop_lazily_compiled_loops(wasm: bytes) -> None:
    inst = instance(jit.Module(wasm, lazy=True), limits=jit.Limits(timeout=0.2))
    t0 = time.monotonic()
    assert _trap(inst, "loop").kind == "interrupted"
    assert time.monotonic() - t0 < 10
    inst2 = instance(jit.Module(wasm, lazy=True))
    threading.Timer(0.2, inst2.interrupt).start()
    assert _trap(inst2, "loop").kind == "interrupted"
    assert inst2.exports.mid(1) == 101


def test_limits_max_code_bytes_is_checked_as_code_is_compiled(wasm: bytes) -> None:
    with pytest.raises(jit.LimitError, match="max_code_bytes"):
        jit.Module(wasm, lazy=False, limits=jit.Limits(max_code_bytes=600))
    module = jit.Module(wasm, lazy=True, limits=jit.Limits(max_code_bytes=module_header_size(wasm) + 200))
    inst = instance(module)
    assert inst.exports.leaf(5) == 20                     # fits
    with pytest.raises(jit.LimitError, match="max_code_bytes"):
        inst.exports.rec(3)                               # the compile that would go beyond it
    assert REC not in module.compiled_functions
    assert inst.exports.leaf(4) == 25                     # still usable


def module_header_size(wasm: bytes) -> int:
    return jit.Module(wasm, lazy=True).code.size


def test_a_compile_that_raises_fails_the_call_and_leaves_the_function_uncompiled(wasm: bytes,
                                                                                monkeypatch) -> None:
    module = jit.Module(wasm, lazy=True)
    real = module.code._compile

    def broken(index: int):
        raise RuntimeError(f"no compiler for {index} today")
    monkeypatch.setattr(module.code, "_compile", broken)
    inst = instance(module)
    with pytest.raises(RuntimeError, match="no compiler for 1 today"):
        inst.exports.leaf(1)
    with pytest.raises(RuntimeError, match="no compiler for 2 today"):     # from inside Wasm code too
        monkeypatch.setattr(module.code, "_compile", lambda i: real(i) if i == MAIN else broken(i))
        inst.exports.main(1)
    monkeypatch.setattr(module.code, "_compile", real)
    assert inst.exports.main(1) == 202 and module.compiled_functions == [LEAF, MID, MAIN]


def test_functions_spill_into_new_segments(wasm: bytes, monkeypatch) -> None:
    monkeypatch.setattr(lazy_runtime, "_MIN_SEGMENT", 64)
    monkeypatch.setattr(lazy_runtime, "_ROOM_PER_BODY_BYTE", 0)
    monkeypatch.setattr(lazy_runtime, "_ROOM_PER_FUNCTION", 0)
    module = jit.Module(wasm, lazy=True)
    inst = instance(module)
    assert inst.exports.main(5) == 42 and inst.exports.rec(50) == 50
    assert len(module.code._segments) > 3                 # the header's, then one per function or so
    bt = _trap(inst, "main", 0).backtrace                 # PCs in every segment map back
    assert [f[1] for f in bt] == ["leaf", "mid", "main"]
    assert _trap(inst, "other", 3).kind == "out of bounds memory access"


EH = """
(module
  (tag $e (param i32))
  ;; hot locals pinned to callee-saved registers in every frame, clobbered before the throw
  (func $thrower (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $i i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (local.set $b (i32.xor (local.get $b) (local.get $a)))
      (local.set $c (i32.add (local.get $c) (local.get $b)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (if (i32.eqz (local.get $n)) (then (throw $e (local.get $c))))
    (i32.add (call $thrower (i32.sub (local.get $n) (i32.const 1))) (local.get $a)))
  (func $mid (param $n i32) (result i32)
    (local $x i32) (local $y i32) (local $z i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (local.get $x) (i32.const 3)))
      (local.set $y (i32.add (local.get $y) (local.get $x)))
      (local.set $z (i32.add (local.get $z) (local.get $y)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (i32.add (call $thrower (local.get $n)) (i32.add (local.get $x) (i32.add (local.get $y) (local.get $z)))))
  (func (export "catch") (param $n i32) (result i32)
    (local $p i32) (local $q i32) (local $r i32) (local $i i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 11)))
      (local.set $q (i32.add (local.get $q) (local.get $p)))
      (local.set $r (i32.xor (local.get $r) (local.get $q)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (i32.add
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (call $mid (local.get $n)))
        (return))
      (i32.add (local.get $p) (i32.add (local.get $q) (local.get $r)))))
)
"""


@pytest.mark.parametrize("small_segments", [False, True])
def test_exceptions_unwind_through_lazily_compiled_frames(small_segments: bool, monkeypatch) -> None:
    """The unwinder finds handlers and saved registers in functions compiled at different times (with
    small segments: each one in its own code range, with its own handler table)."""
    if small_segments:
        monkeypatch.setattr(lazy_runtime, "_MIN_SEGMENT", 64)
        monkeypatch.setattr(lazy_runtime, "_ROOM_PER_BODY_BYTE", 0)
        monkeypatch.setattr(lazy_runtime, "_ROOM_PER_FUNCTION", 0)
    data = wat(EH)
    eager = jit.Instance(jit.Module(data, lazy=False), {}).exports["catch"]
    module = jit.Module(data, lazy=True)
    lazy = jit.Instance(module, {}).exports["catch"]
    for n in (0, 3, 8, 0, 5):           # the first call compiles all three on the way down
        assert lazy(n) == eager(n), n
    assert len(module.compiled_functions) == 3
    if small_segments:
        assert len(module.code._segments) >= 4
    # a throw reaching the entry: uncaught from the lazily compiled code of a fresh module
    thrower = jit.Module(wat(EH.replace('(func $thrower', '(func $thrower (export "thrower")')), lazy=True)
    with pytest.raises(jit.WasmException):
        jit.Instance(thrower, {}).exports.thrower(0)


def test_serialize_after_partial_compilation_writes_complete_code(wasm: bytes, tmp_path: Path) -> None:
    module = jit.Module(wasm, lazy=True)
    instance(module).exports.mid(2)                       # two functions compiled, six not
    data = module.serialize()
    assert data == jit.Module(wasm, lazy=False).serialize()       # the eager bytes exactly
    loaded = jit.Module.deserialize(data)
    assert not loaded.lazy and loaded.compiled_functions == list(range(1, 9))
    inst = instance(loaded)
    assert inst.exports.main(4) == 52 and inst.exports.rec(20) == 20 and inst.exports.other(0) == 0
    assert module.compiled_functions == [LEAF, MID]       # serializing did not touch the lazy code
    assert module.serialize(fuel=True) == jit.Module(wasm, lazy=False).serialize(fuel=True)
    cache = jit.Cache(tmp_path)
    first = cache.module(wasm)                            # a miss compiles eagerly and stores
    assert not first.lazy and cache.stats.stored == 1
    again = cache.module(wasm)
    assert cache.stats.hits == 1 and instance(again).exports.main(4) == 52


def test_objdump_compiles_every_function(wasm: bytes, tmp_path: Path) -> None:
    path = tmp_path / "m.wasm"
    path.write_bytes(wasm)
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "objdump", str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("leaf", "mid", "main", "other", "indirect", "ref", "loop", "rec"):
        assert name in proc.stdout


def test_the_start_function_compiles_lazily() -> None:
    module = jit.Module(wat("""(module (global $g (export "g") (mut i32) (i32.const 0))
        (func $s (global.set $g (i32.const 42))) (func (export "f") (result i32) (i32.const 1))
        (start $s))"""), lazy=True)
    inst = jit.Instance(module, {})
    assert inst.exports.g.value == 42 and module.compiled_functions == [0]


@pytest.mark.parametrize("eager", [False, True])
def test_wxjit_run_lazy_and_eager(eager: bool) -> None:
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "run", *(["--eager"] if eager else []),
                           "--invoke", "fib", "examples/fib.wasm", "20"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, "6765\n"), proc.stderr


def test_a_forked_child_compiles_in_code_memory_of_its_own(wasm: bytes) -> None:
    """A forked child gets its own copy of the code memory at the fork: it runs what was compiled
    before and compiles the rest there, and the parent's code and compile state do not change."""
    module = jit.Module(wasm, lazy=True)
    inst = instance(module)
    assert inst.exports.mid(4) == 26                      # $mid and $leaf compiled before the fork
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                          # the child: report and leave at once
        try:
            out = [str(inst.exports.mid(5)), str(inst.exports.rec(2)), str(REC in module.compiled_functions)]
            os.write(w, " ".join(out).encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(w, f"error: {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(w)
    got = os.read(r, 1000).decode()
    os.close(r)
    os.waitpid(pid, 0)
    assert got == "21 2 True"
    assert REC not in module.compiled_functions           # the child's compile stayed in the child
    assert inst.exports.rec(2) == 2 and REC in module.compiled_functions      # the parent compiles


W_X_PROGRAM = r"""
import re, sys
import jit
from jit.runtime import lazy
lazy._MIN_SEGMENT, lazy._ROOM_PER_BODY_BYTE, lazy._ROOM_PER_FUNCTION = 64, 0, 0   # many segments
module = jit.Module(WASM, lazy=True)
inst = jit.Instance(module, {"env": {"log": jit.Func(lambda x: None, ["i32"], [])}})
for n in range(20):
    assert inst.exports.main(n + 1) == 2 * (100 // (n + 1) + 1)
    assert inst.exports.rec(n) == n and inst.exports.indirect(1, 0) == 0
assert len(module.compiled_functions) >= 6 and len(module.code._segments) > 3
maps = open("/proc/self/maps").read().splitlines()
rwx = [line for line in maps if re.match(r"^\S+ [r-]wx", line)]
assert rwx == [], rwx
def perms(addr):
    for line in maps:
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if lo <= addr < hi:
            return line.split()[1], line
for index in module.compiled_functions:
    p, line = perms(module.code.entry(index))
    assert p == "r-xs" and "memfd" in line, line          # runs from the read-execute view
p, line = perms(module.code.address)                      # the jump slots too
assert p == "r-xs", line
assert "wasmtime" not in sys.modules
print("ok")
"""


def test_no_mapping_is_writable_and_executable(wasm: bytes) -> None:
    """W^X for the whole process (a fresh interpreter without wasmtime-py, which maps rwx pages):
    code and jump slots written through the writable view, run through the read-execute one."""
    env = dict(os.environ, WXJIT_TEST_WAT="wasm-tools")
    out = subprocess.run([sys.executable, "-c", f"WASM = {wasm!r}\n" + W_X_PROGRAM], capture_output=True,
                         text=True, timeout=120, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_no_mprotect_per_compiled_function(wasm: bytes) -> None:
    """Compiling functions lazily makes no mprotect call (strace, when it is installed)."""
    import shutil
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    program = (f"WASM = {wasm!r}\n" + "import jit\nm = jit.Module(WASM, lazy=True)\n"
               "i = jit.Instance(m, {'env': {'log': jit.Func(lambda x: None, ['i32'], [])}})\n"
               "import os; os.write(2, b'BEGIN\\n')\n"
               "[i.exports.main(k + 1) + i.exports.rec(k) for k in range(5)]\n"
               "os.write(2, b'END\\n')\n")
    out = subprocess.run(["strace", "-f", "-e", "trace=mprotect,write", sys.executable, "-c", program],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    between = out.stderr.split("BEGIN", 1)[1].split("END", 1)[0]
    assert not re.search(r"mprotect\(", between), between[-2000:]
