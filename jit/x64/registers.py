"""The x86-64 register model used by the encoder and the compiler.

``Gpr`` and ``Xmm`` are interned, immutable registers identified by their hardware number ``num``
(0..15): ``Gpr(3) is RBX``, so they compare and hash by identity (C-speed: no ``__eq__`` or
``__hash__`` in Python, which the compiler's register-owner map and the encoder's tables depend on)
and can be used as dict keys and in sets. A ``Gpr`` and an ``Xmm`` of the same number are distinct.
Registers are not ints on purpose: an int where an operand goes is an immediate (``a.add(RAX, 1)``).
Every register has a constant here (``RAX`` .. ``R15``, ``XMM0`` .. ``XMM15``); ``CL`` is ``RCX``
spelled as a shift count. The fields the encoder reads are plain slots: ``num``, ``low3`` (the three
bits of ModRM/SIB/opcode) and ``ext`` (the REX extension bit).
"""
from __future__ import annotations

_GPR64 = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi")
_LOW_NAMES: dict[int, tuple[str, ...]] = {
    64: _GPR64,
    32: ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"),
    16: ("ax", "cx", "dx", "bx", "sp", "bp", "si", "di"),
    8: ("al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"),
}
_HIGH_SUFFIX = {64: "", 32: "d", 16: "w", 8: "b"}


def _check_num(kind: str, num: object) -> int:
    if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num <= 15:
        raise ValueError(f"{kind} register number must be 0..15, got {num!r}")
    return num


class _Reg:
    __slots__ = ("num", "low3", "ext", "name")
    num: int
    low3: int
    ext: int
    name: str

    @classmethod
    def _make(cls, num: int, name: str) -> _Reg:
        r = object.__new__(cls)
        object.__setattr__(r, "num", num)
        object.__setattr__(r, "low3", num & 7)
        object.__setattr__(r, "ext", num >> 3)
        object.__setattr__(r, "name", name)
        return r

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"registers are immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"registers are immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple:
        return (type(self), (self.num,))

    def __copy__(self) -> _Reg:
        return self

    def __deepcopy__(self, memo: object) -> _Reg:
        return self

    def __repr__(self) -> str:
        return self.name.upper()


class Gpr(_Reg):
    """A general-purpose register, ``num`` 0..15 in hardware order (rax=0 .. r15=15); ``name`` is the
    64-bit name (``"rax"``, ``"r8"``)."""

    __slots__ = ()

    def __new__(cls, num: int) -> Gpr:
        return GPRS[_check_num("general-purpose", num)]

    def name_for(self, size: int) -> str:
        """The name of this register as an operand of ``size`` bits (64/32/16/8)."""
        if size not in _HIGH_SUFFIX:
            raise ValueError(f"register size must be 8, 16, 32 or 64, got {size!r}")
        if self.num < 8:
            return _LOW_NAMES[size][self.num]
        return f"r{self.num}{_HIGH_SUFFIX[size]}"


class Xmm(_Reg):
    """An SSE register, ``num`` 0..15; ``name`` is ``"xmm0"`` .. ``"xmm15"``."""

    __slots__ = ()

    def __new__(cls, num: int) -> Xmm:
        return XMMS[_check_num("xmm", num)]


GPRS: tuple[Gpr, ...] = tuple(
    Gpr._make(n, _GPR64[n] if n < 8 else f"r{n}") for n in range(16))  # type: ignore[misc]
XMMS: tuple[Xmm, ...] = tuple(Xmm._make(n, f"xmm{n}") for n in range(16))  # type: ignore[misc]

RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = GPRS[:8]
R8, R9, R10, R11, R12, R13, R14, R15 = GPRS[8:]
(XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7,
 XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14, XMM15) = XMMS

CL = RCX
"""The shift-count register: ``a.shl(RAX, CL, 64)``."""

# Roles in compiled code (docs/abi.md). None of these is ever handed out by the register allocator.
VMCTX = R15
"""The vmctx of the running instance, pinned for the whole of Wasm code."""
HEAP = R14
"""The base of memory 0, pinned (a copy of ``vmctx->mem_base``; the reservation never moves)."""
SCRATCH = R11
"""The scratch register: addresses, wide constants and temporaries within one instruction's lowering."""
XMM_SCRATCH = XMM15
"""The vector/float scratch register, like ``SCRATCH``."""

__all__ = [
    "CL", "GPRS", "HEAP", "SCRATCH", "VMCTX", "XMM_SCRATCH", "Gpr",
    "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
    "RAX", "RBP", "RBX", "RCX", "RDI", "RDX", "RSI", "RSP", "XMMS", "Xmm",
    "XMM0", "XMM1", "XMM2", "XMM3", "XMM4", "XMM5", "XMM6", "XMM7",
    "XMM8", "XMM9", "XMM10", "XMM11", "XMM12", "XMM13", "XMM14", "XMM15",
]
