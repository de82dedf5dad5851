"""Compiled-module cache: serialize/deserialize round trips, the .cwasm checks (truncation, bit flips,
version, compiler, CPU features, Wasm hash, fuel flag) and jit.Cache recompiling rejected files."""
from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import struct
import subprocess
import sys
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from blake3 import blake3
from wasm_text import needs_wat2wasm, wat

import jit
from jit.cache import KEY_FILE, Cache
from jit.runtime import serialize
from jit.runtime.serialize import CacheError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

pytestmark = needs_wat2wasm


SRC = """
(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 5))
  (table 2 funcref)
  (elem (i32.const 0) $fib $twice)
  (data (i32.const 16) "cached!")
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u if (result i32) local.get 0 else
    local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end)
  (func (export "via_table") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect (param i32) (result i32))
  (func (export "host") (param i32) (result i32) local.get 0 call $twice)
  (func (export "boom") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func (export "bump") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g))
"""
OTHER = '(module (func (export "fib") (param i32) (result i32) i32.const 666))'


@pytest.fixture(scope="module")
def wasm() -> bytes:
    return wat(SRC)


def imports() -> dict:
    return {"env": {"twice": jit.Func(lambda x: 2 * x, ["i32"], ["i32"])}}


def check_instance(module: jit.Module) -> None:
    inst = jit.Instance(module, imports())
    e = inst.exports
    assert e.fib(15) == 610
    assert e.via_table(0, 10) == 55 and e.via_table(1, 21) == 42
    assert e.host(4) == 8
    assert bytes(e.mem.data[16:23]) == b"cached!"
    assert e.bump() == 6 and e.g.value == 6
    with pytest.raises(jit.Trap) as info:
        e.boom(1)
    assert info.value.kind == "integer divide by zero" and info.value.func_name == "boom"


def test_round_trip_runs_like_the_original(wasm: bytes) -> None:
    module = jit.Module(wasm)
    data = module.serialize()
    assert data.startswith(serialize.MAGIC)
    loaded = jit.Module.deserialize(data)
    assert loaded.wasm.codes == []          # no function bodies: nothing was decoded or compiled
    assert loaded.imports == module.imports and loaded.exports == module.exports
    assert loaded.code.address != module.code.address
    check_instance(loaded)
    assert loaded.serialize() == data       # the format is deterministic


