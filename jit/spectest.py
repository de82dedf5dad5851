"""The one reader of the converted spec-test suite (``../shared/spectest``; see its README.md).

``spectest_dir()`` finds the suite (env ``WXJIT_SPECTEST``, else ``<repo>/../shared/spectest``),
``json_files("core" | "simd")`` lists the per-test JSON files, ``load_commands(path)`` returns their
commands with ``filename`` fields made absolute, and the value helpers turn the JSON value strings
into bit patterns. Used by the front-end spec walk and by the spec runner.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SUITES = ("core", "simd")
_LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


def spectest_dir() -> Path | None:
    """The spec-test folder, or None when it is not available."""
    env = os.environ.get("WXJIT_SPECTEST")
    if env:
        path = Path(env)
        return path if path.is_dir() else None
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "spectest"
    return path if path.is_dir() else None


def spectest3_dir() -> Path | None:
    """The Wasm 3.0 spec-test folder (env ``WXJIT_SPECTEST3``, else ``<repo>/../shared/spectest3``),
    or None when it is not available."""
    env = os.environ.get("WXJIT_SPECTEST3")
    path = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared" / "spectest3"
    return path if path.is_dir() else None


def json_files(suite: str) -> list[Path]:
    """The JSON command files of ``suite`` ("core" or "simd"), sorted; [] when absent."""
    if suite not in SUITES:
        raise ValueError(f"unknown spec suite {suite!r} (expected one of {SUITES})")
    root = spectest_dir()
    if root is None or not (root / suite).is_dir():
        return []
    return sorted(p for p in (root / suite).glob("*/*.json"))


def load_commands(path: Path | str) -> list[dict[str, Any]]:
    """The commands of one JSON file; each ``filename`` (and spectest3's ``binary_filename``) is
    replaced by an absolute path string."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        commands = json.load(f)["commands"]
    for cmd in commands:
        for key in ("filename", "binary_filename"):
            if key in cmd:
                cmd[key] = str(path.parent / cmd[key])
    return commands


def parse_value(value: dict[str, Any]) -> Any:
    """A JSON value as bits: an int for numbers ("nan:canonical"/"nan:arithmetic" kept as str),
    an int (128-bit, lane 0 lowest) for v128 unless a lane is a NaN pattern (then a list of lane
    values), None for a null reference, an int for an ``externref`` id."""
    t = value["type"]
    v = value.get("value")
    if t == "v128":
        bits = _LANE_BITS[value["lane_type"]]
        lanes = [x if x.startswith("nan:") else int(x) for x in v]
        if any(isinstance(x, str) for x in lanes):
            return lanes
        return sum((x & ((1 << bits) - 1)) << (i * bits) for i, x in enumerate(lanes))
    if v is None or v == "null":
        return None
    if isinstance(v, str) and v.startswith("nan:"):
        return v
    return int(v)
