"""Deadlines and interrupt() reach WASI guests blocked in host calls (poll_oneoff sleeps and fd waits,
fd_read on a pipe), and output written to a descriptor is there as soon as fd_write returns."""
from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.wasi import Wasi, WasiConfig, run_command
from jit.wasi.streams import Stream

pytestmark = needs_wat2wasm

# A subscription (48 bytes) at 0: userdata @0, tag @8, clock id or fd @16, timeout @24, flags @40.
# Events go to 64, the event count to 128. An iovec for fd_read at 256 -> 512 (16 bytes), nread at 264.
GUEST = """
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $sleep (export "sleep") (param $ns i64) (result i32)
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))          ;; CLOCK_MONOTONIC
    (i64.store (i32.const 24) (local.get $ns))
    (i32.store16 (i32.const 40) (i32.const 0))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
  (func (export "wait_fd") (param $fd i32) (result i32)
    (i64.store (i32.const 0) (i64.const 7))
    (i32.store8 (i32.const 8) (i32.const 1))          ;; EVENTTYPE_FD_READ
    (i32.store (i32.const 16) (local.get $fd))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
  (func (export "read") (param $fd i32) (result i32)
    (i32.store (i32.const 256) (i32.const 512))
    (i32.store (i32.const 260) (i32.const 16))
    (drop (call $read (local.get $fd) (i32.const 256) (i32.const 1) (i32.const 264)))
    (i32.load (i32.const 264)))
  (func (export "_start")
    (drop (call $sleep (i64.const 1000000000000))))   ;; 1000 s
)
"""

