"""Mutation fuzz (CI-sized): mutated spec modules raise nothing but jit.CompileError.

The long campaign is ``python tools/fuzz_frontend.py --inputs 100000``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import fuzz_frontend  # noqa: E402

SEEDS = fuzz_frontend.seed_modules()


@pytest.mark.skipif(not SEEDS, reason="spec tests not found (../shared/spectest or $WXJIT_SPECTEST)")
@pytest.mark.parametrize("seed", [1, 2])
def test_mutations_raise_only_compile_errors(seed: int) -> None:
    stats = fuzz_frontend.run(4000, seed, SEEDS)
    assert stats["failures"] == [], stats["failures"][:3]
    assert stats["inputs"] == 4000
    assert stats["rejected"] > 0 and stats["accepted"] > 0


def test_mutators_change_input() -> None:
    import random

    rng = random.Random(3)
    base = b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00\x00"
    changed = sum(fuzz_frontend.mutate(base, rng, [base]) != base for _ in range(200))
    assert changed > 150
