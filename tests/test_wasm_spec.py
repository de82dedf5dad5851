"""Spec walk: every module of the core and SIMD spec tests decodes and validates; every
assert_invalid is rejected with ValidationError and every binary assert_malformed with
MalformedError, with the spec's message text (matched by prefix, as the reference interpreter does)."""
from __future__ import annotations

from pathlib import Path

import pytest

from jit.abi.features import Features, UnsupportedProposalError
from jit.errors import MalformedError, ValidationError
from jit.spectest import json_files, load_commands, spectest_dir
from jit.wasm import decode, validate_module

SPEC = spectest_dir()
# 2.0's binary format and rules: section 13 and extern kind 4 are malformed (exception handling); one
# 32-bit memory, zero-byte memory indices and u32 offsets (multiple memories, memory64); constant
# expressions read imported globals only (GC off)
WASM2 = Features.none()
FILES = json_files("core") + json_files("simd")
ACCEPTED = ("module", "assert_unlinkable", "assert_uninstantiable")
# The 2.0 suite runs with Wasm 2.0 only (WASM2, as ``wxjit spec`` runs it): a module that is
# invalid in 2.0 but uses a later proposal (two memories, a memory index) may be refused as
# "unsupported proposal '...'" instead of with the 2.0 message.
# select.2.wasm is byte-identical to select.1.wasm (wast2json encodes `(select (result))` like an
# untyped select), which expects "type mismatch"; one binary cannot give both texts.
TEXT_EXCEPTIONS = {("select.2.wasm", "invalid result arity")}
# Wasm 2.0's rules for what a later proposal allows, as wxjit words them with that proposal off.
PROPOSAL_TEXTS = {"multiple memories": "unsupported proposal 'multiple memories'"}

pytestmark = pytest.mark.skipif(
    SPEC is None, reason="spec tests not found (../shared/spectest or $WXJIT_SPECTEST)")


def _check(path: Path) -> tuple[int, int]:
    checked = matched = 0
    problems = []
    for cmd in load_commands(path):
        kind = cmd["type"]
        if cmd.get("module_type", "binary") != "binary" or "filename" not in cmd:
            continue
        data = Path(cmd["filename"]).read_bytes()
        error = None
        try:
            validate_module(decode(data, features=WASM2), WASM2)
        except (MalformedError, ValidationError, UnsupportedProposalError) as exc:
            error = exc
        name = Path(cmd["filename"]).name
        checked += 1
        if kind in ACCEPTED:
            if error is not None:
                problems.append(f"{name} (line {cmd['line']}): rejected: {error}")
            continue
        if isinstance(error, UnsupportedProposalError):
            continue
        want = MalformedError if kind == "assert_malformed" else ValidationError
        if not isinstance(error, want):
            problems.append(f"{name} (line {cmd['line']}): expected {want.__name__}, got {error!r}")
        elif error.message.startswith(PROPOSAL_TEXTS.get(cmd["text"], cmd["text"])):
            matched += 1
        elif (name, cmd["text"]) not in TEXT_EXCEPTIONS:
            problems.append(f"{name} (line {cmd['line']}): message {error.message!r}, spec {cmd['text']!r}")
    assert not problems, "\n".join(problems)
    return checked, matched


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_spec_file(path: Path) -> None:
    checked, _matched = _check(path)
    if checked == 0:
        pytest.skip("only text-format modules (a binary-only engine skips them)")


def test_spec_counts() -> None:
    """The suite has the documented number of modules of each kind (nothing silently skipped)."""
    counts: dict[str, int] = {}
    for suite in ("core", "simd"):
        for path in json_files(suite):
            for cmd in load_commands(path):
                if cmd.get("module_type", "binary") == "binary" and "filename" in cmd:
                    key = f"{suite} {cmd['type']}"
                    counts[key] = counts.get(key, 0) + 1
    assert counts["core module"] == 1125 and counts["core assert_invalid"] == 1475
    assert counts["core assert_malformed"] == 736
    assert counts["simd module"] == 470 and counts["simd assert_invalid"] == 669
