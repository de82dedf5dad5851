"""Relaxed SIMD lowerings (Wasm 3.0, ``0xFD 0x100``-``0x113``): one deterministic choice per instruction.

The spec lets each relaxed instruction return any of a few results; wxjit picks, per instruction, the
fastest x86 form the CPU probe (``jit.abi.cpu.host_features``) offers when the module is compiled:
FMA3 ``vfmadd231``/``vfnmadd231`` for madd/nmadd when ``fma`` is present, AVX ``vpblendvb`` /
``vblendvps`` / ``vblendvpd`` for the 8-, 32- and 64-bit lane selects when ``avx`` is present, and the
SSE4.1 forms otherwise. Where two forms cost the same, the choice is the one wasmtime makes on x86
(its non-deterministic mode), so the differential fuzzer can hold the two engines to equal results.
The probe is read once per process, so every compile in a process makes the same
choice (the spec's "consistent nondeterminism"), and the CPU features are part of a compiled module's
cache key. ``RELAXED_CHOICES`` documents the choice of each instruction (docs/relaxed-simd.md has the table
and why each result is one of the spec's allowed results).
"""
from __future__ import annotations

from ...abi.cpu import host_features
from ..registers import XMM_SCRATCH
from ..simd import SimdOperands, splat_bits
from . import lower_named

RELAXED_CHOICES: dict[str, str] = {
    "i8x16.relaxed_swizzle": "pshufb: indexes 16..127 pick a[i & 15], indexes >= 128 give 0",
    "i32x4.relaxed_trunc_f32x4_s": "cvttps2dq: NaN and out-of-range lanes give 0x80000000",
    "i32x4.relaxed_trunc_f32x4_u": "saturating (as i32x4.trunc_sat_f32x4_u)",
    "i32x4.relaxed_trunc_f64x2_s_zero": "cvttpd2dq: NaN and out-of-range lanes give 0x80000000",
    "i32x4.relaxed_trunc_f64x2_u_zero": "saturating (as i32x4.trunc_sat_f64x2_u_zero)",
    "f32x4.relaxed_madd": "fused (vfmadd231ps) with FMA, else mulps + addps",
    "f32x4.relaxed_nmadd": "fused (vfnmadd231ps) with FMA, else c - a*b (mulps + subps)",
    "f64x2.relaxed_madd": "fused (vfmadd231pd) with FMA, else mulpd + addpd",
    "f64x2.relaxed_nmadd": "fused (vfnmadd231pd) with FMA, else c - a*b (mulpd + subpd)",
    "i8x16.relaxed_laneselect": "top bit of each mask byte (vpblendvb) with AVX, else bitselect",
    "i16x8.relaxed_laneselect": "bitselect (pand/pandn/por)",
    "i32x4.relaxed_laneselect": "top bit of each mask lane (vblendvps) with AVX, else bitselect",
    "i64x2.relaxed_laneselect": "top bit of each mask lane (vblendvpd) with AVX, else bitselect",
    "f32x4.relaxed_min": "minps b, a: a when either is NaN or both are zeros (as f32x4.pmin)",
    "f32x4.relaxed_max": "maxps b, a: a when either is NaN or both are zeros (as f32x4.pmax)",
    "f64x2.relaxed_min": "minpd b, a: a when either is NaN or both are zeros (as f64x2.pmin)",
    "f64x2.relaxed_max": "maxpd b, a: a when either is NaN or both are zeros (as f64x2.pmax)",
    "i16x8.relaxed_q15mulr_s": "pmulhrsw: -32768 * -32768 gives -32768 (no saturation)",
    "i16x8.relaxed_dot_i8x16_i7x16_s": "pmaddubsw(b unsigned, a signed), saturating pair sums",
    "i32x4.relaxed_dot_i8x16_i7x16_add_s":
        "pmaddubsw (b unsigned, saturating pair sums) + pmaddwd by 1 + paddd c",
}

_FLOAT_SUFFIX = {"f32x4": "ps", "f64x2": "pd"}
_TRUNC_S = {"i32x4.relaxed_trunc_f32x4_s": "cvttps2dq", "i32x4.relaxed_trunc_f64x2_s_zero": "cvttpd2dq"}
_BLENDV = {"i8x16": "vpblendvb", "i32x4": "vblendvps", "i64x2": "vblendvpd"}


