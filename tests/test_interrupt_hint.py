"""The one-load interrupt check in linked instance groups: compiled code compares the vmctx's
interrupt hint (``VMCTX_INTERRUPT_HINT``) once per function entry and loop header; ``interrupt()`` sets
the group's flag and then every member's hint. Whichever member's code is running stops; a hint left
set after the interrupt was consumed sends one check to the slow path, which clears it and goes on;
a pending interrupt survives a join (linking into a group)."""
from __future__ import annotations

import threading

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.abi import vmctx as V

pytestmark = needs_wat2wasm

PROVIDER = """
(module
  (import "env" "tick" (func $tick))
  (func (export "spin") (loop call $tick br 0))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    block loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $i i32.const 1 i32.add local.set $i
      br 0 end end
    local.get $i))
"""
USER = """
(module
  (import "a" "spin" (func $spin))
  (import "a" "count" (func $count (param i32) (result i32)))
  (func (export "spin_there") (call $spin))
  (func (export "spin_here") (loop br 0))
  (func (export "count_there") (param i32) (result i32) (call $count (local.get 0))))
"""


@pytest.fixture(scope="module")
def modules() -> tuple[jit.Module, jit.Module]:
    return jit.Module(wat(PROVIDER)), jit.Module(wat(USER))


def linked(modules, tick=lambda: None) -> tuple[jit.Instance, jit.Instance]:
    provider = jit.Instance(modules[0], {"env": {"tick": jit.Func(tick)}})
    ex = provider.exports
    user = jit.Instance(modules[1], {"a": {"spin": ex["spin"], "count": ex["count"]}})
    return provider, user


def hint(inst: jit.Instance) -> int:
    return int(inst._state.vm[V.VMCTX_INTERRUPT_HINT // 8])


@pytest.mark.parametrize("via", ["provider", "user"])
def test_interrupting_either_member_stops_code_running_in_the_other(modules, via: str) -> None:
    started = threading.Event()
    provider, user = linked(modules, tick=started.set)
    target = provider if via == "provider" else user
    threading.Thread(target=lambda: (started.wait(), target.interrupt())).start()
    with pytest.raises(jit.Trap, match="interrupted"):
        user.exports.spin_there()                 # spins in the provider's code (its vmctx)
    # the flag was consumed; the hints left set cost one slow-path check each, then calls run
    assert user.exports.count_there(1000) == 1000
    assert provider.exports.count(10) == 10
    assert hint(provider) == 0 and hint(user) == 0


def test_interrupt_before_a_call_stops_code_in_any_member(modules) -> None:
    provider, user = linked(modules)
    provider.interrupt()
    assert hint(provider) == 1 and hint(user) == 1
    with pytest.raises(jit.Trap, match="interrupted"):
        user.exports.spin_here()                  # never enters the provider
    assert user.exports.count_there(7) == 7


def test_pending_interrupt_survives_joining_a_group(modules) -> None:
    provider = jit.Instance(modules[0], {"env": {"tick": jit.Func(lambda: None)}})
    provider.interrupt()                          # alone: the hint is the flag itself
    assert hint(provider) == 1
    ex = provider.exports
    user = jit.Instance(modules[1], {"a": {"spin": ex["spin"], "count": ex["count"]}})
    assert hint(user) == 1
    with pytest.raises(jit.Trap, match="interrupted"):
        user.exports.spin_here()
    assert user.exports.count_there(3) == 3


def test_stale_hint_alone_never_survives_a_cleared_flag(modules) -> None:
    """An instance alone has no separate hint: the flag the check reads is the group flag, which the
    native entry clears when the interrupted call returns."""
    provider = jit.Instance(modules[0], {"env": {"tick": jit.Func(lambda: None)}})
    provider.interrupt()
    with pytest.raises(jit.Trap, match="interrupted"):
        provider.exports.count(5)
    assert hint(provider) == 0
    assert provider.exports.count(5) == 5
