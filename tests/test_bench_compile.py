"""``wxjit bench compile`` pieces: one measured compile, ratios and geometric means (no timings asserted)."""
from __future__ import annotations

import math

from jit.benchmarks.compile import Result, child, geomean, ratios, synthetic


def test_child_measures_a_wxjit_compile(tmp_path) -> None:
    path = synthetic(50, tmp_path)
    r = child("wxjit", str(path))
    assert set(r["phases"]) == {"decode", "validate", "codegen", "load"}
    assert r["code_bytes"] > 0 and r["instructions"] > 0 and r["peak_rss_kib"] > 0
    assert r["cpu_s"] >= 0 and r["wall_s"] > 0


def test_ratios_and_geomean() -> None:
    rs = [Result("a", "wxjit", 10, 5, 2.0, 2.0, 1), Result("a", "winch", 0, 0, 0.5, 0.5, 1),
          Result("b", "wxjit", 10, 5, 9.0, 9.0, 1), Result("b", "winch", 0, 0, 1.0, 1.0, 1)]
    v = ratios(rs, "winch")
    assert v == {"a": 4.0, "b": 9.0}
    assert math.isclose(geomean(list(v.values())), 6.0)
    assert rs[0].us_per_instruction == 2.0 * 1e6 / 5
