"""Run one generated module in wxjit and in wasmtime and compare everything observable.

Per exported function and argument vector: the results (bit for bit; NaN == NaN for floats of "raw"
modules, where the spec leaves NaN bits open), the trap kind (wasmtime's trap codes mapped to the
spec's texts), and afterwards the whole linear memory and every exported global. Both engines get
bit-exact arguments: wxjit through ``call_raw``, wasmtime through its C API with the raw bits written
into the value union (wasmtime-py's own conversion goes through Python floats and would quiet
signaling NaNs). Crashes of wxjit itself are not caught here (they kill the process): the campaign
runner isolates modules in worker processes for that.
"""
from __future__ import annotations

import ctypes
from dataclasses import asdict, dataclass, field
from typing import Any

from .encoding import F32, F64, I32, I64, V128, VALTYPE_NAMES, FuncSig
from .generator import BUDGET_CALLS, BUDGET_EXPORT, MEMORY_EXPORT, GeneratedModule, arg_vectors

WASMTIME_FUEL = 20_000_000
MASK = {I32: 0xFFFFFFFF, I64: 0xFFFFFFFFFFFFFFFF, F32: 0xFFFFFFFF, F64: 0xFFFFFFFFFFFFFFFF,
        V128: (1 << 128) - 1}
EXP_MASK = {F32: 0x7F800000, F64: 0x7FF0000000000000}
FRAC_MASK = {F32: 0x007FFFFF, F64: 0x000FFFFFFFFFFFFF}

# wasmtime trap code name -> the spec's trap texts it may stand for
WASMTIME_TRAPS: dict[str, tuple[str, ...]] = {
    "STACK_OVERFLOW": ("call stack exhausted",),
    "MEMORY_OUT_OF_BOUNDS": ("out of bounds memory access",),
    "HEAP_MISALIGNED": ("out of bounds memory access",),
    "TABLE_OUT_OF_BOUNDS": ("undefined element", "out of bounds table access"),
    "INDIRECT_CALL_TO_NULL": ("uninitialized element",),
    "BAD_SIGNATURE": ("indirect call type mismatch",),
    "INTEGER_OVERFLOW": ("integer overflow",),
    "INTEGER_DIVISION_BY_ZERO": ("integer divide by zero",),
    "BAD_CONVERSION_TO_INTEGER": ("invalid conversion to integer",),
    "UNREACHABLE": ("unreachable",),
    "NULL_REFERENCE": ("null exception reference", "null function reference", "null reference",
                       "null structure reference", "null array reference", "null i31 reference"),
    "ARRAY_OUT_OF_BOUNDS": ("out of bounds array access",),
    "CAST_FAILURE": ("cast failure",),
    "ALLOCATION_TOO_LARGE": ("GC heap exhausted",),
}
# Traps that say an engine's own resource limit was reached (the engines' GC heap limits differ): a
# module that reaches one on either side is not compared further, and counts as ``limited``.
RESOURCE_TRAPS = frozenset(("ALLOCATION_TOO_LARGE", "GC heap exhausted"))
UNCAUGHT = "uncaught exception"      # both engines: a Wasm exception left the called function


def is_nan(t: int, bits: int) -> bool:
    return t in EXP_MASK and bits & EXP_MASK[t] == EXP_MASK[t] and bits & FRAC_MASK[t] != 0


def same_value(t: int, a: int, b: int, nan_class: bool) -> bool:
    """Bit equality, except that two NaNs are equal when ``nan_class`` (raw-NaN modules)."""
    if a == b:
        return True
    return nan_class and is_nan(t, a) and is_nan(t, b)


@dataclass
class Outcome:
    """What one call did: ``results`` (bit patterns) or ``trap`` (spec text or engine message)."""

    results: list[int] | None = None
    trap: str | None = None
    error: str | None = None          # anything that is neither a result nor a trap


@dataclass
class Mismatch:
    """A difference between the engines, with everything needed to reproduce it."""

    seed: int | str
    what: str                          # "result", "trap", "memory", "global", "compile", "instantiate"
    func: str | None = None
    args: list[int] = field(default_factory=list)
    wxjit: str = ""
    wasmtime: str = ""
    call_index: int = -1               # index in the call sequence (earlier calls change state)

    def describe(self) -> str:
        where = f"{self.func}({', '.join(hex(a) for a in self.args)})" if self.func else "module"
        return f"seed {self.seed}: {self.what} mismatch in {where} [call #{self.call_index}]: " \
               f"wxjit {self.wxjit} vs wasmtime {self.wasmtime}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Call:
    func: str
    sig: FuncSig
    args: list[int]


