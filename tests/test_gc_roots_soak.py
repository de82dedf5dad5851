"""Soak test of externref lifetimes (docs/gc.md): many distinct Python objects pass into fresh
instances, are stored in tables and globals, held by Wasm frames across collections run from host
functions, and dropped. A Python model says which objects Wasm still reaches: those are never
released; every other one is released (its weakref callback fires) once unreachable; RSS stays
bounded. 10^6 objects take about 8 s of CPU (under 30 s even on the loaded 2-core machine), so the
test runs in the default suite."""
from __future__ import annotations

import gc as pygc
import random
import weakref

import jit
from jit.runtime import gc as wgc
from jit.runtime.values import EXTERNREFS

SLOTS = 8

WAT = f"""(module
 (import "h" "cb" (func $cb (param i32)))
 (table $t {SLOTS} externref)
 (global $g (mut externref) (ref.null extern))
 (func (export "put") (param $i i32) (param $x externref) (table.set $t (local.get $i) (local.get $x)))
 (func (export "setg") (param $x externref) (global.set $g (local.get $x)))
 (func (export "take") (param $i i32) (param $k i32) (result externref)
   (table.get $t (local.get $i))
   (table.set $t (local.get $i) (ref.null extern))
   (call $cb (local.get $k)))
)"""


class Obj:
    __slots__ = ("n", "ref", "__weakref__")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def soak(total: int, per_instance: int, seed: int = 16) -> dict[str, int]:
    """Pass ``total`` objects, ``per_instance`` per fresh instance; the last few instances stay alive."""
    rng = random.Random(seed)
    fired = bytearray(total)                # fired[n]: object n's weakref callback ran (1 byte each:
                                            # the model's own memory stays out of the RSS figures)
    model: dict[int, tuple[list[int], list[int]]] = {}   # live instance -> its table and global (object ids)
    held: list[int] = []                    # the object a Wasm frame holds right now
    stats = {"collections_in_frames": 0, "checks": 0}

    def check_live() -> None:
        for table, glob in model.values():
            reached = {x for x in table + glob if x >= 0}
            released = [x for x in reached if fired[x]]
            assert not released, f"objects in a live table or global released: {released}"
        assert not any(fired[x] for x in held), f"an object held by a Wasm frame was released: {held}"
        stats["checks"] += 1

    def cb(k: int) -> None:
        if k:                      # twice: the handle's own protection (made recently) is used up
            assert wgc.collect() is not None
            assert wgc.collect() is not None
            stats["collections_in_frames"] += 1
            check_live()

    module = jit.Module(WAT)
    alive: list[tuple[int, object]] = []
    n = 0
    rss_mid = 0
    inst_no = 0
    while n < total:
        inst = jit.Instance(module, {"h": {"cb": jit.Func(cb, ["i32"])}})
        e = inst.exports
        table, glob = [-1] * SLOTS, [-1]
        model[inst_no] = (table, glob)
        for _ in range(per_instance):
            if n >= total:
                break
            o = Obj()
            o.n = n
            o.ref = weakref.ref(o, lambda _r, n=n: fired.__setitem__(n, 1))
            if rng.random() < 0.8:
                i = rng.randrange(SLOTS)
                e.put(i, o)
                table[i] = n
            else:
                e.setg(o)
                glob[0] = n
            del o                              # from here on only Wasm holds it
            n += 1
            if rng.random() < 0.3:             # a frame takes an element out of the table and holds it
                i = rng.randrange(SLOTS)
                x = table[i]
                table[i] = -1
                k = 1 if rng.random() < 0.01 else 0
                if x >= 0:
                    held.append(x)
                back = e.take(i, k)
                if x >= 0:
                    held.pop()
                    assert back is not None and back.n == x
                else:
                    assert back is None
                del back
        alive.append((inst_no, inst))
        del inst, e
        if len(alive) > 4:                     # the oldest instance goes: its objects become garbage
            old, _inst = alive.pop(0)
            del _inst
            model.pop(old)
        inst_no += 1
        if rss_mid == 0 and n >= total // 4:
            rss_mid = rss_bytes()
    rss_end = rss_bytes()
    assert wgc.collect() is not None
    check_live()
    alive.clear()
    model.clear()
    pygc.collect()
    assert wgc.collect() is not None
    assert wgc.collect() is not None
    missing = total - sum(fired)
    assert missing == 0, f"{missing} objects were never released"
    return {"objects": total, "rss_mid": rss_mid, "rss_end": rss_end, "handles_at_end": EXTERNREFS.live,
            "collections": wgc.stats()["collections"], **stats}


def test_soak_million():
    out = soak(1_000_000, 1000)
    print(out)
    assert out["collections_in_frames"] > 100
    # bounded: the second three quarters of the run add little (handles are reused, the tables are small)
    assert out["rss_end"] - out["rss_mid"] < 16 << 20