PRINT_AND_SPIN = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop br 0)))
"""


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(GUEST))


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def instance(module: jit.Module, limits: jit.Limits | None = None, **config: object) -> jit.Instance:
    wasi = Wasi(WasiConfig(**config))  # type: ignore[arg-type]
    inst = jit.Instance(module, wasi.imports(), limits)
    wasi.bind(inst)
    return inst


def interrupt_later(inst: jit.Instance, delay: float) -> threading.Thread:
    t = threading.Thread(target=lambda: (time.sleep(delay), inst.interrupt()))
    t.start()
    return t


def test_a_short_sleep_still_sleeps_and_reports_its_clock_event(module: jit.Module) -> None:
    inst = instance(module)
    start = time.monotonic()
    assert inst.exports.sleep(50_000_000) == 0
    assert time.monotonic() - start >= 0.045
    mem = inst.exports.memory.data
    assert struct.unpack_from("<I", mem, 128)[0] == 1
    assert mem[64 + 10] == 0           # the event's type: clock


def test_the_timeout_ends_a_1000_second_sleep(module: jit.Module) -> None:
    inst = instance(module, jit.Limits(timeout=1))
    start = time.monotonic()
    with pytest.raises(jit.Trap) as info:
        inst.exports._start()
    elapsed = time.monotonic() - start
    assert info.value.kind == "interrupted"
    assert 0.9 <= elapsed < 10
    assert inst.exports.sleep(1_000_000) == 0     # the interrupt was consumed by the call it ended


def test_interrupt_from_another_thread_ends_a_sleep(module: jit.Module) -> None:
    inst = instance(module)
    t = interrupt_later(inst, 0.2)
    start = time.monotonic()
    with pytest.raises(jit.Trap) as info:
        inst.exports._start()
    t.join()
    assert info.value.kind == "interrupted"
    assert time.monotonic() - start < 5
    assert inst.exports.sleep(0) == 0


def test_interrupt_reaches_fd_read_on_a_pipe_without_data(module: jit.Module,
                                                          pipe: tuple[int, int]) -> None:
    r, w = pipe
    inst = instance(module, stdin=r)
    t = interrupt_later(inst, 0.2)
    start = time.monotonic()
    with pytest.raises(jit.Trap) as info:
        inst.exports.read(0)
    t.join()
    assert info.value.kind == "interrupted"
    assert time.monotonic() - start < 5
    os.write(w, b"abc")                 # the instance is usable again and reads what comes
    assert inst.exports.read(0) == 3
    assert bytes(inst.exports.memory.data[512:515]) == b"abc"


def test_the_timeout_reaches_fd_read_on_a_pipe(module: jit.Module, pipe: tuple[int, int]) -> None:
    inst = instance(module, jit.Limits(timeout=0.5), stdin=pipe[0])
    start = time.monotonic()
    with pytest.raises(jit.Trap, match="interrupted"):
        inst.exports.read(0)
    assert time.monotonic() - start < 5


def test_fd_read_waits_for_data_arriving_later(module: jit.Module, pipe: tuple[int, int]) -> None:
    r, w = pipe
    inst = instance(module, jit.Limits(timeout=10), stdin=r)
    t = threading.Thread(target=lambda: (time.sleep(0.2), os.write(w, b"late")))
    t.start()
    assert inst.exports.read(0) == 4
    t.join()


def test_interrupt_reaches_poll_oneoff_on_a_pipe(module: jit.Module, pipe: tuple[int, int]) -> None:
    inst = instance(module, stdin=pipe[0])
    t = interrupt_later(inst, 0.2)
    start = time.monotonic()
    with pytest.raises(jit.Trap) as info:
        inst.exports.wait_fd(0)
    t.join()
    assert info.value.kind == "interrupted"
    assert time.monotonic() - start < 5


def test_poll_oneoff_reports_a_readable_pipe_with_its_byte_count(module: jit.Module,
                                                                 pipe: tuple[int, int]) -> None:
    r, w = pipe
    inst = instance(module, jit.Limits(timeout=10), stdin=r)
    t = threading.Thread(target=lambda: (time.sleep(0.1), os.write(w, b"12345")))
    t.start()
    assert inst.exports.wait_fd(0) == 0
    t.join()
    mem = inst.exports.memory.data
    assert struct.unpack_from("<I", mem, 128)[0] == 1
    userdata, errno, etype, nbytes, flags = struct.unpack_from("<QHBxxxxxQHxxxxxx", mem, 64)
    assert (userdata, errno, etype, nbytes, flags) == (7, 0, 1, 5, 0)
    os.close(w)
    assert inst.exports.wait_fd(0) == 0          # the writer is gone: ready, with the hangup flag
    assert struct.unpack_from("<QHBxxxxxQHxxxxxx", mem, 64)[4] == 1


def test_run_command_traps_a_sleeper_at_the_timeout() -> None:
    start = time.monotonic()
    with pytest.raises(jit.Trap, match="interrupted"):
        run_command(wat(GUEST), limits=jit.Limits(timeout=0.5))
    assert time.monotonic() - start < 5


def test_wxjit_run_timeout_ends_a_sleeper(tmp_path: Path) -> None:
    path = tmp_path / "sleeper.wasm"
    path.write_bytes(wat(GUEST))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "run", "--timeout", "1", str(path)],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert elapsed < 10
    assert proc.returncode != 0
    assert "trap: interrupted" in proc.stderr


def test_piped_output_arrives_before_the_guest_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "spin.wasm"
    path.write_bytes(wat(PRINT_AND_SPIN))
    proc = subprocess.Popen([sys.executable, "-m", "jit.cli", "run", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no output from the guest within 30 s"
        assert os.read(proc.stdout.fileno(), 100) == b"hello\n"
        assert proc.poll() is None       # still spinning: the output did not wait for the exit
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_fd_output_is_written_through_and_object_output_is_collected(pipe: tuple[int, int]) -> None:
    r, w = pipe
    data = bytearray(b"abcdef")
    s = Stream(w)
    assert s.limit == 0
    assert s.write([memoryview(data)[:2], memoryview(data)[2:]], 6) == 6
    assert os.read(r, 100) == b"abcdef"          # no flush needed
    import io
    out = io.BytesIO()
    s = Stream(out)
    s.write([memoryview(data)], 6)
    assert out.getvalue() == b""
    s.flush()
    assert out.getvalue() == b"abcdef"


def test_fd_output_completes_partial_writes_on_a_full_non_blocking_pipe(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.set_blocking(w, False)
    payload = bytes(range(256)) * 1024            # 256 KiB: more than a pipe holds
    got = bytearray()

    def drain() -> None:
        while len(got) < len(payload):
            got.extend(os.read(r, 65536))
    t = threading.Thread(target=drain)
    t.start()
    Stream(w).write([memoryview(payload)], len(payload))
    t.join(30)
    assert bytes(got) == payload