@dataclass
class RunReport:
    """Outcome of one module: number of calls made and the mismatches (at most one per module: the
    first difference; later state would be polluted by it). ``hung``: wasmtime ran out of fuel (the
    module does not terminate — a generator bug, or a minimizer candidate); wxjit was not called."""

    calls: int = 0
    traps: int = 0
    hung: bool = False
    mismatches: list[Mismatch] = field(default_factory=list)
    either: bool = False        # relaxed SIMD: agreed with wasmtime's native, not its deterministic, choices
    limited: bool = False       # an engine's resource limit (GC heap) stopped the comparison (RESOURCE_TRAPS)


def plan_calls(gm: GeneratedModule, per_func: int = 3) -> list[Call]:
    """The call sequence for a module: each export with ``per_func`` argument vectors, interleaved."""
    calls: list[Call] = []
    vectors = {e.name: arg_vectors(f"{gm.seed}:{e.name}", e.sig, per_func) for e in gm.funcs}
    for k in range(per_func):
        for e in gm.funcs:
            if k == 0 or e.sig.params:
                calls.append(Call(e.name, e.sig, vectors[e.name][k]))
    return calls


def plan_calls_for_sigs(seed: int | str, sigs: dict[str, FuncSig], per_func: int = 3) -> list[Call]:
    """Like ``plan_calls`` for a module known only by its exported signatures."""
    calls: list[Call] = []
    vectors = {name: arg_vectors(f"{seed}:{name}", sig, per_func) for name, sig in sigs.items()}
    for k in range(per_func):
        for name, sig in sigs.items():
            if k == 0 or sig.params:
                calls.append(Call(name, sig, vectors[name][k]))
    return calls


# ---------------------------------------------------------------------------------------------------
# wasmtime.Config attribute of each jit.Features proposal (extended constant expressions are always on
# in wasmtime; typed function references come with gc there).
WASMTIME_PROPOSALS: dict[str, str] = {
    "exceptions": "wasm_exceptions", "tail_call": "wasm_tail_call", "multi_memory": "wasm_multi_memory",
    "memory64": "wasm_memory64", "function_references": "wasm_function_references", "gc": "wasm_gc",
    "relaxed_simd": "wasm_relaxed_simd",
}


def configure_proposals(cfg: Any, features: Any = None) -> None:
    """Turn on in a ``wasmtime.Config`` the proposals enabled in ``features`` (default
    ``jit.Features()``: the ones wxjit implements), and off the others."""
    from jit.abi.features import Features
    features = features or Features.compiled()
    for key, attr in WASMTIME_PROPOSALS.items():
        setattr(cfg, attr, bool(getattr(features, key)))
    if features.gc:
        cfg.gc_support = True


RELAXED_KEYS = range(0xFD100, 0xFD114)
_CALLABLE_TYPES = {I32, I64, F32, F64, V128}


def uses_relaxed_simd(wasm: bytes) -> bool:
    """Whether a function body of ``wasm`` has a relaxed SIMD instruction (False if it does not decode)."""
    from jit.errors import CompileError
    from jit.wasm import decode
    try:
        m = decode(wasm)
    except CompileError:
        return False
    return any(op in RELAXED_KEYS for body in m.codes for op, _a, _b, _p in body.code)


# ---------------------------------------------------------------------------------------------------
class WxjitSide:
    """One wxjit instance of the module."""

    def __init__(self, wasm: bytes) -> None:
        import jit
        self._jit = jit
        self.module = jit.Module(wasm)
        self.instance = jit.Instance(self.module, {})
        self.exports = self.instance.exports

    def call(self, name: str, args: list[int]) -> Outcome:
        jit = self._jit
        if BUDGET_EXPORT in self.exports:
            self.exports[BUDGET_EXPORT].value_raw = BUDGET_CALLS
        try:
            return Outcome(results=[int(x) for x in self.exports[name].call_raw(args)])
        except jit.Trap as exc:
            return Outcome(trap=exc.kind)
        except jit.WasmException:
            return Outcome(trap=UNCAUGHT)
        except jit.Error as exc:
            return Outcome(error=f"{type(exc).__name__}: {exc}")

    def memory(self, name: str = MEMORY_EXPORT) -> bytes | None:
        mem = self.exports.get(name)
        return None if mem is None else bytes(mem.data)

    def global_bits(self, name: str) -> int:
        return int(self.exports[name].value_raw)


