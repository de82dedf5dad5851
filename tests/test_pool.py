"""Pooled instance resources: no data of a previous instance survives in a pooled memory or vmctx, and
10,000 fresh instances in a loop keep the resident size within the pool's bound."""
from __future__ import annotations

import gc
import os

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.runtime import pool

pytestmark = needs_wat2wasm


SCRIBBLE = """
(module
  (memory (export "mem") {pages})
  (global $g (export "g") (mut i64) (i64.const 7))
  (func (export "scribble") (param $grow i32)
    (local $i i32) (local $end i32)
    local.get $grow memory.grow drop
    memory.size i32.const 65536 i32.mul local.set $end
    block loop
      local.get $i local.get $end i32.ge_u br_if 1
      local.get $i i32.const 0xA5A5A5A5 i32.store
      local.get $i i32.const 4 i32.add local.set $i
      br 0 end end
    i64.const -1 global.set $g)
  (func (export "nonzero") (result i32)
    (local $i i32) (local $n i32) (local $end i32)
    memory.size i32.const 65536 i32.mul local.set $end
    block loop
      local.get $i local.get $end i32.ge_u br_if 1
      local.get $i i32.load if local.get $n i32.const 1 i32.add local.set $n end
      local.get $i i32.const 4 i32.add local.set $i
      br 0 end end
    local.get $n))
"""


@pytest.mark.parametrize("grow", [0, 3, 6])   # 6 extra pages: beyond the in-place zeroing size (256 KiB)
def test_no_stale_data_in_pooled_memories_and_vmctx(grow: int) -> None:
    m1 = jit.Module(wat(SCRIBBLE.format(pages=1)))
    m2 = jit.Module(wat(SCRIBBLE.format(pages=1 + grow)))
    gc.collect()
    pool.configure(max_free_memories=1)   # the one pooled memory is the one scribbled on
    try:
        pool.clear()
        for _ in range(3):
            inst = jit.Instance(m1)
            inst.exports.scribble(grow)
            assert inst.exports.mem.size == 1 + grow and inst.exports.nonzero() > 0
            assert inst.exports.g.value == -1
            address = inst.vmctx_address
            gc.collect()
            del inst
            assert pool.free_memories() == 1
            for m in (m1, m2):
                fresh = jit.Instance(m)
                assert fresh.exports.mem.size == m.wasm.memories[0].limits.min
                assert fresh.exports.nonzero() == 0
                assert bytes(fresh.exports.mem.data) == bytes(len(fresh.exports.mem.data))
                assert fresh.exports.g.value == 7
                if m is m1:
                    assert fresh.vmctx_address == address      # the pooled vmctx was reused
                del fresh
                gc.collect()
    finally:
        pool.configure(max_free_memories=pool.DEFAULT_MAX_FREE_MEMORIES)


def test_pooled_memory_shrinks_back_to_the_new_minimum() -> None:
    m = jit.Module(wat(SCRIBBLE.format(pages=1)))
    inst = jit.Instance(m)
    inst.exports.scribble(4)
    del inst
    gc.collect()
    fresh = jit.Instance(m)
    assert fresh.exports.mem.size == 1
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        jit.Instance(jit.Module(wat('(module (memory (export "m") 1) (func (export "peek") (result i32) '
                                    'i32.const 65536 i32.load))'))).exports.peek()


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_ten_thousand_fresh_instances_stay_within_the_pool_bound() -> None:
    m = jit.Module(wat(SCRIBBLE.format(pages=1)))
    for _ in range(1000):                  # warm up pools, allocators, caches
        jit.Instance(m).exports.scribble(0)
    gc.collect()
    before = rss_kib()
    for _ in range(10_000):
        jit.Instance(m).exports.scribble(0)   # every instance dirties its whole 64 KiB page
    gc.collect()
    growth = rss_kib() - before
    # bound: every pooled memory resident (64 KiB) and every pooled vmctx, plus allocator slack
    bound = pool.max_free_memories() * 64 + 4096
    assert growth <= bound, f"RSS grew by {growth} KiB over 10,000 instances (bound {bound} KiB)"
    assert pool.free_memories() <= pool.max_free_memories()
    assert jit.runtime.instance.live_instances() < 50


def test_pool_configuration_is_checked() -> None:
    with pytest.raises(ValueError):
        pool.configure(max_free_memories=-1)
    with pytest.raises(ValueError):
        pool.configure(max_free_vmctx=-1)


@pytest.mark.parametrize("max_free", [0, 64])      # 0: a released memory is unmapped at once
def test_a_memory_view_keeps_its_memory_out_of_the_pool(max_free: int) -> None:
    """``exports.mem.data`` taken from an instance nobody holds any more stays valid: the view keeps
    the memory alive, so it is neither zeroed for another instance nor unmapped under the view."""
    module = jit.Module(wat(SCRIBBLE.format(pages=1)))
    before = pool.max_free_memories()
    pool.configure(max_free_memories=max_free)
    try:
        inst = jit.Instance(module)
        inst.exports.scribble(0)
        view = inst.exports.mem.data
        del inst
        gc.collect()
        others = [jit.Instance(module) for _ in range(4)]      # would reuse a pooled memory
        assert all(o.exports.nonzero() == 0 for o in others)
        assert bytes(view[:8]) == b"\xa5" * 8 and bytes(view[-4:]) == b"\xa5" * 4
        view[0] = 1                                           # still writable, still ours
        assert view[0] == 1
    finally:
        pool.configure(max_free_memories=before)
