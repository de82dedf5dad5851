"""Soak test of exnref lifetimes (docs/exceptions.md): a guest that runs C++-style cleanups
(``catch_all_ref`` + ``throw_ref``) throws, catches by reference and rethrows 2 * 10^6 times, each
batch in a fresh instance. Escaped exceptions are collected under pressure (no ``jit.collect()`` in the
loop): the count of exceptions kept stays well below the number made, RSS stops growing once the first
collections ran, and one collection at the end frees all of them. Before exceptions were collected
every one was kept for the life of the process (2 * 10^6 objects, over 100 MiB): this test failed.
About half a second of CPU, so it runs in the default suite."""
from __future__ import annotations

import jit
from jit.runtime import gc as wgc
from jit.runtime.exceptions import retained_exceptions

WAT = """(module
 (tag $e (param i32))
 (func $inner (param i32) (throw $e (local.get 0)))
 (func $cleanup (param i32)
   (block $h (result exnref)
     (try_table (catch_all_ref $h) (call $inner (local.get 0)))
     (return))
   (throw_ref))
 (func (export "run") (param $n i32) (result i32)
   (local $i i32) (local $sum i32)
   (loop $l
     (block $c (result i32)
       (try_table (catch $e $c) (call $cleanup (local.get $i)))
       (i32.const 0))
     (local.set $sum (i32.add (local.get $sum)))
     (local.set $i (i32.add (local.get $i) (i32.const 1)))
     (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
   (local.get $sum)))"""

TOTAL = 2_000_000
PER_INSTANCE = 50_000


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def soak(total: int, per_instance: int) -> dict[str, int]:
    module = jit.Module(WAT)
    want = per_instance * (per_instance - 1) // 2 & 0xFFFFFFFF
    want -= 1 << 32 if want >= 1 << 31 else 0
    wgc.collect()                        # the pressure trigger starts from what other tests keep
    base = retained_exceptions()
    freed_before = wgc.stats().get("exceptions_freed", 0)     # (absent before exceptions were collected)
    most = 0
    rss_half = 0
    for k in range(total // per_instance):
        inst = jit.Instance(module, {})
        assert inst.exports.run(per_instance) == want        # every rethrown payload intact
        del inst
        most = max(most, retained_exceptions() - base)
        if (k + 1) * per_instance == total // 2:
            rss_half = rss_bytes()
    out = {"most_kept": most, "rss_half": rss_half, "rss_end": rss_bytes(),
           "freed_by_pressure": wgc.stats().get("exceptions_freed", 0) - freed_before}
    assert wgc.collect() is not None
    out["kept_after_collect"] = retained_exceptions() - base
    return out


def test_cleanup_loops_keep_memory_bounded() -> None:
    r = soak(TOTAL, PER_INSTANCE)
    assert r["freed_by_pressure"] > 0, "no collection ran under exnref pressure"
    assert r["most_kept"] < TOTAL // 2, f"escaped exceptions piled up: {r}"
    assert r["kept_after_collect"] <= 0, f"unreachable exceptions survived a collection: {r}"
    # the second million reuses what the collections of the first one freed (kept for good, they
    # would add over 60 MiB)
    grew = r["rss_end"] - r["rss_half"]
    assert grew < 16 << 20, f"RSS grew by {grew >> 20} MiB over the second half: {r}"
