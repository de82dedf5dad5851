"""cffi builder for jit._native (API mode, out of line).

Every ``native/*.c`` file is compiled into the one extension module; every ``native/*.h``
is included by the module's prelude; every ``native/*.cdef`` file contributes declarations
(functions, structs, ``extern "Python"`` callbacks) to the interface Python sees. Each concern
owns its own .c/.h/.cdef trio, so adding a native part is adding files, not editing shared ones.
"""
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent

ffibuilder = FFI()
ffibuilder.cdef("\n".join(p.read_text() for p in sorted(HERE.glob("*.cdef"))))
ffibuilder.set_source(
    "jit._native",
    "".join(f'#include "{p.name}"\n' for p in sorted(HERE.glob("*.h"))),
    sources=[str(p.relative_to(HERE.parent)) for p in sorted(HERE.glob("*.c"))],
    include_dirs=[str(HERE)],
    extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wno-unused-function", "-fno-strict-aliasing"],
    libraries=["rt"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
