"""Issue 13's feature set: ``jit.Features`` from the front door (``jit.Module``, ``jit.validate``,
``jit.wasm.decode``) through decoder and validator to the compiler. A module that uses a proposal
that is off, or that wxjit does not implement, fails with ``unsupported proposal '<name>'`` and the
byte offset of the construct, never with a 2.0 decoding error."""
from __future__ import annotations

import pytest

import jit
from jit.abi.features import PROPOSAL_BY_KEY, PROPOSALS, Features, UnsupportedProposalError
from jit.wasm import decode
from jit.wasm.leb import encode_unsigned

HEADER = b"\0asm\x01\0\0\0"


def section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + encode_unsigned(len(payload)) + payload


def vec(items: list[bytes]) -> bytes:
    return encode_unsigned(len(items)) + b"".join(items)


def func_module(types: list[bytes], body: bytes, locals_: bytes = b"\x00", type_index: int = 0) -> bytes:
    """One function of type ``type_index`` with ``body`` (instructions and the final end)."""
    code = locals_ + body
    return (HEADER + section(1, vec(types)) + section(3, vec([encode_unsigned(type_index)]))
            + section(10, vec([encode_unsigned(len(code)) + code])))


VOID = b"\x60\x00\x00"


def offset_of(data: bytes, needle: bytes) -> int:
    return data.index(needle)


def test_features_is_public_and_defaults_to_what_is_built() -> None:
    assert jit.Features is Features
    f = Features()
    for p in PROPOSALS:
        assert getattr(f, p.key) == (p.implemented or p.validated)
    assert PROPOSAL_BY_KEY["function_references"].implemented
    gc = PROPOSAL_BY_KEY["gc"]
    assert gc.implemented and f.gc
    assert not any(getattr(Features.none(), p.key) for p in PROPOSALS)


def test_parse_wasmtime_style() -> None:
    f = Features.parse("gc=n, tail-call=y")
    assert not f.gc and f.tail_call and f.function_references
    assert Features.parse("none,function_references") == Features.none().__class__(
        **{p.key: p.key == "function_references" for p in PROPOSALS})
    with pytest.raises(ValueError, match="unknown proposal"):
        Features.parse("threads")


def test_a_proposal_switched_off_is_named() -> None:
    # a tag section (id 13) and a try_table instruction with exception handling off
    off = Features(exceptions=False)
    tag_module = HEADER + section(1, vec([VOID])) + section(13, vec([b"\x00\x00"]))
    with pytest.raises(jit.CompileError, match="unsupported proposal 'exception handling'"):
        jit.validate(tag_module, features=off)
    try_table = func_module([VOID], b"\x1f\x40\x00\x0b\x0b")
    with pytest.raises(jit.CompileError, match="unsupported proposal 'exception handling'") as info:
        jit.Module(try_table, features=off)
    assert info.value.offset == offset_of(try_table, b"\x1f\x40")
    exnref_param = func_module([b"\x60\x01\x69\x00"], b"\x0b")
    jit.validate(exnref_param)
    with pytest.raises(jit.CompileError, match="unsupported proposal 'exception handling'"):
        jit.validate(exnref_param, features=off)


def test_unbuilt_proposals_are_named() -> None:
    cases = {
        "memory64": HEADER + section(5, vec([b"\x04\x01"])),                          # i64 memory
        "multiple memories": HEADER + section(5, vec([b"\x00\x01", b"\x00\x01"])),
    }
    for key, data in cases.items():
        if PROPOSAL_BY_KEY[{"memory64": "memory64", "multiple memories": "multi_memory"}[key]].implemented:
            continue
        with pytest.raises(jit.CompileError, match=f"unsupported proposal '{key}'"):
            jit.Module(data)


def test_typed_function_references_can_be_switched_off() -> None:
    # (func (param (ref null 0)))
    data = func_module([b"\x60\x01\x63\x00\x00"], b"\x0b")
    jit.Module(data)
    off = Features(function_references=False)
    with pytest.raises(UnsupportedProposalError, match="typed function references") as info:
        jit.Module(data, features=off)
    assert info.value.offset == offset_of(data, b"\x63\x00")
    with pytest.raises(UnsupportedProposalError, match="typed function references"):
        decode(data, features=off)
    with pytest.raises(UnsupportedProposalError, match="typed function references"):
        jit.validate(func_module([VOID], b"\xd0\x00\x1a\x0b"), features=off)     # ref.null $0


def test_gc_compiles_and_can_be_switched_off() -> None:
    # (type (struct (field i32))) (func (result (ref 0)) i32.const 1 struct.new 0)
    types = [b"\x5f\x01\x7f\x00", b"\x60\x00\x01\x64\x00"]
    data = func_module(types, b"\x41\x01\xfb\x00\x00\x0b", type_index=1)
    jit.validate(data)                                   # valid Wasm 3.0
    jit.Module(data)                                     # and compiled
    with pytest.raises(UnsupportedProposalError, match="'garbage collection'") as info:
        jit.validate(data, features=Features(gc=False))
    assert info.value.offset == offset_of(data, b"\x5f\x01")     # the struct type, while decoding
    # an invalid GC module is a ValidationError, not "unsupported": struct.new without its operand
    bad = func_module(types, b"\xfb\x00\x00\x0b", type_index=1)
    with pytest.raises(jit.ValidationError, match="type mismatch"):
        jit.validate(bad)


def test_gc_types_alone_compile_and_run() -> None:
    # (rec (type (func)) (type (struct))) (func (type 0)) exported: the rec group and the struct type
    # do not stop compilation
    rec = b"\x4e\x02" + VOID + b"\x5f\x00"
    data = (HEADER + section(1, vec([rec])) + section(3, vec([b"\x00"]))
            + section(7, vec([b"\x01f\x00\x00"])) + section(10, vec([b"\x02\x00\x0b"])))
    inst = jit.Instance(jit.Module(data), {})
    assert inst.exports["f"]() is None


def test_2_0_suite_semantics_with_no_features() -> None:
    # Wasm 2.0: a global initialiser reads only imported globals; 3.0 (gc on): any earlier global
    data = (HEADER + section(6, vec([b"\x7f\x00\x41\x00\x0b", b"\x7f\x00\x23\x00\x0b"])))
    jit.validate(data)
    with pytest.raises(jit.ValidationError, match="unknown global 0"):
        jit.validate(data, features=Features.none())