class WasmtimeSide:
    """One wasmtime instance of the module, called with raw bits."""

    _engines: dict[bool, Any] = {}

    @classmethod
    def engine(cls, relaxed_native: bool = False) -> Any:
        """The oracle's engine: the 3.0 proposals wxjit implements (``jit.Features()``) turned on,
        relaxed SIMD deterministic, or with ``relaxed_native`` the host's native relaxed choices."""
        if relaxed_native not in cls._engines:
            import wasmtime
            cfg = wasmtime.Config()
            configure_proposals(cfg)
            cfg.wasm_relaxed_simd_deterministic = not relaxed_native
            cfg.parallel_compilation = False
            cfg.cranelift_opt_level = "none"
            # No signal handlers in wasmtime: wxjit's handler sits in front of SIGSEGV/SIGFPE and
            # kills the process when a chained handler returns (wasmtime resumes by editing the
            # context and returning), so wasmtime must trap by explicit checks here.
            cfg.signals_based_traps = False
            # Fuel guards against non-terminating candidates (the minimizer deletes loop counters).
            cfg.consume_fuel = True
            cls._engines[relaxed_native] = wasmtime.Engine(cfg)
        return cls._engines[relaxed_native]

    def __init__(self, wasm: bytes, relaxed_native: bool = False) -> None:
        import wasmtime
        from wasmtime import _ffi
        from wasmtime._func import enter_wasm
        self._wt, self._ffi, self._enter = wasmtime, _ffi, enter_wasm
        engine = self.engine(relaxed_native)
        self.store = wasmtime.Store(engine)
        self.store.set_fuel(WASMTIME_FUEL)          # the start function runs at instantiation
        self.module = wasmtime.Module(engine, wasm)
        self.instance = wasmtime.Instance(self.store, self.module, [])
        self.exports = self.instance.exports(self.store)
        self._names = {exp.name for exp in self.module.exports}
        self._kinds = {I32: _ffi.WASMTIME_I32.value, I64: _ffi.WASMTIME_I64.value,
                       F32: _ffi.WASMTIME_F32.value, F64: _ffi.WASMTIME_F64.value,
                       V128: _ffi.WASMTIME_V128.value}

    def call(self, name: str, sig: FuncSig, args: list[int]) -> Outcome:
        wt, ffi = self._wt, self._ffi
        if BUDGET_EXPORT in self._names:
            self.exports[BUDGET_EXPORT].set_value(self.store, wt.Val.i32(BUDGET_CALLS))
        self.store.set_fuel(WASMTIME_FUEL)
        func = self.exports[name]
        params = (ffi.wasmtime_val_t * max(len(args), 1))()
        for i, (t, bits) in enumerate(zip(sig.params, args, strict=True)):
            params[i].kind = self._kinds[t]
            if t == V128:           # raw bytes: wasmtime-py has no Python form of a v128 (it aborts)
                params[i].of.v128[:] = list((bits & MASK[V128]).to_bytes(16, "little"))
            elif t in (I32, F32):
                params[i].of.i32 = ctypes.c_int32(bits & 0xFFFFFFFF).value
            else:
                params[i].of.i64 = ctypes.c_int64(bits & MASK[I64]).value
        results = (ffi.wasmtime_val_t * max(len(sig.results), 1))()
        try:
            with self._enter(self.store) as trap:
                error = ffi.wasmtime_func_call(self.store._context(), ctypes.byref(func._func), params,
                                               len(args),
                                               results, len(sig.results), trap)
                if error:
                    raise wt.WasmtimeError._from_ptr(error)
        except wt.Trap as exc:
            return Outcome(trap=wasmtime_trap_name(exc))
        except wt.WasmtimeError as exc:
            return Outcome(error=f"wasmtime error: {exc}")
        return Outcome(results=[_raw_bits(results[i], t) for i, t in enumerate(sig.results)])

    def memory(self, name: str = MEMORY_EXPORT) -> bytes | None:
        if name not in self._names:
            return None
        mem = self.exports[name]
        return bytes(mem.read(self.store, 0, mem.data_len(self.store)))

    def global_bits(self, name: str, t: int) -> int:
        raw = self._ffi.wasmtime_val_t()
        self._ffi.wasmtime_global_get(self.store._context(), ctypes.byref(self.exports[name]._global),
                                      ctypes.byref(raw))
        return _raw_bits(raw, t)


