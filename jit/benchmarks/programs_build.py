"""Build the benchmark programs in ``bench/programs/*.c``: wasm32-wasi with clang 14 (plain, and with
``-msimd128``), native with gcc.

``build_all()`` compiles every program (or those named) into ``bench/programs/build/`` and runs the
native build once to record the expected output (``<name>.out``); results are cached, keyed by a
hash of the source and the flags, so a second call costs only a few ``stat``\\ s. When clang 14 or
the wasi-libc sysroot is missing it raises ``BuildUnavailable`` saying what to install (tests
skip on it). The same source gives both builds; its stdout under any engine must equal the native one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Error

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO / "bench" / "programs"
BUILD_DIR = SOURCE_DIR / "build"
SYSROOT = "/usr"
WASM_FLAGS = ["--target=wasm32-wasi", f"--sysroot={SYSROOT}", "-O2", "-Wl,--strip-debug"]
NATIVE_FLAGS = ["-O2"]
LIBS = ["-lm"]
# programs that need more than wasm-ld's default 64 KiB shadow stack (deep recursion)
STACK_SIZE = {"binarytrees": 1 << 20, "quicksort": 1 << 20}
INSTALL_HINT = "apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32"


class BuildUnavailable(Error):
    """The toolchain for the benchmark programs is missing (the message says what to install)."""


@dataclass(frozen=True)
class Program:
    """One built program: its source, Wasm module, native binary and the expected stdout; ``simd_wasm``
    is the same program built with ``-msimd128`` (clang's auto-vectorizer emits v128 code)."""

    name: str
    source: Path
    wasm: Path
    native: Path
    expected: Path
    simd_wasm: Path

    @property
    def wasm_bytes(self) -> int:
        return self.wasm.stat().st_size

    def expected_output(self) -> bytes:
        return self.expected.read_bytes()


def find_clang() -> str:
    """The clang 14 binary able to build wasm32-wasi programs, or raise ``BuildUnavailable``."""
    clang = shutil.which("clang-14") or shutil.which("clang")
    if clang is None:
        raise BuildUnavailable(f"clang-14 is not installed ({INSTALL_HINT})")
    if not Path(SYSROOT, "lib", "wasm32-wasi", "libc.a").exists():
        raise BuildUnavailable(f"the wasi-libc sysroot is missing ({INSTALL_HINT})")
    return clang


def find_gcc() -> str:
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        raise BuildUnavailable("gcc is not installed (apt-get install gcc)")
    return gcc


def sources(names: Iterable[str] | None = None, source_dir: Path = SOURCE_DIR) -> list[Path]:
    """The program sources, sorted; ``names`` selects some (unknown names raise ``jit.Error``)."""
    found = {p.stem: p for p in sorted(source_dir.glob("*.c"))}
    if names is None:
        return list(found.values())
    missing = [n for n in names if n not in found]
    if missing:
        raise Error(f"no benchmark program named {', '.join(missing)} in {source_dir}")
    return [found[n] for n in names]


def _wasm_command(clang: str, src: Path, out: Path, simd: bool = False) -> list[str]:
    stack = STACK_SIZE.get(src.stem)
    extra = [f"-Wl,-z,stack-size={stack}"] if stack else []
    if simd:
        extra.append("-msimd128")
    return [clang, *WASM_FLAGS, *extra, str(src), "-o", str(out), *LIBS]


def _run(cmd: list[str], what: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise Error(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                    f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return proc


def build_one(src: Path, build_dir: Path = BUILD_DIR, force: bool = False) -> Program:
    """Build one program (cached) and record its expected output from the native run."""
    clang, gcc = find_clang(), find_gcc()
    build_dir.mkdir(parents=True, exist_ok=True)
    name = src.stem
    prog = Program(name, src, build_dir / f"{name}.wasm", build_dir / name, build_dir / f"{name}.out",
                   build_dir / f"{name}.simd.wasm")
    wasm_cmd = _wasm_command(clang, src, prog.wasm)
    simd_cmd = _wasm_command(clang, src, prog.simd_wasm, simd=True)
    native_cmd = [gcc, *NATIVE_FLAGS, str(src), "-o", str(prog.native), *LIBS]
    key = hashlib.sha256(src.read_bytes() + repr((wasm_cmd, simd_cmd, native_cmd)).encode()).hexdigest()
    stamp = build_dir / f"{name}.stamp"
    outputs = (prog.wasm, prog.simd_wasm, prog.native, prog.expected)
    if not force and stamp.exists() and stamp.read_text() == key and all(p.exists() for p in outputs):
        return prog
    stamp.unlink(missing_ok=True)
    _run(wasm_cmd, f"building {name}.wasm")
    _run(simd_cmd, f"building {name}.simd.wasm")
    _run(native_cmd, f"building native {name}")
    expected = _run([str(prog.native)], f"running native {name}").stdout
    prog.expected.write_bytes(expected)
    stamp.write_text(key)
    return prog


def build_all(names: Iterable[str] | None = None, build_dir: Path = BUILD_DIR, force: bool = False,
              source_dir: Path = SOURCE_DIR) -> list[Program]:
    """Build every program under ``source_dir`` (or the ``names`` given); see the module docstring."""
    find_clang()
    return [build_one(src, build_dir, force) for src in sources(names, source_dir)]


def main(argv: list[str] | None = None) -> int:
    """``python bench/programs/build.py [NAME...] [--force]``: build and list the programs."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="programs to build (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = parser.parse_args(argv)
    try:
        progs = build_all(args.names or None, force=args.force)
    except Error as exc:
        print(f"build: {exc}")
        return 2
    for p in progs:
        print(f"{p.name:14} {p.wasm_bytes:8} bytes  {os.path.relpath(p.wasm)}")
    return 0
