"""cffi builder for jit._native (API mode, out of line).

Every ``native/*.c`` file is compiled into the one extension module; every ``native/*.h``
is included by the module's prelude; every ``native/*.cdef`` file contributes declarations
(functions, structs, ``extern "Python"`` callbacks) to the interface Python sees. Each concern
owns its own .c/.h/.cdef trio, so adding a native part is adding files, not editing shared ones.

Normally built by ``pip install -e .``. ``python native/build_native.py`` rebuilds in place for
development: it writes ``jit/_native.abi3.so`` (the name pip uses) atomically, so it replaces the
installed build instead of shadowing it with a second, stale file.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent


def make_builder(absolute_paths: bool = False) -> FFI:
    builder = FFI()
    builder.cdef("\n".join(p.read_text() for p in sorted(HERE.glob("*.cdef"))))
    sources = sorted(HERE.glob("*.c"))
    builder.set_source(
        "jit._native",
        "".join(f'#include "{p.name}"\n' for p in sorted(HERE.glob("*.h"))),
        sources=[str(p if absolute_paths else p.relative_to(HERE.parent)) for p in sources],
        include_dirs=[str(HERE)],
        extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wno-unused-function", "-fno-strict-aliasing"],
        libraries=["rt"],
    )
    return builder


ffibuilder = make_builder()

if __name__ == "__main__":
    dest = HERE.parent / "jit" / "_native.abi3.so"
    with tempfile.TemporaryDirectory() as tmp:
        built = make_builder(absolute_paths=True).compile(tmpdir=tmp, verbose="-v" in sys.argv)
        staged = dest.with_name(dest.name + ".tmp")
        shutil.copy2(built, staged)
        os.replace(staged, dest)
    stale = [p for p in dest.parent.glob("_native*.so") if p != dest]
    if stale:
        print("warning: these builds shadow or duplicate it:", *map(str, stale), file=sys.stderr)
    print(dest)