def wasmtime_trap_name(exc: Any) -> str:
    """A ``wasmtime.Trap`` as a key of ``WASMTIME_TRAPS``, ``UNCAUGHT`` or ``message: ...``."""
    code = getattr(exc, "trap_code", None)
    message = getattr(exc, "message", None) or str(exc)
    if (code is not None and code.name == "UNCAUGHT_EXCEPTION") or \
            (code is None and "thrown Wasm exception" in message):
        return UNCAUGHT
    return code.name if code is not None else f"message: {message}"


def _raw_bits(val: Any, t: int) -> int:
    """The unsigned bits of a ``wasmtime_val_t`` of type ``t``."""
    if t == V128:
        return int.from_bytes(bytes(val.of.v128), "little")
    return (val.of.i32 if t in (I32, F32) else val.of.i64) & MASK[t]


def _show(out: Outcome, sig: FuncSig | None = None) -> str:
    if out.results is not None:
        if sig is None:
            return str(out.results)
        pairs = zip(sig.results, out.results, strict=False)
        return "[" + ", ".join(f"{VALTYPE_NAMES[t]}:{b:#x}" for t, b in pairs) + "]"
    if out.trap is not None:
        return f"trap {out.trap!r}"
    return f"error {out.error}"


def compare_outcomes(sig: FuncSig, wx: Outcome, wt: Outcome, nan_class: bool) -> str | None:
    """None if the outcomes agree, else the kind of mismatch ("result" or "trap")."""
    if wt.results is not None and wx.results is not None:
        if len(wx.results) != len(wt.results):
            return "result"
        for t, a, b in zip(sig.results, wx.results, wt.results, strict=True):
            if not same_value(t, a, b, nan_class):
                return "result"
        return None
    if wt.trap is not None and wx.trap is not None:
        if wt.trap == UNCAUGHT or wx.trap == UNCAUGHT:
            return None if wt.trap == wx.trap else "trap"
        return None if wx.trap in WASMTIME_TRAPS.get(wt.trap, ()) else "trap"
    return "trap" if (wx.trap or wt.trap) else "error"


@dataclass
class Interface:
    """What the oracle can compare of a module: its exported functions of number/v128 types, its
    exported globals of those types and its exported memories."""

    funcs: dict[str, FuncSig] = field(default_factory=dict)
    globals: list[tuple[str, int]] = field(default_factory=list)
    memories: tuple[str, ...] = ()


def interface(wasm: bytes) -> Interface:
    """The comparable exports of ``wasm``, read with wxjit's decoder (wasmtime-py aborts the process
    when it is asked to describe a v128 type)."""
    from jit.wasm import decode
    m = decode(wasm)
    out = Interface()
    memories = []
    for exp in m.exports:
        if exp.kind == "func":
            ft = m.func_type(exp.index)
            if set(ft.params) | set(ft.results) <= _CALLABLE_TYPES:
                out.funcs[exp.name] = FuncSig(tuple(ft.params), tuple(ft.results))
        elif exp.kind == "global":
            t = m.global_type(exp.index).valtype
            if t in _CALLABLE_TYPES:
                out.globals.append((exp.name, t))
        elif exp.kind == "memory":
            memories.append(exp.name)
    out.memories = tuple(memories)
    return out


def exported_globals(wasm: bytes) -> list[tuple[str, int]]:
    """(name, valtype) of every exported number or v128 global of ``wasm``."""
    return interface(wasm).globals


def exported_funcs(wasm: bytes) -> dict[str, FuncSig]:
    """Signatures of the exported functions of ``wasm`` that take and return numbers and v128 only
    (read with wxjit's decoder: wasmtime-py aborts the process when it describes a v128 type)."""
    return interface(wasm).funcs


def exported_memories(wasm: bytes) -> tuple[str, ...]:
    return interface(wasm).memories


def run_module(gm: GeneratedModule, wasm: bytes | None = None, calls: list[Call] | None = None) -> RunReport:
    """Instantiate ``gm`` in both engines, make every planned call and compare after each one."""
    wasm = wasm if wasm is not None else gm.encode()
    return run_wasm(wasm, calls if calls is not None else plan_calls(gm), nan_class=not gm.canon,
                    seed=gm.seed, globals_=gm.global_exports)


