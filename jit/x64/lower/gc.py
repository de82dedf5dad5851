"""Wasm GC: structs, arrays, i31, ``ref.eq``, casts and the extern/any conversions (docs/gc.md).

Objects follow ``jit.abi.gclayout``: a word of the ``any`` hierarchy is null (0), an i31 (low bit 1),
a host handle (low bits 10) or a heap object (low bits 00). Field and element accesses are inline
(null check, bounds check against the array's length, one load or store); allocation and the bulk
array instructions call ``native/gc.c`` helpers with their operands stored in the outgoing argument
area (the result comes back in its first slot; a nonzero return is the trap code). Casts are inline:
an abstract target tests the tag bits (and the descriptor's kind for struct/array); a concrete final
type compares the descriptor's canonical id with the one in the vmctx (process-wide ids, so casts work
across modules); a non-final one checks the supertype display at the target's depth, which is known
at compile time. No write barrier: the collector is non-moving and runs only at safepoints.
"""
from __future__ import annotations

from ...abi import gclayout as G
from ...abi import vmctx as V
from ...wasm.types import (
    ANYREF,
    ARRAYREF,
    EQREF,
    EXNREF,
    EXTERNREF,
    F32,
    FUNCREF,
    HEAP_INDEX,
    I31REF,
    I32,
    I64,
    NULLEXNREF,
    NULLEXTERNREF,
    NULLFUNCREF,
    NULLREF,
    PACKED_I8,
    PACKED_I16,
    STRUCTREF,
    ArrayType,
    FuncType,
    make_ref,
    ref_heap,
    ref_nullable,
)
from ..encoder import Cond, Label, Mem
from ..registers import RAX, RCX, RDI, RDX, RSI, RSP, SCRATCH, VMCTX, Gpr
from ..stack import is_float, load_reg, store_reg
from . import lowers

_INDEX_MASK = HEAP_INDEX - 1
_STORE_BITS = {PACKED_I8: 8, PACKED_I16: 16, I32: 32, F32: 32}
_ABSTRACT_ANY_NONNULL = frozenset((ANYREF, FUNCREF, EXTERNREF, EXNREF))
_ABSTRACT_BOTTOMS = frozenset((NULLREF, NULLFUNCREF, NULLEXTERNREF, NULLEXNREF))
_ABSTRACT_KIND = {STRUCTREF: G.KIND_STRUCT, ARRAYREF: G.KIND_ARRAY}
I31_REF = make_ref(I31REF, False)


def value_type(storage: int) -> int:
    """The value type a field of ``storage`` is read as (packed fields: i32)."""
    return I32 if storage in (PACKED_I8, PACKED_I16) else storage