def has_feature(name: str) -> bool:
    """Whether the compiling CPU has ``name`` (``avx``, ``fma``): fixed for the process."""
    return name in host_features()


class RelaxedSimdLowering(SimdOperands):
    """The relaxed SIMD instructions of ``FunctionCompiler`` (mixed into ``SimdArithmetic``)."""

    def v_relaxed_swizzle(self, _name: str) -> None:
        a, ra, b, rb = self.v_binary()
        self.asm.pshufb(ra, rb)
        self.release(b)
        self.v_push(ra)

    def v_relaxed_trunc(self, name: str) -> None:
        if name.endswith("_u") or name.endswith("_u_zero"):          # saturating, as trunc_sat
            self.v_trunc_sat(name.replace("relaxed_trunc", "trunc_sat"))   # type: ignore[attr-defined]
            return
        v, r = self.v_pop()
        getattr(self.asm, _TRUNC_S[name])(r, r)
        self.v_push(r)

    def v_relaxed_madd(self, name: str) -> None:
        a, ra, b, rb, _c, rc = self.v_ternary()
        asm = self.asm
        t = _FLOAT_SUFFIX[name[:5]]
        negate = name.endswith("nmadd")
        if has_feature("fma"):
            getattr(asm, f"vf{'n' if negate else ''}madd231{t}")(rc, ra, rb)    # c = +-(a * b) + c
        else:
            getattr(asm, "mul" + t)(ra, rb)
            getattr(asm, ("sub" if negate else "add") + t)(rc, ra)
        self.release(a, b)
        self.v_push(rc)

    def v_relaxed_laneselect(self, name: str) -> None:
        _a, ra, b, rb, m, rm = self.v_ternary()
        blend = _BLENDV.get(name[:5])
        if blend is not None and has_feature("avx"):
            getattr(self.asm, blend)(ra, rb, ra, rm)     # mask top bit set: a, else b
        else:
            self.v_emit_bitselect(ra, rb, rm)
        self.release(b, m)
        self.v_push(ra)

    def v_relaxed_minmax(self, name: str) -> None:
        a, ra, b, rb = self.v_binary()
        getattr(self.asm, name[-3:] + _FLOAT_SUFFIX[name[:5]])(rb, ra)      # min|max b, a
        self.release(a)
        self.v_push(rb)

    def v_relaxed_q15mulr(self, _name: str) -> None:
        a, ra, b, rb = self.v_binary()
        self.asm.pmulhrsw(ra, rb)
        self.release(b)
        self.v_push(ra)

    def v_relaxed_dot(self, name: str) -> None:
        c = self.pop() if name.endswith("_add_s") else None
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        asm.pmaddubsw(rb, ra)                   # b as unsigned bytes times a as signed bytes
        self.release(a)
        if c is not None:
            rc = self.to_reg(c, exclude=(rb,))
            asm.pmaddwd(rb, self.v_const(XMM_SCRATCH, splat_bits(1, 16)))
            asm.paddd(rb, rc)
            self.release(c)
        self.v_push(rb)


def _checked(method: object) -> object:
    def lower(self: RelaxedSimdLowering, name: str) -> None:
        self.v_check()
        method(self, name)     # type: ignore[operator]
    return lower


_R = RelaxedSimdLowering
for _names, _method in (
        (("i8x16.relaxed_swizzle",), _R.v_relaxed_swizzle),
        ([n for n in RELAXED_CHOICES if "relaxed_trunc" in n], _R.v_relaxed_trunc),
        ([n for n in RELAXED_CHOICES if "madd" in n], _R.v_relaxed_madd),
        ([n for n in RELAXED_CHOICES if "laneselect" in n], _R.v_relaxed_laneselect),
        ([n for n in RELAXED_CHOICES if "relaxed_min" in n or "relaxed_max" in n], _R.v_relaxed_minmax),
        (("i16x8.relaxed_q15mulr_s",), _R.v_relaxed_q15mulr),
        ([n for n in RELAXED_CHOICES if "relaxed_dot" in n], _R.v_relaxed_dot)):
    lower_named(_names, _checked(_method))   # type: ignore[arg-type]
