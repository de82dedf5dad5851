"""The x86-64 register model used by the encoder and the compiler.

``Gpr`` and ``Xmm`` are frozen value objects identified by their hardware number (0..15), so they
compare and hash by number and can be used as dict keys and in sets. Every register has a constant
here (``RAX`` .. ``R15``, ``XMM0`` .. ``XMM15``); ``CL`` is ``RCX`` spelled as a shift count.
"""
from __future__ import annotations

from dataclasses import dataclass

_GPR64 = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi")
_LOW_NAMES: dict[int, tuple[str, ...]] = {
    64: _GPR64,
    32: ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"),
    16: ("ax", "cx", "dx", "bx", "sp", "bp", "si", "di"),
    8: ("al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"),
}
_HIGH_SUFFIX = {64: "", 32: "d", 16: "w", 8: "b"}


def _check_num(kind: str, num: int) -> None:
    if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num <= 15:
        raise ValueError(f"{kind} register number must be 0..15, got {num!r}")


@dataclass(frozen=True, slots=True)
class Gpr:
    """A general-purpose register, ``num`` 0..15 in hardware order (rax=0 .. r15=15)."""

    num: int

    def __post_init__(self) -> None:
        _check_num("general-purpose", self.num)

    @property
    def name(self) -> str:
        """The 64-bit name: ``"rax"``, ``"r8"``."""
        return self.name_for(64)

    def name_for(self, size: int) -> str:
        """The name of this register as an operand of ``size`` bits (64/32/16/8)."""
        if size not in _HIGH_SUFFIX:
            raise ValueError(f"register size must be 8, 16, 32 or 64, got {size!r}")
        if self.num < 8:
            return _LOW_NAMES[size][self.num]
        return f"r{self.num}{_HIGH_SUFFIX[size]}"

    @property
    def low3(self) -> int:
        """The three bits that go into ModRM/SIB/opcode."""
        return self.num & 7

    @property
    def ext(self) -> int:
        """The REX extension bit (1 for r8..r15)."""
        return self.num >> 3

    def __repr__(self) -> str:
        return self.name.upper()


@dataclass(frozen=True, slots=True)
class Xmm:
    """An SSE register, ``num`` 0..15."""

    num: int

    def __post_init__(self) -> None:
        _check_num("xmm", self.num)

    @property
    def name(self) -> str:
        return f"xmm{self.num}"

    @property
    def low3(self) -> int:
        return self.num & 7

    @property
    def ext(self) -> int:
        return self.num >> 3

    def __repr__(self) -> str:
        return self.name.upper()


GPRS: tuple[Gpr, ...] = tuple(Gpr(n) for n in range(16))
XMMS: tuple[Xmm, ...] = tuple(Xmm(n) for n in range(16))

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