class GcLowering:
    """Wasm GC instructions of ``FunctionCompiler``."""

    # ------------------------------------------------------------------ type facts (compile time)
    def gc_final(self, t: int) -> bool:
        subtypes = self.module.subtypes
        return subtypes[t].final if subtypes else True

    def gc_depth(self, t: int) -> int:
        subtypes = self.module.subtypes
        depth = 0
        while subtypes and subtypes[t].supertypes:
            t = subtypes[t].supertypes[0]
            depth += 1
        return depth

    def gc_type_id(self, t: int) -> Mem:
        """The vmctx word holding the canonical id of type index ``t``."""
        return Mem(VMCTX, disp=self.mc.layout.type_id(t))

    def gc_field(self, t: int, f: int) -> tuple[int, int]:
        """(storage type, byte offset from the object start) of field ``f`` of struct type ``t``."""
        fields = self.module.types[t].fields
        offsets, _size = G.struct_layout([x.storage for x in fields])
        return fields[f].storage, G.OBJ_HEADER_SIZE + offsets[f]

    # ------------------------------------------------------------------ helper calls
    def gc_call(self, helper: str, nargs: int, t: int | None, imm: int, result: int | None) -> None:
        """Call ``helper(vmctx, cid of t, imm, slots)`` with the top ``nargs`` operands in the outgoing
        area; trap on a nonzero return; push slot 0 as ``result`` (unless None)."""
        params = tuple(v.ty for v in self.stack[len(self.stack) - nargs:])
        self.prepare_args(FuncType(params, (I64,) if result is not None else ()))
        asm = self.asm
        self.save_caller_pins()
        asm.mov(RDI, VMCTX, 64)
        if t is None:
            asm.mov(RSI, 0, 32)
        else:
            asm.mov(RSI, self.gc_type_id(t), 64)
        asm.mov(RDX, imm, 64)
        asm.mov(RCX, RSP, 64)
        asm.call_rip(self.mc.helper_label(helper))
        self.record_pc()
        self.record_safepoint()             # an allocation may collect (docs/gc.md)
        self.restore_caller_pins()
        asm.test(RAX, RAX, 32)
        lbl = asm.label()
        asm.jcc(Cond.NE, lbl)
        self.trap_sites.append((lbl, None, self.pos))
        if result is not None:
            r = self.ra.alloc(I64)
            asm.mov(r, Mem(RSP, disp=0), 64)
            self.push_reg(r, result)

    # ------------------------------------------------------------------ structs
    @lowers("struct.new")
    def op_struct_new(self, t, _b) -> None:
        nfields = len(self.module.types[t].fields)
        self.gc_call("wx_gc_struct_new", nfields, t, 0, make_ref(HEAP_INDEX | t, False))

    @lowers("struct.new_default")
    def op_struct_new_default(self, t, _b) -> None:
        self.gc_call("wx_gc_struct_new_default", 0, t, 0, make_ref(HEAP_INDEX | t, False))

    def null_check(self, r: Gpr, kind: str) -> None:
        self.asm.test(r, r, 64)
        self.trap_if(Cond.E, kind)

    def gc_load(self, r: Gpr, mem: Mem, storage: int, signed: bool) -> Gpr:
        """Load a field/element of ``storage`` at ``mem`` (addressed through ``r``) into a register
        (``r`` itself for integers and references); returns it, pushed."""
        asm = self.asm
        ty = value_type(storage)
        if is_float(ty):
            x = self.ra.alloc(ty)
            load_reg(asm, x, mem, ty)
            self.push_reg(x, ty)
            return x
        if storage in (PACKED_I8, PACKED_I16):
            bits = 8 if storage == PACKED_I8 else 16
            if signed:
                asm.movsx(r, mem, bits, 32)
            else:
                asm.movzx(r, mem, bits, 32)
        else:
            asm.mov(r, mem, 32 if ty == I32 else 64)
        self.push_reg(r, ty)
        return r

    def gc_store(self, mem: Mem, storage: int, value) -> None:
        if is_float(storage):
            store_reg(self.asm, mem, value, storage)
        else:
            self.asm.mov(mem, value, _STORE_BITS.get(storage, 64))

    def struct_get(self, t: int, f: int, signed: bool) -> None:
        storage, disp = self.gc_field(t, f)
        ref = self.pop()
        r = self.to_reg(ref)
        self.null_check(r, "null structure reference")
        self.ra.free(ref)
        self.gc_load(r, Mem(r, disp=disp), storage, signed)

    @lowers("struct.get", "struct.get_u")
    def op_struct_get(self, t, f) -> None:
        self.struct_get(t, f, False)

    @lowers("struct.get_s")
    def op_struct_get_s(self, t, f) -> None:
        self.struct_get(t, f, True)

    @lowers("struct.set")
    def op_struct_set(self, t, f) -> None:
        storage, disp = self.gc_field(t, f)
        val = self.pop()
        ref = self.pop()
        v = self.to_reg(val)
        r = self.to_reg(ref, exclude=(v,))
        self.null_check(r, "null structure reference")
        self.gc_store(Mem(r, disp=disp), storage, v)
        self.release(val, ref)

    # ------------------------------------------------------------------ arrays
    def elem_storage(self, t: int) -> int:
        comp = self.module.types[t]
        assert isinstance(comp, ArrayType)
        return comp.field.storage

    def array_element(self, r: Gpr, i: Gpr, storage: int) -> Mem:
        """Null and bounds checks of ``r[i]``; the element's address (``i`` may be scaled in place)."""
        asm = self.asm
        self.null_check(r, "null array reference")
        asm.cmp(i, Mem(r, disp=G.OBJ_LENGTH), 32)
        self.trap_if(Cond.AE, "out of bounds array access")
        size = G.storage_bytes(storage)
        if size == 16:
            asm.shl(i, 4, 64)
            size = 1
        return Mem(r, i, size, G.OBJ_HEADER_SIZE)

    def array_get(self, t: int, signed: bool) -> None:
        storage = self.elem_storage(t)
        idx = self.pop()
        ref = self.pop()
        r = self.to_reg(ref)
        i = self.to_reg(idx, exclude=(r,))
        mem = self.array_element(r, i, storage)
        self.ra.free(ref)
        self.ra.free(idx)
        self.gc_load(r, mem, storage, signed)      # into r, the base of mem: read before written

    @lowers("array.get", "array.get_u")
    def op_array_get(self, t, _b) -> None:
        self.array_get(t, False)

    @lowers("array.get_s")
    def op_array_get_s(self, t, _b) -> None:
        self.array_get(t, True)

    @lowers("array.set")
    def op_array_set(self, t, _b) -> None:
        storage = self.elem_storage(t)
        val = self.pop()
        idx = self.pop()
        ref = self.pop()
        v = self.to_reg(val)
        r = self.to_reg(ref, exclude=(v,))
        i = self.to_reg(idx, exclude=(v, r))
        self.gc_store(self.array_element(r, i, storage), storage, v)
        self.release(val, idx, ref)

    @lowers("array.len")
    def op_array_len(self, _a, _b) -> None:
        ref = self.pop()
        r = self.to_reg(ref)
        self.null_check(r, "null array reference")
        self.asm.mov(r, Mem(r, disp=G.OBJ_LENGTH), 32)
        self.ra.free(ref)
        self.push_reg(r, I32)

    @lowers("array.new")
    def op_array_new(self, t, _b) -> None:
        self.gc_call("wx_gc_array_new", 2, t, 0, make_ref(HEAP_INDEX | t, False))

    @lowers("array.new_default")
    def op_array_new_default(self, t, _b) -> None:
        self.gc_call("wx_gc_array_new_default", 1, t, 0, make_ref(HEAP_INDEX | t, False))

    @lowers("array.new_fixed")
    def op_array_new_fixed(self, t, n) -> None:
        self.gc_call("wx_gc_array_new_fixed", n, t, n, make_ref(HEAP_INDEX | t, False))

    @lowers("array.new_data")
    def op_array_new_data(self, t, seg) -> None:
        self.gc_call("wx_gc_array_new_data", 2, t, seg, make_ref(HEAP_INDEX | t, False))

    @lowers("array.new_elem")
    def op_array_new_elem(self, t, seg) -> None:
        self.gc_call("wx_gc_array_new_elem", 2, t, seg, make_ref(HEAP_INDEX | t, False))

    @lowers("array.fill")
    def op_array_fill(self, t, _b) -> None:
        self.gc_call("wx_gc_array_fill", 4, None, 0, None)

    @lowers("array.copy")
    def op_array_copy(self, _dst_t, _src_t) -> None:
        self.gc_call("wx_gc_array_copy", 5, None, 0, None)

    @lowers("array.init_data")
    def op_array_init_data(self, _t, seg) -> None:
        self.gc_call("wx_gc_array_init_data", 4, None, seg, None)

    @lowers("array.init_elem")
    def op_array_init_elem(self, _t, seg) -> None:
        self.gc_call("wx_gc_array_init_elem", 4, None, seg, None)

    # ------------------------------------------------------------------ i31, ref.eq, conversions
    @lowers("ref.i31")
    def op_ref_i31(self, _a, _b) -> None:
        v = self.pop()
        r = self.to_reg(v)
        self.asm.shl(r, 1, 32)
        self.asm.or_(r, 1, 32)
        self.ra.free(v)
        self.push_reg(r, I31_REF)

    def i31_get(self, signed: bool) -> None:
        v = self.pop()
        r = self.to_reg(v)
        self.null_check(r, "null i31 reference")
        if signed:
            self.asm.sar(r, 1, 32)
        else:
            self.asm.shr(r, 1, 32)
        self.ra.free(v)
        self.push_reg(r, I32)

    @lowers("i31.get_s")
    def op_i31_get_s(self, _a, _b) -> None:
        self.i31_get(True)

    @lowers("i31.get_u")
    def op_i31_get_u(self, _a, _b) -> None:
        self.i31_get(False)

    @lowers("ref.eq")
    def op_ref_eq(self, _a, _b) -> None:
        b = self.pop()
        a = self.pop()
        r = self.to_reg(a)
        self.asm.cmp(r, self.operand(b), 64)
        self.release(a, b)
        self.push_cond(Cond.E)

    def retag(self, ty: int) -> None:
        """The value on top stays the same word with another type (any.convert_extern...)."""
        v = self.pop()
        r = self.to_reg(v)
        self.ra.free(v)
        self.push_reg(r, ty)

    @lowers("any.convert_extern")
    def op_any_convert_extern(self, _a, _b) -> None:
        self.retag(ANYREF)

    @lowers("extern.convert_any")
    def op_extern_convert_any(self, _a, _b) -> None:
        self.retag(EXTERNREF)

    # ------------------------------------------------------------------ casts
    def cast_needs_temp(self, heap: int) -> bool:
        if not heap & HEAP_INDEX:
            return False
        t = heap & _INDEX_MASK
        return isinstance(self.module.types[t], FuncType) and not self.gc_final(t)

    def emit_cast_check(self, r: Gpr, heap: int, null_ok: bool, fail: Label, temp: Gpr | None) -> None:
        """Fall through when ``r`` holds a reference of type ``(ref null? heap)``, else jump to ``fail``.
        Uses SCRATCH (and ``temp`` for a non-final function type)."""
        asm = self.asm
        ok = asm.label()
        asm.test(r, r, 64)
        asm.jcc(Cond.E, ok if null_ok else fail)
        if heap & HEAP_INDEX:
            t = heap & _INDEX_MASK
            if isinstance(self.module.types[t], FuncType):
                asm.mov(SCRATCH, Mem(r, disp=V.VMFUNCREF_TYPE_ID), 64)
                if self.gc_final(t):
                    asm.cmp(SCRATCH, self.gc_type_id(t), 64)
                    asm.jcc(Cond.NE, fail)
                else:
                    asm.cmp(SCRATCH, self.gc_type_id(t), 64)
                    asm.jcc(Cond.E, ok)
                    asm.mov(temp, Mem(VMCTX, disp=V.VMCTX_GC_TYPES), 64)
                    asm.mov(SCRATCH, Mem(temp, SCRATCH, 8, 0), 64)
                    asm.test(SCRATCH, SCRATCH, 64)
                    asm.jcc(Cond.E, fail)
                    self.display_check(t, fail)
            else:
                asm.test(r, 3, 32)
                asm.jcc(Cond.NE, fail)
                asm.mov(SCRATCH, Mem(r, disp=G.OBJ_DESC), 64)
                if self.gc_final(t):
                    asm.mov(SCRATCH, Mem(SCRATCH, disp=G.DESC_CID), 64)
                    asm.cmp(SCRATCH, self.gc_type_id(t), 64)
                    asm.jcc(Cond.NE, fail)
                else:
                    self.display_check(t, fail)
        elif heap in _ABSTRACT_BOTTOMS:
            asm.jmp(fail)
        elif heap == EQREF:
            asm.test(r, 1, 32)
            asm.jcc(Cond.NE, ok)
            asm.test(r, 2, 32)
            asm.jcc(Cond.NE, fail)
        elif heap == I31REF:
            asm.test(r, 1, 32)
            asm.jcc(Cond.E, fail)
        elif heap in _ABSTRACT_KIND:
            asm.test(r, 3, 32)
            asm.jcc(Cond.NE, fail)
            asm.mov(SCRATCH, Mem(r, disp=G.OBJ_DESC), 64)
            asm.cmp(Mem(SCRATCH, disp=G.DESC_KIND), _ABSTRACT_KIND[heap], 32)
            asm.jcc(Cond.NE, fail)
        else:
            assert heap in _ABSTRACT_ANY_NONNULL, heap
        asm.bind(ok)

    def display_check(self, t: int, fail: Label) -> None:
        """With SCRATCH = a type descriptor: jump to ``fail`` unless type index ``t`` is on its
        supertype display (at ``t``'s depth)."""
        asm = self.asm
        depth = self.gc_depth(t)
        if depth:
            asm.cmp(Mem(SCRATCH, disp=G.DESC_DEPTH), depth, 32)
            asm.jcc(Cond.B, fail)
        asm.mov(SCRATCH, Mem(SCRATCH, disp=G.DESC_DISPLAY), 64)
        asm.mov(SCRATCH, Mem(SCRATCH, disp=8 * depth), 64)
        asm.cmp(SCRATCH, self.gc_type_id(t), 64)
        asm.jcc(Cond.NE, fail)

    def cast_operand(self, heap: int) -> tuple:
        """Pop the reference to test: (its Val, its register, a temp register or None)."""
        v = self.pop()
        r = self.to_reg(v)
        temp = self.ra.alloc(I64, exclude=(r,)) if self.cast_needs_temp(heap) else None
        return v, r, temp

    def ref_test(self, heap: int, null_ok: bool) -> None:
        v, r, temp = self.cast_operand(heap)
        res = self.ra.alloc(I32, exclude=(r,) + ((temp,) if temp is not None else ()))
        asm = self.asm
        asm.mov(res, 0, 32)
        fail = asm.label()
        self.emit_cast_check(r, heap, null_ok, fail, temp)
        asm.mov(res, 1, 32)
        asm.bind(fail)
        self.ra.free(v)
        self.push_reg(res, I32)

    @lowers("ref.test")
    def op_ref_test(self, heap, _b) -> None:
        self.ref_test(heap, False)

    @lowers("ref.test_null")
    def op_ref_test_null(self, heap, _b) -> None:
        self.ref_test(heap, True)

    def ref_cast(self, heap: int, null_ok: bool) -> None:
        v, r, temp = self.cast_operand(heap)
        fail = self.asm.label()
        self.trap_sites.append((fail, V.TRAP_CODE["cast failure"], self.pos))
        self.emit_cast_check(r, heap, null_ok, fail, temp)
        self.ra.free(v)
        self.push_reg(r, make_ref(heap, null_ok))

    @lowers("ref.cast")
    def op_ref_cast(self, heap, _b) -> None:
        self.ref_cast(heap, False)

    @lowers("ref.cast_null")
    def op_ref_cast_null(self, heap, _b) -> None:
        self.ref_cast(heap, True)

    @lowers("br_on_cast")
    def op_br_on_cast(self, depth, types) -> None:
        src, dst = types
        heap = ref_heap(dst)
        v, r, temp = self.cast_operand(heap)
        self.ra.free(v)
        self.push_reg(r, dst)
        fail = self.asm.label()
        self.emit_cast_check(r, heap, ref_nullable(dst), fail, temp)
        self.branch_to(depth)
        self.asm.bind(fail)
        self.stack[-1].ty = src

    @lowers("br_on_cast_fail")
    def op_br_on_cast_fail(self, depth, types) -> None:
        src, dst = types
        heap = ref_heap(dst)
        v, r, temp = self.cast_operand(heap)
        self.ra.free(v)
        self.push_reg(r, src)
        asm = self.asm
        fail = asm.label()
        ok = asm.label()
        self.emit_cast_check(r, heap, ref_nullable(dst), fail, temp)
        asm.jmp(ok)
        asm.bind(fail)
        self.branch_to(depth)
        asm.bind(ok)
        self.stack[-1].ty = dst

