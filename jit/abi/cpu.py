"""CPU features the compiler may rely on, read once from /proc/cpuinfo.

The set of features actually used is part of a compiled module's identity (the cache key), so code
compiled for one machine is never run on a machine that lacks an instruction it contains.
"""
from __future__ import annotations

from functools import lru_cache

# Features the compiler knows how to use; anything else is ignored.
KNOWN = ("ssse3", "sse4_1", "sse4_2", "popcnt", "abm", "bmi1", "avx", "fma")
# avx / fma: the VEX forms of the relaxed SIMD lowerings (docs/relaxed-simd.md).


@lru_cache(maxsize=1)
def host_features() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return frozenset(k for k in KNOWN if k in flags)
    except OSError:
        pass
    return frozenset()
