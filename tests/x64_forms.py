"""Instruction forms for the encoder tests: each form expands to (Intel text, method, args) instances.

``FORMS`` maps a form name (``"add32_rm"``: add, 32-bit, reg <- mem) to a function that builds its
instances; tests/test_x64_encoder.py emits each instance with ``getattr(Assembler(), method)(*args)``
and assembles the text with Keystone. Operand sets cover every register (incl. r8-r15 and the byte
registers spl/bpl/sil/dil), every memory base (incl. rsp/rbp/r12/r13) with and without an index, every
index and scale, the boundary displacements and the boundary immediates of each operand size.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from jit.x64.encoder import Cond, Mem
from jit.x64.registers import CL, GPRS, RAX, RCX, XMMS, Gpr, Xmm

Inst = tuple[str, str, tuple]
FORMS: dict[str, Callable[[], list[Inst]]] = {}

PTR = {8: "byte", 16: "word", 32: "dword", 64: "qword", 128: "xmmword"}
SIZES = (8, 16, 32, 64)
DISPS = (0, 1, -1, 127, 128, -128, -129, 2**31 - 1, -(2**31))
BOUNDARY_IMMS = (0, 1, -1, 127, 128, -128, -129, 2**31 - 1, -(2**31))
EXTRA_IMMS = {8: (255,), 16: (0x7FFF, -0x8000, 0xFFFF), 32: (0xFFFFFFFF, 0x80000000), 64: (2**64 - 1,)}
MOV64_IMMS = (2**63 - 1, 2**64 - 1, 2**63, -(2**63), 2**32, 0xFFFFFFFF, 0x80000000, 0x123456789)


def imms_for(size: int) -> list[int]:
    """Boundary immediates valid for an ALU operation of ``size`` bits (64: sign-extended imm32)."""
    lo, hi = -(1 << (size - 1)), (1 << size) - 1
    if size == 64:
        lo, hi = -(2**31), 2**31 - 1
    return [v for v in BOUNDARY_IMMS if lo <= v <= hi] + list(EXTRA_IMMS[size])


def _mems() -> list[Mem]:
    out = [Mem(b, None, 1, d) for b in GPRS for d in DISPS]
    k = 0
    for base in (*GPRS, None):
        for index in GPRS:
            if index.num == 4:
                continue
            for scale in (1, 2, 4, 8):
                out.append(Mem(base, index, scale, DISPS[k % len(DISPS)]))
                k += 1
    return out


MEMS = _mems()


def imm_text(v: int) -> str:
    return f"{v:#x}"


def mem_text(m: Mem, size: int | None) -> str:
    return m.intel() if size is None else f"{PTR[size]} ptr {m.intel()}"


def rname(r: Gpr | Xmm, size: int = 64) -> str:
    return r.name if isinstance(r, Xmm) else r.name_for(size)


def cycle(items: list, n: int) -> Iterable:
    """``items`` repeated to length ``n``."""
    return (items[i % len(items)] for i in range(n))


def form(name: str) -> Callable[[Callable[[], list[Inst]]], Callable[[], list[Inst]]]:
    def register(fn: Callable[[], list[Inst]]) -> Callable[[], list[Inst]]:
        assert name not in FORMS, name
        FORMS[name] = fn
        return fn
    return register


def add_form(name: str, fn: Callable[[], list[Inst]]) -> None:
    assert name not in FORMS, name
    FORMS[name] = fn


# ---------------------------------------------------------------- generic shapes
def rr(mn: str, meth: str, size: int) -> Callable[[], list[Inst]]:
    """op r, r for all 16x16 GPR pairs."""
    return lambda: [(f"{mn} {d.name_for(size)}, {s.name_for(size)}", meth, (d, s, size))
                    for d in GPRS for s in GPRS]


def r_m(mn: str, meth: str, size: int, msize: int | None, pre: tuple = (), post: tuple = (),
        dsize: int | None = None) -> Callable[[], list[Inst]]:
    """op r, [mem] for every memory operand, the register cycling through all 16."""
    ds = dsize or size
    return lambda: [(f"{mn} {r.name_for(ds)}, {mem_text(m, msize)}", meth, (*pre, r, m, *post))
                    for r, m in zip(cycle(list(GPRS), len(MEMS)), MEMS, strict=True)]


def m_r(mn: str, meth: str, size: int, pre: tuple = (), post: tuple = ()) -> Callable[[], list[Inst]]:
    """op [mem], r for every memory operand, the register cycling through all 16."""
    return lambda: [(f"{mn} {mem_text(m, size)}, {r.name_for(size)}", meth, (*pre, m, r, *post))
                    for r, m in zip(cycle(list(GPRS), len(MEMS)), MEMS, strict=True)]


def r_i(mn: str, meth: str, size: int, imms: list[int]) -> Callable[[], list[Inst]]:
    return lambda: [(f"{mn} {r.name_for(size)}, {imm_text(v)}", meth, (r, v, size))
                    for r in GPRS for v in imms]


def m_i(mn: str, meth: str, size: int, imms: list[int]) -> Callable[[], list[Inst]]:
    """op [mem], imm: every memory operand with the immediates cycling, plus every immediate on [rax]."""
    def build() -> list[Inst]:
        pairs = list(zip(MEMS, cycle(imms, len(MEMS)), strict=True))
        pairs += [(Mem(RAX), v) for v in imms]
        return [(f"{mn} {mem_text(m, size)}, {imm_text(v)}", meth, (m, v, size)) for m, v in pairs]
    return build


def r1(mn: str, meth: str, size: int) -> Callable[[], list[Inst]]:
    return lambda: [(f"{mn} {r.name_for(size)}", meth, (r, size)) for r in GPRS]


def m1(mn: str, meth: str, size: int) -> Callable[[], list[Inst]]:
    return lambda: [(f"{mn} {mem_text(m, size)}", meth, (m, size)) for m in MEMS]


# ---------------------------------------------------------------- integer forms
for _op in ("add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"):
    _meth = _op + "_" if _op in ("and", "or") else _op
    for _s in SIZES:
        add_form(f"{_op}{_s}_rr", rr(_op, _meth, _s))
        add_form(f"{_op}{_s}_rm", r_m(_op, _meth, _s, _s, post=(_s,)))
        add_form(f"{_op}{_s}_mr", m_r(_op, _meth, _s, post=(_s,)))
        add_form(f"{_op}{_s}_ri", r_i(_op, _meth, _s, imms_for(_s)))
        add_form(f"{_op}{_s}_mi", m_i(_op, _meth, _s, imms_for(_s)))

for _s in SIZES:
    add_form(f"test{_s}_rr", rr("test", "test", _s))
    add_form(f"test{_s}_mr", m_r("test", "test", _s, post=(_s,)))
    add_form(f"test{_s}_ri", r_i("test", "test", _s, imms_for(_s)))
    add_form(f"test{_s}_mi", m_i("test", "test", _s, imms_for(_s)))
    add_form(f"mov{_s}_rr", rr("mov", "mov", _s))
    add_form(f"mov{_s}_rm", r_m("mov", "mov", _s, _s, post=(_s,)))
    add_form(f"mov{_s}_mr", m_r("mov", "mov", _s, post=(_s,)))
    add_form(f"mov{_s}_mi", m_i("mov", "mov", _s, imms_for(_s)))
    if _s != 64:
        add_form(f"mov{_s}_ri", r_i("mov", "mov", _s, imms_for(_s)))


@form("mov64_ri")
def _mov64_ri() -> list[Inst]:
    out = []
    for r in GPRS:
        for v in [*imms_for(64), *MOV64_IMMS]:
            signed = v - 2**64 if v >= 2**63 else v
            mn = "mov" if -(2**31) <= signed < 2**31 else "movabs"
            out.append((f"{mn} {r.name}, {imm_text(v)}", "mov", (r, v, 64)))
    return out


# Test with a memory source is the same instruction as with a memory destination.
add_form("test64_rm_swapped", lambda: [(f"test {mem_text(m, 64)}, {r.name}", "test", (r, m, 64))
                                       for r, m in zip(cycle(list(GPRS), len(MEMS)), MEMS, strict=True)])

for _ss, _ds in ((8, 16), (8, 32), (8, 64), (16, 32), (16, 64)):
    add_form(f"movzx{_ds}_{_ss}_rr",
             lambda ss=_ss, ds=_ds: [(f"movzx {d.name_for(ds)}, {s.name_for(ss)}", "movzx", (d, s, ss, ds))
                                     for d in GPRS for s in GPRS])
    add_form(f"movzx{_ds}_{_ss}_rm", r_m("movzx", "movzx", _ds, _ss, post=(_ss, _ds)))
    add_form(f"movsx{_ds}_{_ss}_rr",
             lambda ss=_ss, ds=_ds: [(f"movsx {d.name_for(ds)}, {s.name_for(ss)}", "movsx", (d, s, ss, ds))
                                     for d in GPRS for s in GPRS])
    add_form(f"movsx{_ds}_{_ss}_rm", r_m("movsx", "movsx", _ds, _ss, post=(_ss, _ds)))
add_form("movsxd_rr", lambda: [(f"movsxd {d.name}, {s.name_for(32)}", "movsx", (d, s, 32, 64))
                               for d in GPRS for s in GPRS])
add_form("movsxd_rm", r_m("movsxd", "movsx", 64, 32, post=(32, 64)))

for _s in (16, 32, 64):
    add_form(f"lea{_s}", r_m("lea", "lea", _s, None, post=(_s,)))

SHIFT_COUNTS = (1, CL, 0, 2, 7, 8, 15, 16, 31, 32, 63, 64, 255)


def _count_text(c: int | Gpr) -> str:
    return "cl" if isinstance(c, Gpr) else imm_text(c)


for _op in ("shl", "shr", "sar", "rol", "ror"):
    for _s in SIZES:
        add_form(f"{_op}{_s}_r",
                 lambda op=_op, s=_s: [(f"{op} {r.name_for(s)}, {_count_text(c)}", op, (r, c, s))
                                       for r in GPRS for c in SHIFT_COUNTS])
        add_form(f"{_op}{_s}_m",
                 lambda op=_op, s=_s: [(f"{op} {mem_text(m, s)}, {_count_text(c)}", op, (m, c, s))
                                       for m, c in zip(MEMS, cycle(list(SHIFT_COUNTS), len(MEMS)),
                                                       strict=True)])

def _imul3_rr(s: int) -> list[Inst]:
    """All 16x16 pairs with the immediates cycling, plus every immediate with one pair."""
    imms = imms_for(s)
    pairs = [(d, x) for d in GPRS for x in GPRS]
    args = [(d, x, imms[i % len(imms)]) for i, (d, x) in enumerate(pairs)] + [(RCX, RAX, v) for v in imms]
    return [(f"imul {d.name_for(s)}, {x.name_for(s)}, {imm_text(v)}", "imul3", (d, x, v, s))
            for d, x, v in args]


for _s in (16, 32, 64):
    add_form(f"imul{_s}_rr", rr("imul", "imul", _s))
    add_form(f"imul{_s}_rm", r_m("imul", "imul", _s, _s, post=(_s,)))
    add_form(f"imul3_{_s}_rr", lambda s=_s: _imul3_rr(s))
    add_form(f"imul3_{_s}_rm",
             lambda s=_s: [(f"imul {r.name_for(s)}, {mem_text(m, s)}, {imm_text(v)}", "imul3", (r, m, v, s))
                           for r, m, v in zip(cycle(list(GPRS), len(MEMS)), MEMS,
                                              cycle(imms_for(s), len(MEMS)), strict=True)])
    for _op in ("bsf", "bsr", "lzcnt", "tzcnt", "popcnt"):
        add_form(f"{_op}{_s}_rr", rr(_op, _op, _s))
        add_form(f"{_op}{_s}_rm", r_m(_op, _op, _s, _s, post=(_s,)))

for _s in (16, 32, 64):
    add_form(f"cmovcc{_s}_rr",
             lambda s=_s: [(f"cmov{c.mnemonic} {d.name_for(s)}, {x.name_for(s)}", "cmovcc", (c, d, x, s))
                           for c in Cond for d in GPRS for x in GPRS])
    add_form(f"cmovcc{_s}_rm",
             lambda s=_s: [(f"cmov{c.mnemonic} {r.name_for(s)}, {mem_text(m, s)}", "cmovcc", (c, r, m, s))
                           for c, r, m in zip(cycle(list(Cond), len(MEMS)), cycle(list(GPRS), len(MEMS)),
                                              MEMS, strict=True)])
add_form("setcc_r", lambda: [(f"set{c.mnemonic} {r.name_for(8)}", "setcc", (c, r))
                             for c in Cond for r in GPRS])
add_form("setcc_m", lambda: [(f"set{c.mnemonic} {mem_text(m, 8)}", "setcc", (c, m))
                             for c, m in zip(cycle(list(Cond), len(MEMS)), MEMS, strict=True)])

for _op, _meth in (("mul", "mul"), ("imul", "imul1"), ("div", "div"), ("idiv", "idiv"), ("neg", "neg"),
                   ("not", "not_"), ("inc", "inc"), ("dec", "dec")):
    for _s in SIZES:
        add_form(f"{_op}{_s}_r", r1(_op, _meth, _s))
        add_form(f"{_op}{_s}_m", m1(_op, _meth, _s))

for _s in (32, 64):
    add_form(f"bswap{_s}", r1("bswap", "bswap", _s))
for _s in SIZES:
    add_form(f"xchg{_s}", rr("xchg", "xchg", _s))

add_form("push", lambda: [(f"push {r.name}", "push", (r,)) for r in GPRS])
add_form("pop", lambda: [(f"pop {r.name}", "pop", (r,)) for r in GPRS])
add_form("no_operand", lambda: [("ret", "ret", ()), ("ud2", "ud2", ()), ("int3", "int3", ()),
                                ("cdq", "cdq", ()), ("cqo", "cqo", ()), ("mfence", "mfence", ())])
add_form("jmp_r", lambda: [(f"jmp {r.name}", "jmp", (r,)) for r in GPRS])
add_form("jmp_m", lambda: [(f"jmp {mem_text(m, 64)}", "jmp", (m,)) for m in MEMS])
add_form("call_r", lambda: [(f"call {r.name}", "call", (r,)) for r in GPRS])
add_form("call_m", lambda: [(f"call {mem_text(m, 64)}", "call", (m,)) for m in MEMS])


# ---------------------------------------------------------------- SSE forms
def xx(mn: str, meth: str, post: tuple = ()) -> Callable[[], list[Inst]]:
    tail = "".join(f", {imm_text(v)}" for v in post)
    return lambda: [(f"{mn} {d.name}, {s.name}{tail}", meth, (d, s, *post)) for d in XMMS for s in XMMS]


def x_m(mn: str, meth: str, msize: int, posts: tuple[tuple, ...] = ((),)) -> Callable[[], list[Inst]]:
    def build() -> list[Inst]:
        out = []
        for i, (x, m) in enumerate(zip(cycle(list(XMMS), len(MEMS)), MEMS, strict=True)):
            post = posts[i % len(posts)]
            tail = "".join(f", {imm_text(v)}" for v in post)
            out.append((f"{mn} {x.name}, {mem_text(m, msize)}{tail}", meth, (x, m, *post)))
        return out
    return build


def m_x(mn: str, meth: str, msize: int) -> Callable[[], list[Inst]]:
    return lambda: [(f"{mn} {mem_text(m, msize)}, {x.name}", meth, (m, x))
                    for x, m in zip(cycle(list(XMMS), len(MEMS)), MEMS, strict=True)]


_SSE_MSIZE = {"ss": 32, "sd": 64, "ps": 128, "pd": 128}
for _op in ("add", "sub", "mul", "div", "sqrt", "min", "max"):
    for _t in ("ss", "sd"):
        add_form(f"{_op}{_t}_xx", xx(_op + _t, _op + _t))
        add_form(f"{_op}{_t}_xm", x_m(_op + _t, _op + _t, _SSE_MSIZE[_t]))
for _name, _ms in (("cvtss2sd", 32), ("cvtsd2ss", 64), ("ucomiss", 32), ("ucomisd", 64), ("comiss", 32),
                   ("comisd", 64), ("andps", 128), ("andpd", 128), ("andnps", 128), ("andnpd", 128),
                   ("orps", 128), ("orpd", 128), ("xorps", 128), ("xorpd", 128), ("pxor", 128),
                   ("pand", 128), ("pandn", 128), ("por", 128), ("pcmpeqb", 128), ("pcmpeqd", 128),
                   ("pcmpeqq", 128), ("unpcklps", 128), ("unpcklpd", 128)):
    add_form(f"{_name}_xx", xx(_name, _name))
    add_form(f"{_name}_xm", x_m(_name, _name, _ms))

# packed float arithmetic and conversions: (name, memory operand size)
PACKED_FLOAT_BINOPS = (
    *((f"{op}{t}", 128) for op in ("add", "sub", "mul", "div", "min", "max", "sqrt") for t in ("ps", "pd")),
    ("unpckhps", 128), ("unpckhpd", 128), ("cvtdq2ps", 128), ("cvttps2dq", 128), ("cvtdq2pd", 64),
    ("cvttpd2dq", 128), ("cvtps2pd", 64), ("cvtpd2ps", 128),
)
# SSE2 packed integer (66 0F)
SSE2_INT_BINOPS = (
    "paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq", "paddsb", "paddsw", "paddusb",
    "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "pminub", "pmaxub", "pminsw", "pmaxsw", "pavgb",
    "pavgw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "pcmpeqw", "pcmpgtb", "pcmpgtw", "pcmpgtd",
    "packsswb", "packuswb", "packssdw", "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw",
    "punpckhwd", "punpckhdq", "punpckhqdq",
)
# SSSE3, SSE4.1, SSE4.2 (66 0F 38)
SSE4_INT_BINOPS = (
    "pshufb", "pmaddubsw", "pmulhrsw", "pabsb", "pabsw", "pabsd", "ptest", "pmuldq", "packusdw", "pcmpgtq",
    "pminsb", "pminsd", "pminuw", "pminud", "pmaxsb", "pmaxsd", "pmaxuw", "pmaxud", "pmulld",
)
PMOVX = ("pmovsxbw", "pmovsxwd", "pmovsxdq", "pmovzxbw", "pmovzxwd", "pmovzxdq")
for _name, _ms in (*PACKED_FLOAT_BINOPS, *((n, 128) for n in SSE2_INT_BINOPS + SSE4_INT_BINOPS),
                   *((n, 64) for n in PMOVX)):
    add_form(f"{_name}_xx", xx(_name, _name))
    add_form(f"{_name}_xm", x_m(_name, _name, _ms))

ROUND_IMMS = ((0,), (1,), (2,), (3,), (4,), (8,), (0xB,), (0xFF,))
SHUF_IMMS = ((0,), (1,), (0x1B,), (0xFF,))
for _name, _ms in (("roundss", 32), ("roundsd", 64), ("cmpss", 32), ("cmpsd", 64), ("cmpps", 128),
                   ("cmppd", 128), ("shufps", 128), ("pshufd", 128)):
    add_form(f"{_name}_xx", lambda n=_name: [x for p in ROUND_IMMS for x in xx(n, n, p)()])
    add_form(f"{_name}_xm", x_m(_name, _name, _ms, ROUND_IMMS))
for _name, _ms, _imms in (("roundps", 128, ROUND_IMMS), ("roundpd", 128, ROUND_IMMS),
                          ("pshuflw", 128, SHUF_IMMS), ("pshufhw", 128, SHUF_IMMS),
                          ("palignr", 128, SHUF_IMMS), ("pblendw", 128, SHUF_IMMS),
                          ("insertps", 32, SHUF_IMMS)):
    add_form(f"{_name}_xx", lambda n=_name, imms=_imms: [x for p in imms for x in xx(n, n, p)()])
    add_form(f"{_name}_xm", x_m(_name, _name, _ms, _imms))

for _name, _ms in (("movss", 32), ("movsd", 64), ("movups", 128), ("movupd", 128), ("movaps", 128),
                   ("movapd", 128), ("movdqa", 128), ("movdqu", 128)):
    add_form(f"{_name}_xx", xx(_name, _name))
    add_form(f"{_name}_xm", x_m(_name, _name, _ms))
    add_form(f"{_name}_mx", m_x(_name, _name, _ms))

for _name in ("psrlw", "psraw", "psllw", "psrld", "psrad", "pslld", "psrlq", "psllq", "psrldq", "pslldq"):
    add_form(f"{_name}_xi", lambda n=_name: [(f"{n} {x.name}, {imm_text(v)}", n, (x, v))
                                             for x in XMMS for v in (0, 1, 31, 32, 63, 127, 255)])
for _name in ("psrlw", "psraw", "psllw", "psrld", "psrad", "pslld", "psrlq", "psllq"):
    add_form(f"{_name}_xx", xx(_name, _name))
    add_form(f"{_name}_xm", x_m(_name, _name, 128))

add_form("movd_xr", lambda: [(f"movd {x.name}, {r.name_for(32)}", "movd", (x, r))
                             for x in XMMS for r in GPRS])
add_form("movd_rx", lambda: [(f"movd {r.name_for(32)}, {x.name}", "movd", (r, x))
                             for x in XMMS for r in GPRS])
add_form("movd_xm", x_m("movd", "movd", 32))
add_form("movd_mx", m_x("movd", "movd", 32))
add_form("movq_xr", lambda: [(f"movq {x.name}, {r.name}", "movq", (x, r)) for x in XMMS for r in GPRS])
add_form("movq_rx", lambda: [(f"movq {r.name}, {x.name}", "movq", (r, x)) for x in XMMS for r in GPRS])
add_form("movq_xx", xx("movq", "movq"))
add_form("movq_xm", x_m("movq", "movq", 64))
add_form("movq_mx", m_x("movq", "movq", 64))

for _name in ("cvtsi2ss", "cvtsi2sd"):
    for _s in (32, 64):
        add_form(f"{_name}{_s}_xr", lambda n=_name, s=_s: [(f"{n} {x.name}, {r.name_for(s)}", n, (x, r, s))
                                                           for x in XMMS for r in GPRS])
        add_form(f"{_name}{_s}_xm",
                 lambda n=_name, s=_s: [(f"{n} {x.name}, {mem_text(m, s)}", n, (x, m, s))
                                        for x, m in zip(cycle(list(XMMS), len(MEMS)), MEMS, strict=True)])
for _name, _ms in (("cvttss2si", 32), ("cvttsd2si", 64), ("cvtss2si", 32), ("cvtsd2si", 64)):
    for _s in (32, 64):
        add_form(f"{_name}{_s}_rx", lambda n=_name, s=_s: [(f"{n} {r.name_for(s)}, {x.name}", n, (r, x, s))
                                                           for x in XMMS for r in GPRS])
        add_form(f"{_name}{_s}_rm",
                 lambda n=_name, s=_s, ms=_ms: [(f"{n} {r.name_for(s)}, {mem_text(m, ms)}", n, (r, m, s))
                                                for r, m in zip(cycle(list(GPRS), len(MEMS)), MEMS,
                                                                strict=True)])
for _name in ("movmskps", "movmskpd", "pmovmskb"):
    add_form(f"{_name}_rx", lambda n=_name: [(f"{n} {r.name_for(32)}, {x.name}", n, (r, x))
                                             for x in XMMS for r in GPRS])

# (name, register size in the text, memory size, lanes)
for _name, _rs, _ms, _lanes in (("pextrb", 32, 8, (0, 1, 15)), ("pextrw", 32, 16, (0, 1, 7)),
                                ("pextrd", 32, 32, (0, 1)), ("pextrq", 64, 64, (0, 1)),
                                ("extractps", 32, 32, (0, 3))):
    add_form(f"{_name}_rx", lambda n=_name, s=_rs, ls=_lanes: [
        (f"{n} {r.name_for(s)}, {x.name}, {v}", n, (r, x, v)) for x in XMMS for r in GPRS for v in ls])
    add_form(f"{_name}_mx", lambda n=_name, s=_ms, ls=_lanes: [
        (f"{n} {mem_text(m, s)}, {x.name}, {ls[i % len(ls)]}", n, (m, x, ls[i % len(ls)]))
        for i, (x, m) in enumerate(zip(cycle(list(XMMS), len(MEMS)), MEMS, strict=True))])
for _name, _rs, _ms, _lanes in (("pinsrb", 32, 8, (0, 1, 15)), ("pinsrw", 32, 16, (0, 1, 7)),
                                ("pinsrd", 32, 32, (0, 1)), ("pinsrq", 64, 64, (0, 1))):
    add_form(f"{_name}_xr", lambda n=_name, s=_rs, ls=_lanes: [
        (f"{n} {x.name}, {r.name_for(s)}, {v}", n, (x, r, v)) for x in XMMS for r in GPRS for v in ls])
    add_form(f"{_name}_xm", x_m(_name, _name, _ms, tuple((v,) for v in _lanes)))


# VEX.128 (FMA3, AVX blendv): every register in every position, cycled.
def _vex3(mn: str) -> list[Inst]:
    xs = list(XMMS)
    return [(f"{mn} {d.name}, {a.name}, {b.name}", mn, (d, a, b))
            for i, d in enumerate(xs) for a, b in ((xs[(i + 5) % 16], xs[(i + 11) % 16]), (xs[(15 - i)], d))]


def _vex4(mn: str) -> list[Inst]:
    xs = list(XMMS)
    return [(f"{mn} {d.name}, {a.name}, {b.name}, {c.name}", mn, (d, a, b, c))
            for i, d in enumerate(xs)
            for a, b, c in ((xs[(i + 3) % 16], xs[(i + 9) % 16], xs[(i + 14) % 16]), (d, xs[15 - i], d))]


for _name in ("vfmadd231ps", "vfmadd231pd", "vfnmadd231ps", "vfnmadd231pd"):
    add_form(f"{_name}_xxx", lambda n=_name: _vex3(n))
for _name in ("vblendvps", "vblendvpd", "vpblendvb"):
    add_form(f"{_name}_xxxx", lambda n=_name: _vex4(n))