def test_deserialize_does_not_decode_validate_or_compile(wasm: bytes,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = jit.Module(wasm).serialize()
    import jit.pipeline as M
    import jit.x64.compiler as C

    def forbidden(*a: object, **k: object) -> None:
        raise AssertionError("the front end or the compiler ran")
    monkeypatch.setattr(M, "_validate", forbidden)
    monkeypatch.setattr(C, "compile_module", forbidden)
    check_instance(jit.Module.deserialize(data))


def corruptions(data: bytes) -> list[tuple[str, bytes]]:
    head = serialize._HEAD.size
    out = [("empty", b""), ("truncated header", data[:head - 1]), ("truncated payload", data[:-1]),
           ("trailing byte", data + b"\0")]
    for pos in sorted({0, 8, 12, 16, 24, 40, head, head + 5, len(data) // 2, len(data) - 1}):
        flipped = bytearray(data)
        flipped[pos] ^= 0x10
        out.append((f"bit flip at {pos}", bytes(flipped)))
    return out


def test_every_corruption_is_rejected_with_a_reason(wasm: bytes) -> None:
    data = jit.Module(wasm).serialize()
    for what, bad in corruptions(data):
        with pytest.raises(CacheError) as info:
            jit.Module.deserialize(bad)
        assert str(info.value), what


def test_bit_flips_anywhere_are_rejected(wasm: bytes) -> None:
    data = jit.Module(wasm).serialize()
    for pos in range(0, len(data), max(1, len(data) // 300)):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << (pos % 8)
        with pytest.raises(CacheError):
            jit.Module.deserialize(bytes(flipped))


def reseal(data: bytes, key: bytes | None = None, **changes: object) -> bytes:
    """The file with header fields changed and its MAC made again with ``key`` (None: the public
    key of ``Module.serialize``): what a stale or foreign file, or a forger holding the key, makes."""
    head = serialize._HEAD
    magic, version, hlen, plen = head.unpack_from(data)
    header = json.loads(data[head.size:head.size + hlen])
    header.update(changes)
    hbytes = json.dumps(header, sort_keys=True).encode()
    payload = data[head.size + hlen:-serialize.MAC_SIZE]
    return seal(hbytes, payload, key, magic=magic, version=version)


def seal(header: bytes, payload: bytes, key: bytes | None, *, magic: bytes = serialize.MAGIC,
         version: int = serialize.FORMAT_VERSION) -> bytes:
    """A .cwasm file of these header and payload bytes with a valid MAC under ``key``."""
    body = serialize._HEAD.pack(magic, version, len(header), len(payload)) + header + payload
    return body + keyed_blake3(key, body)


def keyed_blake3(key: bytes | None, body: bytes) -> bytes:
    """The MAC of a .cwasm file, made here from the blake3 package's own API: keyed BLAKE3 under
    the key BLAKE3 derives from ``key`` in wxjit's context."""
    mac_key = blake3(key or serialize.UNKEYED, derive_key_context=serialize._MAC_CONTEXT).digest()
    return blake3(body, key=mac_key).digest()


def test_foreign_files_are_rejected(wasm: bytes) -> None:
    data = jit.Module(wasm).serialize()
    jit.Module.deserialize(reseal(data))                      # resealing alone changes nothing
    with pytest.raises(CacheError, match="another wxjit compiler"):
        jit.Module.deserialize(reseal(data, compiler="0" * 32))
    with pytest.raises(CacheError, match="CPU features this machine lacks: avx512_quantum"):
        jit.Module.deserialize(reseal(data, cpu=["avx512_quantum"]))
    with pytest.raises(CacheError, match="other Wasm bytes"):
        jit.Module.deserialize(data, wasm_sha256=hashlib.sha256(b"x").hexdigest())
    with pytest.raises(CacheError, match="fuel"):
        jit.Module.deserialize(data, fuel=True)
    wrong_version = bytearray(data)
    struct.pack_into("<I", wrong_version, 8, serialize.FORMAT_VERSION + 1)
    with pytest.raises(CacheError, match="format version"):
        jit.Module.deserialize(bytes(wrong_version))


def test_compiler_version_covers_the_compiler_sources() -> None:
    v = serialize.compiler_version()
    assert len(v) == 32 and int(v, 16) >= 0
    root = serialize.Path(serialize.__file__).resolve().parent.parent
    assert (root / "x64" / "compiler.py").exists() and (root / "wasm" / "decoder.py").exists()


def test_cache_hit_miss_and_key(tmp_path, wasm: bytes) -> None:
    cache = Cache(tmp_path)
    m1 = cache.module(wasm)
    assert (cache.stats.misses, cache.stats.hits, cache.stats.stored) == (1, 0, 1)
    m2 = cache.module(wasm)
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)
    assert m2.wasm.codes == [] and m1.wasm.codes
    check_instance(m2)
    assert cache.key(wasm) != cache.key(wasm, fuel=True) != cache.key(wat(OTHER))
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE, cache.key(wasm) + ".cwasm"]
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("damage", ["truncate", "flip", "swap", "garbage"])
def test_cache_rejects_recompiles_and_replaces(tmp_path, wasm: bytes, damage: str) -> None:
    cache = Cache(tmp_path)
    cache.module(wasm)
    path = cache.path(wasm)
    good = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(good[:len(good) // 2])
    elif damage == "flip":
        bad = bytearray(good)
        bad[-10] ^= 0xFF          # inside the payload: machine code or metadata
        path.write_bytes(bytes(bad))
    elif damage == "swap":       # the compiled file of another module under this key
        Cache(tmp_path).module(wat(OTHER))
        path.write_bytes(Cache(tmp_path).path(wat(OTHER)).read_bytes())
    else:
        path.write_bytes(b"\x00" * 100)
    module = cache.module(wasm)
    assert cache.stats.rejected == 1 and cache.stats.misses == 2
    assert cache.last_error is not None and path.name in str(cache.last_error)
    assert module.wasm.codes                   # recompiled from the Wasm bytes, not loaded
    check_instance(module)
    assert serialize.loads(path.read_bytes(), wasm_sha256=hashlib.sha256(wasm).hexdigest(), key=cache._key)
    assert path.read_bytes() == good           # replaced by a good file


def test_damage_after_hits_is_still_caught(tmp_path, wasm: bytes) -> None:
    """The decoded metadata of a file is shared between loads of the same bytes, but every load reads
    the file again and checks its checksum: damage after warm hits is caught like any other."""
    cache = Cache(tmp_path)
    cache.module(wasm)
    check_instance(cache.module(wasm))
    check_instance(cache.module(wasm))
    path = cache.path(wasm)
    bad = bytearray(path.read_bytes())
    bad[len(bad) // 2] ^= 0x01
    path.write_bytes(bytes(bad))
    module = cache.module(wasm)
    assert cache.stats.rejected == 1 and cache.stats.hits == 2 and module.wasm.codes
    check_instance(module)


def test_large_files_load_through_the_slow_read(tmp_path) -> None:
    """A .cwasm larger than the per-thread read buffer is read whole, and the buffer grows."""
    payload = bytes(range(256)) * 400                       # 100 KiB data segment
    text = ('(module (memory (export "mem") 2) (data (i32.const 0) "'
            + "".join(f"\\{b:02x}" for b in payload) + '"))')
    big = wat(text)
    cache = Cache(tmp_path)
    cache.module(big)
    assert cache.path(big).stat().st_size > 100_000
    for _ in range(3):
        module = cache.module(big)
        assert bytes(jit.Instance(module).exports.mem.data[:len(payload)]) == payload
    assert cache.stats.hits == 3 and cache.stats.rejected == 0


def test_fuel_variant_is_cached_separately(tmp_path, wasm: bytes) -> None:
    cache = Cache(tmp_path)
    m = cache.module(wasm, fuel=True)
    assert m.compiled.fuel
    again = cache.module(wasm, fuel=True)
    assert again.compiled.fuel and cache.stats.hits == 1
    inst = jit.Instance(again, imports(), limits=jit.Limits(fuel=10))
    with pytest.raises(jit.Trap, match="out of fuel"):
        inst.exports.fib(20)
    # a fuel-compiled module also runs without a fuel limit
    assert jit.Instance(again, imports()).exports.fib(20) == 6765
    plain = jit.Module.deserialize(jit.Module(wasm).serialize())
    with pytest.raises(jit.Error, match="without its fuel variant"):
        jit.Instance(plain, imports(), limits=jit.Limits(fuel=10))


def test_compile_command_and_run_cache(tmp_path, wasm: bytes) -> None:
    src = tmp_path / "fib.wasm"
    src.write_bytes(wat(OTHER.replace("i32.const 666", "local.get 0 i32.const 1 i32.add")))
    out = tmp_path / "fib.cwasm"
    run = [sys.executable, "-m", "jit.cli"]
    proc = subprocess.run([*run, "compile", str(src), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    inst = jit.Instance(jit.Module.deserialize_file(out))
    assert inst.exports.fib(41) == 42
    cache = tmp_path / "cache"
    for _ in range(2):
        proc = subprocess.run([*run, "run", "--cache", str(cache), str(src), "--invoke", "fib", "9"],
                              capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout == "10\n", proc.stderr
    assert len(list(cache.glob("*.cwasm"))) == 1
    out.write_bytes(out.read_bytes()[:-3])
    proc = subprocess.run([*run, "compile", str(tmp_path / "missing.wasm")], capture_output=True, text=True)
    assert proc.returncode == 1 and "wxjit compile:" in proc.stderr   # a missing input: failed, not usage


def test_decoded_memo_is_bounded_by_count_and_bytes(monkeypatch, wasm: bytes) -> None:
    files = [jit.Module(wasm).serialize(), jit.Module(wat(OTHER)).serialize()]
    serialize.clear_memo()
    monkeypatch.setattr(serialize, "DECODED_MEMO_BYTES", len(files[0]) + len(files[1]) - 1)
    first = serialize.loads(files[0])
    assert serialize.loads(files[0]) is first                 # the same bytes share their decode
    serialize.loads(files[1])                                 # over the byte bound: the oldest goes
    assert serialize.loads(files[0]) is not first
    monkeypatch.setattr(serialize, "DECODED_MEMO_BYTES", 1 << 30)
    monkeypatch.setattr(serialize, "DECODED_MEMO_SIZE", 1)
    again = serialize.loads(files[1])
    assert serialize.loads(files[1]) is again and serialize.loads(files[0]) is not first
    assert len(serialize._decoded) == 1
    serialize.clear_memo()
    assert serialize._decoded_bytes == 0


@pytest.mark.parametrize("buffers_in_bytes", [5, None])
def test_pooled_vmctx_buffers_are_bounded_in_bytes(monkeypatch, wasm: bytes, buffers_in_bytes) -> None:
    from jit.runtime import pool
    module = jit.Module(wasm)
    plan = module._variant(False)[2]
    if buffers_in_bytes is not None:
        monkeypatch.setattr(pool, "MAX_FREE_VMCTX_BYTES", plan.size * buffers_in_bytes + 1)
    live = [jit.Instance(module, imports()) for _ in range(pool.max_free_vmctx + 8)]
    del live
    gc.collect()                 # an instance and the table it defines refer to each other
    cap = min(pool.max_free_vmctx, pool.MAX_FREE_VMCTX_BYTES // plan.size)
    assert len(plan.free_vms) == cap


def test_threads_load_instantiate_and_resolve_funcrefs_concurrently(tmp_path) -> None:
    """Loads (native arena), instantiations (pooled vmctx, owner registry) and funcref resolution from
    four threads at once, with collections in between: every result right, nothing raised."""
    import threading
    import time

    tabled = wat("""(module (table (export "t") 2 funcref) (elem (i32.const 0) $inc $seven)
      (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func $seven (result i32) i32.const 7)
      (func (export "ref") (param i32) (result funcref) local.get 0 table.get 0))""")
    plain = wat('(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')
    cache = Cache(tmp_path)
    errors: list[BaseException] = []
    done = [0]
    deadline = time.monotonic() + 2.0

    def work(k: int) -> None:
        try:
            n = 0
            while time.monotonic() < deadline:
                if (n + k) % 2:
                    exports = jit.Instance(cache.module(tabled)).exports
                    assert exports["ref"](0)(41) == 42 and exports["ref"](1)() == 7
                else:
                    assert jit.Instance(cache.module(plain)).exports.add(n, 1) == n + 1
                n += 1
                if n % 200 == 0:
                    gc.collect()
            done[0] += n
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert done[0] > 100 and cache.stats.rejected == 0


# -- authentication: the MAC and its key ----------------------------------------------------------

KEY_A, KEY_B = b"A" * 32, b"B" * 32


def payload_parts(data: bytes) -> tuple[bytes, bytes]:
    """(header, payload) bytes of a .cwasm file."""
    hlen = serialize._HEAD.unpack_from(data)[2]
    head = serialize._HEAD.size
    return data[head:head + hlen], data[head + hlen:-serialize.MAC_SIZE]


def test_mac_is_keyed_blake3_over_the_whole_file(wasm: bytes) -> None:
    m = jit.Module(wasm, lazy=False)          # its variant's CompiledModule is the complete code
    compiled, _code, plan = m._variant(False)
    keyed = serialize.dumps(compiled, m.wasm, m.wasm_sha256, plan.recipe, key=KEY_A)
    header, payload = payload_parts(keyed)
    assert seal(header, payload, KEY_A) == keyed                 # the blake3 package agrees
    assert serialize.file_mac(KEY_A, keyed[:-serialize.MAC_SIZE]) == keyed[-serialize.MAC_SIZE:]
    assert serialize.loads(keyed, key=KEY_A).wasm_sha256 == m.wasm_sha256
    long_key = bytes(range(100))                                 # keys of any length: derived
    assert serialize.loads(seal(header, payload, long_key), key=long_key)
    for key in (KEY_B, None):
        with pytest.raises(CacheError, match="not authenticated"):
            serialize.loads(keyed, key=key)
    with pytest.raises(CacheError, match="not authenticated"):
        serialize.loads(m.serialize(), key=KEY_A)                # Module.serialize: the public key
    with pytest.raises(CacheError, match="at least 16"):
        serialize.loads(keyed, key=b"short")


def test_a_file_made_with_another_key_is_refused(tmp_path, wasm: bytes) -> None:
    Cache(tmp_path / "a", key=KEY_A).module(wasm)
    theirs = Cache(tmp_path / "a", key=KEY_A).path(wasm).read_bytes()
    for cache in (Cache(tmp_path / "b", key=KEY_B), Cache(tmp_path / "c")):    # embedder's / own key
        cache.path(wasm).write_bytes(theirs)
        module = cache.module(wasm)
        assert cache.stats.rejected == 1 and module.wasm.codes                  # recompiled, not loaded
        assert isinstance(cache.last_error, CacheError) and "not authenticated" in str(cache.last_error)
    with pytest.raises(CacheError, match="at least 16"):
        Cache(tmp_path / "d", key=b"short")


def test_patched_code_with_a_recomputed_checksum_is_never_run(tmp_path, wasm: bytes) -> None:
    """The attack of issue 12: patch the machine code, make the checksum/MAC again without the key."""
    cache = Cache(tmp_path)
    cache.module(wasm)
    path = cache.path(wasm)
    good = path.read_bytes()
    code = serialize.loads(good, key=cache._key).compiled.code
    at = good.index(code)
    patched = bytearray(good)
    patched[at:at + 16] = b"\xcc" * 16              # int3: would crash the process if it ever ran
    header, payload = payload_parts(bytes(patched))
    old_style = bytes(patched[:-32]) + hashlib.sha256(header + payload).digest()
    for forged in (seal(header, payload, KEY_B), seal(header, payload, None), old_style):
        path.write_bytes(forged)
        module = cache.module(wasm)
        assert module.wasm.codes and isinstance(cache.last_error, CacheError)
        check_instance(module)
    assert cache.stats.rejected == 3


def test_swapped_modules_are_refused(tmp_path, wasm: bytes) -> None:
    """The file of module A, made with the right key, under module B's name."""
    cache = Cache(tmp_path)
    cache.module(wasm)
    cache.module(wat(OTHER))
    cache.path(wasm).write_bytes(cache.path(wat(OTHER)).read_bytes())
    module = cache.module(wasm)
    assert cache.stats.rejected == 1 and "other Wasm bytes" in str(cache.last_error)
    check_instance(module)


def test_the_key_file_is_private_and_shared_by_processes(tmp_path) -> None:
    d = tmp_path / "new"
    code = ("import sys; from jit.cache import Cache; c = Cache(sys.argv[1]); "
            "print(c._key.hex())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(d)], stdout=subprocess.PIPE, text=True)
             for _ in range(6)]
    keys = {p.communicate()[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(keys) == 1 and len(bytes.fromhex(keys.pop())) == 32
    key_file = d / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600 and d.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in d.iterdir()) == [KEY_FILE]          # no temporary files left


# -- ownership and permissions ----------------------------------------------------------------------

def test_group_or_other_writable_directories_are_refused(tmp_path) -> None:
    for mode, who in ((0o770, "group"), (0o707, "other"), (0o777, "group")):
        d = tmp_path / f"d{mode:o}"
        d.mkdir()
        d.chmod(mode)
        with pytest.raises(CacheError, match=f"refusing cache directory {d}: writable by {who}"):
            Cache(d)
    f = tmp_path / "file"
    f.write_bytes(b"")
    with pytest.raises(jit.Error, match="cannot create the cache directory"):
        Cache(f)


def test_loose_or_foreign_files_are_refused(tmp_path, wasm: bytes) -> None:
    cache = Cache(tmp_path)
    cache.module(wasm)
    path = cache.path(wasm)
    for mode, who in ((0o622, "group"), (0o606, "other")):
        path.chmod(mode)
        module = cache.module(wasm)
        assert isinstance(cache.last_error, CacheError) and module.wasm.codes
        assert f"refusing cache file {path}: writable by {who}" in str(cache.last_error)
        assert path.stat().st_mode & 0o777 == 0o600        # replaced by a private file
    link = tmp_path / "elsewhere.cwasm"
    path.rename(link)
    path.symlink_to(link)
    assert cache.module(wasm).wasm.codes and cache.stats.rejected == 3    # not followed
    assert not path.is_symlink()


def test_a_loose_or_damaged_key_file_is_refused(tmp_path) -> None:
    Cache(tmp_path)
    key_file = tmp_path / KEY_FILE
    key_file.chmod(0o640)
    with pytest.raises(CacheError, match=f"refusing cache key file {key_file}: readable by others"):
        Cache(tmp_path)
    key_file.chmod(0o620)
    with pytest.raises(CacheError, match="writable by group"):
        Cache(tmp_path)
    key_file.chmod(0o600)
    key_file.write_bytes(b"x" * 5)
    with pytest.raises(CacheError, match="5 bytes"):
        Cache(tmp_path)
    key_file.unlink()
    key_file.symlink_to(tmp_path / "target")
    with pytest.raises(CacheError, match="refusing cache key file"):
        Cache(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root for chown")
def test_files_of_another_user_are_refused(tmp_path, wasm: bytes) -> None:
    other = 12345
    d = tmp_path / "theirs"
    d.mkdir(mode=0o700)
    os.chown(d, other, other)
    with pytest.raises(CacheError, match=f"refusing cache directory {d}: owned by uid {other}"):
        Cache(d)
    cache = Cache(tmp_path / "mine")
    cache.module(wasm)
    os.chown(cache.path(wasm), other, other)
    assert cache.module(wasm).wasm.codes
    assert f"owned by uid {other}" in str(cache.last_error)
    os.chown(tmp_path / "mine" / KEY_FILE, other, other)
    with pytest.raises(CacheError, match=f"key file .*owned by uid {other}"):
        Cache(tmp_path / "mine")


# -- bounds checks behind the MAC (the forger holds the key) ---------------------------------------

def forge(data: bytes, key: bytes | None, edit: Callable[[dict, list, list], None]) -> bytes:
    """The file with its payload edited (compiled dict, Wasm skeleton list, recipe list) and sealed.
    The packed uint32 arrays (``serialize.PACKED``, the module's function types) are edited as lists
    and packed again, a value beyond 32 bits as the largest one (the format has no bigger numbers)."""
    header, payload = payload_parts(data)
    meta, code = meta_parts(payload)
    compiled, w, recipe = marshal.loads(meta)
    w, recipe = list(w), list(recipe)
    for name in serialize.PACKED:
        compiled[name] = list(array("I", compiled[name]))
    w[2] = list(array("I", w[2]))
    edit(compiled, w, recipe)

    def pack(values: list[int]) -> bytes:
        return array("I", [min(v, 0xFFFFFFFF) for v in values]).tobytes()

    for name in serialize.PACKED:
        compiled[name] = pack(compiled[name])
    w[2] = pack(w[2])
    return seal(header, with_meta(marshal.dumps((compiled, tuple(w), tuple(recipe)), 2), code), key)


def meta_parts(payload: bytes) -> tuple[bytes, bytes]:
    """(metadata, code) of a .cwasm payload (a u64 metadata length, the metadata, the code)."""
    n = int.from_bytes(payload[:8], "little")
    return payload[8:8 + n], payload[8 + n:]


def with_meta(meta: bytes, code: bytes) -> bytes:
    """The payload of these metadata and code bytes."""
    return len(meta).to_bytes(8, "little") + meta + code


HUGE = 10**12
FORGERIES: dict[str, Callable[[dict, list, list], None]] = {
    "function offset": lambda c, w, r: c["func_offsets"].__setitem__(0, HUGE),
    "function offset inside the code":
        lambda c, w, r: c["func_offsets"].__setitem__(1, c["func_offsets"][1] + 16),
    "function end": lambda c, w, r: c["func_ends"].__setitem__(-1, HUGE),
    "host stub": lambda c, w, r: c["host_stub_offsets"].__setitem__(0, HUGE),
    "relocation offset": lambda c, w, r: c["relocations"].__setitem__(0, (HUGE, 0, 0)),
    "relocation target":
        lambda c, w, r: c["relocations"].__setitem__(0, (c["relocations"][0][0], 0, 10**6)),
    "pc map": lambda c, w, r: c["pc_offsets"].append(HUGE),
    "layout count": lambda c, w, r: c.__setitem__("layout", (1, HUGE, 1, 1, 0, 2)),
    "func type index": lambda c, w, r: c["func_types"].__setitem__(0, HUGE),
    "imported funcs": lambda c, w, r: c.__setitem__("num_imported_funcs", HUGE),
    "module function type": lambda c, w, r: w[2].__setitem__(0, HUGE),
    "export index": lambda c, w, r: w.__setitem__(6, [(n, k, HUGE) for n, k, _i in w[6]]),
    "elem item":
        lambda c, w, r: w.__setitem__(8, [(m, t, o, e, [[(0xD2, HUGE, None, 0)]]) for m, t, o, e, _ in w[8]]),
    "elem table": lambda c, w, r: w.__setitem__(8, [(m, HUGE, o, e, i) for m, _t, o, e, i in w[8]]),
    "data memory": lambda c, w, r: w.__setitem__(9, [(m, HUGE, o, d) for m, _mem, o, d in w[9]]),
    "global init": lambda c, w, r: w.__setitem__(5, [(v, m, [(0x23, HUGE, None, 0)]) for v, m, _i in w[5]]),
    "memory limits": lambda c, w, r: w.__setitem__(4, [(HUGE, None)]),
    "start": lambda c, w, r: w.__setitem__(7, HUGE),
    "recipe size": lambda c, w, r: r.__setitem__(0, HUGE),
    "recipe offsets": lambda c, w, r: r.__setitem__(4, struct.pack("<I", 0xFFFFFFF0) * 3),
    "recipe image": lambda c, w, r: r.__setitem__(3, b"\xff" * 16),
    "code": lambda c, w, r: c.__setitem__("code", 7),
}


@pytest.mark.parametrize("what", list(FORGERIES))
def test_forged_offsets_sizes_and_counts_are_refused(tmp_path, wasm: bytes, what: str) -> None:
    cache = Cache(tmp_path)
    cache.module(wasm)
    path = cache.path(wasm)
    good = path.read_bytes()
    assert serialize.loads(forge(good, cache._key, lambda c, w, r: None), key=cache._key)  # no-op: loads
    path.write_bytes(forge(good, cache._key, FORGERIES[what]))
    module = cache.module(wasm)
    assert cache.stats.rejected == 1 and isinstance(cache.last_error, CacheError), what
    assert "corrupted compiled module payload" in str(cache.last_error)
    check_instance(module)


@pytest.mark.parametrize("count", [0x7FFFFFFF, 0xFFFFFFFF, 10**9])
def test_huge_marshal_counts_are_refused_quickly(wasm: bytes, count: int) -> None:
    """A forged list/bytes length must not make the parser allocate or walk it (this took ~1 s each)."""
    import time
    data = jit.Module(wasm).serialize()
    header, payload = payload_parts(data)
    meta, code = meta_parts(payload)
    assert meta[0] == ord("(")                          # the top-level tuple: its count is at 1
    spots = [i for i in range(len(meta) - 4) if meta[i] in b"[(s"][:40]
    rejected = 0
    t0 = time.monotonic()
    for i in spots:
        bad = meta[:i + 1] + count.to_bytes(4, "little") + meta[i + 5:]
        try:
            serialize.loads(seal(header, with_meta(bad, code), None))
        except CacheError:
            rejected += 1
    assert rejected >= 20
    with pytest.raises(CacheError, match="out of bounds at byte 0 of"):
        bad = meta[:1] + count.to_bytes(4, "little") + meta[5:]
        serialize.loads(seal(header, with_meta(bad, code), None))
    assert time.monotonic() - t0 < 5.0


def test_truncations_are_refused(wasm: bytes) -> None:
    data = jit.Module(wasm).serialize()
    for n in range(0, len(data), 7):
        with pytest.raises(CacheError):
            serialize.loads(data[:n])
        if n >= serialize._HEAD.size:        # cut, lengths fitted and sealed again: the parser sees it
            header, payload = payload_parts(data)
            cut = min(max(0, n - serialize._HEAD.size - len(header)), len(payload) - 1)
            with pytest.raises(CacheError):
                serialize.loads(seal(header, payload[:cut], None))


def test_deserializer_fuzz_1000_inputs() -> None:
    """``tools/cache_fuzz.py`` with 1000 inputs: metadata mutants parsed in-process, accepted mutants
    with changed contents loaded (changed code) or run (changed metadata) in a child process."""
    import cache_fuzz
    report = cache_fuzz.fuzz(1000, seed=3)
    assert report.inputs == 1000 and not report.findings, report.text()
    assert sum(n for (_k, outcome), n in report.outcomes.items() if outcome == "rejected") > 500
    assert report.outcomes[("wrong-key", "rejected")] > 0


def test_key_is_created_exclusively_without_hard_links(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(*_a: object) -> None:
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_link)
    key = Cache(tmp_path)._key
    assert len(key) == 32 and Cache(tmp_path)._key == key
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]


def test_metadata_length_beyond_the_payload_is_refused(wasm: bytes) -> None:
    """The u64 metadata length at the start of the payload must leave the code inside the file."""
    header, payload = payload_parts(jit.Module(wasm).serialize())
    meta, code = meta_parts(payload)
    for n in (len(meta) + len(code) + 1, 1 << 63, 2**64 - 1):
        bad = n.to_bytes(8, "little") + meta + code
        with pytest.raises(CacheError, match="metadata length .* beyond"):
            serialize.loads(seal(header, bad, None))
    with pytest.raises(CacheError, match="no metadata length"):
        serialize.loads(seal(header, b"\0" * 7, None))


def test_loaded_code_is_a_view_of_the_file_bytes(wasm: bytes) -> None:
    """A load from ``bytes`` copies the code once (into the code arena), not into another bytes."""
    data = jit.Module(wasm).serialize()
    serialize.clear_memo()
    code = serialize.loads(data).compiled.code
    assert isinstance(code, memoryview) and code.readonly and code.obj is data
    assert type(serialize.loads(bytearray(data)).compiled.code) in (bytes, memoryview)
    check_instance(jit.Module.deserialize(data))
    assert jit.Module.deserialize(jit.Module.deserialize(data).serialize())  # a view serializes again


def test_every_byte_of_the_instantiation_image_is_checked(wasm: bytes) -> None:
    """The image is the skeleton's with each function's code offset in its funcref (one native
    scan): a byte changed anywhere, in a funcref's code word or elsewhere, is refused."""
    m = jit.Module(wasm, lazy=False)
    compiled, _code, plan = m._variant(False)
    good = serialize.dumps(compiled, m.wasm, m.wasm_sha256, plan.recipe)
    image = plan.recipe.image
    assert compiled.func_offsets and len(image) >= 64
    serialize.loads(forge(good, None, lambda c, w, r: None))
    for pos in range(0, len(image), max(1, len(image) // 97)):
        def flip(c: dict, w: list, r: list, pos: int = pos) -> None:
            r[3] = r[3][:pos] + bytes([r[3][pos] ^ 0x40]) + r[3][pos + 1:]
        with pytest.raises(CacheError, match="image does not match"):
            serialize.loads(forge(good, None, flip))
    from jit.abi import vmctx as V
    word = compiled.layout.funcrefs + V.VMFUNCREF_SIZE * compiled.num_imported_funcs + V.VMFUNCREF_CODE
    assert int.from_bytes(image[word:word + 8], "little") == compiled.func_offsets[0]

    def moved(c: dict, w: list, r: list) -> None:       # the first function's code offset, + 16
        r[3] = r[3][:word] + (compiled.func_offsets[0] + 16).to_bytes(8, "little") + r[3][word + 8:]
    with pytest.raises(CacheError, match="image does not match"):
        serialize.loads(forge(good, None, moved))


def test_large_files_are_mapped_and_still_checked(tmp_path) -> None:
    """A cache file from ``jit.cache._MMAP_MIN`` bytes on is mapped read-only, not read: the code is a
    view of the mapping (copied once, into the code arena), and a damaged or cut file is refused."""
    import mmap

    from jit import cache as cache_module
    n = cache_module._MMAP_MIN + 4096
    big = wat('(module (memory (export "mem") 32) (data (i32.const 0) "' + "\\07" * n + '")'
              ' (func (export "peek") (param i32) (result i32) local.get 0 i32.load8_u))')
    Cache(tmp_path).module(big)
    path = Cache(tmp_path).path(big)
    good = path.read_bytes()
    assert len(good) >= cache_module._MMAP_MIN
    serialize.clear_memo()
    cache = Cache(tmp_path)
    module = cache.module(big)
    assert cache.stats.hits == 1 and not module.wasm.codes
    code = module.compiled.code
    assert isinstance(code, memoryview) and isinstance(code.obj, mmap.mmap) and code.readonly
    assert jit.Instance(module, {}).exports.peek(n - 1) == 7
    code_at = len(good) - serialize.MAC_SIZE - len(code)
    for bad in (good[:code_at] + bytes([good[code_at] ^ 1]) + good[code_at + 1:], good[:-100]):
        path.write_bytes(bad)
        cache = Cache(tmp_path)
        module = cache.module(big)
        assert cache.stats.rejected == 1 and isinstance(cache.last_error, CacheError)
        assert jit.Instance(module, {}).exports.peek(3) == 7