def run_wasm(wasm: bytes, calls: list[Call], nan_class: bool, seed: int | str = "",
             globals_: list[tuple[str, int]] | None = None, memories: tuple[str, ...] = (MEMORY_EXPORT,),
             relaxed: bool | None = None) -> RunReport:
    """Run ``calls`` against ``wasm`` in both engines (fresh instances), comparing after each call
    the results, the exported memories ``memories`` and the exported globals. The ``budget`` global is
    set before each call when the module exports it.

    Relaxed SIMD (``relaxed``: default, when a function uses it) has results that differ between
    allowed implementations: the first run is against wasmtime's deterministic choices, and a module
    that differs there is run again against wasmtime's native (x86) choices; it passes when either run
    agrees throughout (``RunReport.either``)."""
    if globals_ is None:
        globals_ = exported_globals(wasm)
    report = _run_pair(wasm, calls, nan_class, seed, globals_, memories, relaxed_native=False)
    if report.mismatches and report.mismatches[0].what != "compile" and \
            (uses_relaxed_simd(wasm) if relaxed is None else relaxed):
        other = _run_pair(wasm, calls, nan_class, seed, globals_, memories, relaxed_native=True)
        if not other.mismatches and not other.hung:
            other.either = True
            return other
    return report


def _run_pair(wasm: bytes, calls: list[Call], nan_class: bool, seed: int | str,
              globals_: list[tuple[str, int]], memories: tuple[str, ...], relaxed_native: bool) -> RunReport:
    import wasmtime

    import jit
    report = RunReport()
    wt_trap: str | None = None
    try:
        wt = WasmtimeSide(wasm, relaxed_native)
    except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:     # the start function or a segment failed
        if not isinstance(exc, wasmtime.Trap) and "thrown Wasm exception" not in str(exc):
            raise
        wt_trap = wasmtime_trap_name(exc)
        if wt_trap == "OUT_OF_FUEL":
            report.hung = True
            return report
        if wt_trap in RESOURCE_TRAPS:
            report.limited = True
            return report
    try:
        wx = WxjitSide(wasm)
    except (jit.Trap, jit.WasmException) as exc:
        kind = exc.kind if isinstance(exc, jit.Trap) else UNCAUGHT
        if kind in RESOURCE_TRAPS:
            report.limited = True
            return report
        if wt_trap is None or (kind != wt_trap and kind not in WASMTIME_TRAPS.get(wt_trap, ())):
            report.mismatches.append(Mismatch(seed, "instantiate", wxjit=f"trap {kind!r}",
                                              wasmtime=f"trap {wt_trap!r}" if wt_trap else "ok"))
        return report
    except Exception as exc:    # noqa: BLE001 - any failure on a valid module is a finding
        report.mismatches.append(Mismatch(seed, "compile", wxjit=f"{type(exc).__name__}: {exc}",
                                          wasmtime="ok"))
        return report
    if wt_trap is not None:
        report.mismatches.append(Mismatch(seed, "instantiate", wxjit="ok", wasmtime=f"trap {wt_trap!r}"))
        return report
    for k, call in enumerate(calls):
        b = wt.call(call.func, call.sig, call.args)
        if b.trap == "OUT_OF_FUEL":
            report.hung = True
            break
        a = wx.call(call.func, call.args)
        report.calls += 1
        if b.trap in RESOURCE_TRAPS or a.trap in RESOURCE_TRAPS:
            report.limited = True
            break
        if b.trap is not None:
            report.traps += 1
        bad = compare_outcomes(call.sig, a, b, nan_class)
        if bad is None:
            for mname in memories:
                ma, mb = wx.memory(mname), wt.memory(mname)
                if ma != mb:
                    bad = "memory"
                    a_desc, b_desc = _memory_diff(ma, mb)
                    a_desc, b_desc = f"{mname}: {a_desc}", f"{mname}: {b_desc}"
                    break
            else:
                for gname, t in globals_:
                    ga, gb = wx.global_bits(gname), wt.global_bits(gname, t)
                    if not same_value(t, ga, gb, nan_class):
                        bad = "global"
                        a_desc, b_desc = f"{gname}={ga:#x}", f"{gname}={gb:#x}"
                        break
        else:
            a_desc, b_desc = _show(a, call.sig), _show(b, call.sig)
        if bad is not None:
            report.mismatches.append(Mismatch(seed, bad, call.func, list(call.args), a_desc, b_desc, k))
            break
    return report


def _memory_diff(a: bytes | None, b: bytes | None) -> tuple[str, str]:
    if a is None or b is None or len(a) != len(b):
        return (f"{None if a is None else len(a)} bytes", f"{None if b is None else len(b)} bytes")
    i = next(i for i in range(len(a)) if a[i] != b[i])
    return f"mem[{i:#x}..]={a[i:i + 8].hex()}", f"mem[{i:#x}..]={b[i:i + 8].hex()}"
