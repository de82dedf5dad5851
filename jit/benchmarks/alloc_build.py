"""Build the allocation benchmark (``bench/alloc/alloc.c``) and ``-O0`` builds of benchmark programs.

Targets, all wasm32-wasi with clang 14 (``jit.benchmarks.programs_build.find_clang``):

* ``alloc-dlmalloc``: ``alloc.c`` at ``-O2`` with wasi-libc's ``malloc`` (dlmalloc);
* ``alloc-mimalloc``: the same program with mimalloc (``-DUSE_MIMALLOC``; mimalloc's ``src/static.c`` at
  ``-O2``), an allocator that reads the clock on its hot path (``clock_gettime`` -> ``clock_time_get``);
* ``*-O0``: the same at ``-O0`` (mimalloc stays at ``-O2``, as a library would ship), and
  ``O0_PROGRAMS`` from ``bench/programs`` at ``-O0`` (what debug builds emit: every local in memory).

mimalloc is built from its sources at ``MIMALLOC_VERSION`` (commit ``MIMALLOC_COMMIT``): a directory
named by ``$WXJIT_MIMALLOC_SRC``, else one extracted (``git archive``) from a git repository of
mimalloc holding that commit (``$WXJIT_MIMALLOC_GIT``, or ``MIMALLOC_MIRROR``). Without clang or
without the sources, ``BuildUnavailable`` says what is missing. Results go to ``bench/alloc/build/``,
cached by a hash of the sources and the commands; each target's expected output is recorded from
its native (gcc) build with the system malloc, since the program prints only a checksum of contents.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .programs_build import (
    LIBS,
    SOURCE_DIR,
    STACK_SIZE,
    SYSROOT,
    BuildUnavailable,
    find_clang,
    find_gcc,
)
from .programs_build import _run as run_command

REPO = Path(__file__).resolve().parents[2]
ALLOC_DIR = REPO / "bench" / "alloc"
BUILD_DIR = ALLOC_DIR / "build"
ALLOC_SOURCE = ALLOC_DIR / "alloc.c"
MIMALLOC_VERSION = "v2.4.1"
MIMALLOC_COMMIT = "30ac9d56b8b9ea57ae84bc8ef17ef39000da08fe"
MIMALLOC_MIRROR = Path("/work/.mirror/microsoft+mimalloc/repo")
"""Where the session's ``fetch github:microsoft/mimalloc`` puts the repository (a bare git directory)."""
MIMALLOC_FLAGS = ["-DUSE_MIMALLOC", "-DMI_DEBUG=0", "-DNDEBUG", "-D_WASI_EMULATED_PROCESS_CLOCKS"]
MIMALLOC_LIBS = ["-lwasi-emulated-process-clocks"]     # mimalloc's low-resolution clock() fallback
O0_PROGRAMS = ("binarytrees", "quicksort", "wordfreq", "sha256")
"""Programs of bench/programs also built at -O0 (allocation-, call- and integer-heavy ones)."""
WASM_BASE = ["--target=wasm32-wasi", f"--sysroot={SYSROOT}", "-Wl,--strip-debug"]


@dataclass(frozen=True)
class Target:
    """One built benchmark module and the stdout it must print."""

    name: str
    wasm: Path
    expected: Path
    allocator: str          # "dlmalloc" or "mimalloc"
    opt: str                # "-O2" or "-O0"

    def expected_output(self) -> bytes:
        return self.expected.read_bytes()


def mimalloc_sources(build_dir: Path = BUILD_DIR) -> Path:
    """The mimalloc source directory (``src/static.c``, ``include/mimalloc.h``); see the module docstring."""
    given = os.environ.get("WXJIT_MIMALLOC_SRC")
    if given:
        src = Path(given)
        if not (src / "src" / "static.c").exists():
            raise BuildUnavailable(f"$WXJIT_MIMALLOC_SRC={given} holds no mimalloc sources (src/static.c)")
        return src
    dest = build_dir / f"mimalloc-{MIMALLOC_VERSION}"
    if (dest / "src" / "static.c").exists() and (dest / "include" / "mimalloc.h").exists():
        return dest
    repo = Path(os.environ.get("WXJIT_MIMALLOC_GIT", MIMALLOC_MIRROR))
    git = shutil.which("git")
    if git is None or not repo.exists():
        raise BuildUnavailable(
            f"mimalloc {MIMALLOC_VERSION} sources are missing: set $WXJIT_MIMALLOC_SRC to a source directory "
            f"or $WXJIT_MIMALLOC_GIT to a clone of https://github.com/microsoft/mimalloc")
    probe = subprocess.run([git, "-C", str(repo), "cat-file", "-e", f"{MIMALLOC_COMMIT}^{{commit}}"],
                           capture_output=True)
    if probe.returncode != 0:
        raise BuildUnavailable(f"{repo} does not hold mimalloc {MIMALLOC_VERSION} ({MIMALLOC_COMMIT})")
    tmp = build_dir / f"mimalloc-{MIMALLOC_VERSION}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    archive = subprocess.run([git, "-C", str(repo), "archive", MIMALLOC_COMMIT, "src", "include", "LICENSE"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _key(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.read_bytes() if isinstance(p, Path) else repr(p).encode())
    return h.hexdigest()


def _cached(target: Target, key: str) -> bool:
    stamp = target.wasm.with_suffix(".stamp")
    return stamp.exists() and stamp.read_text() == key and target.wasm.exists() and target.expected.exists()


def _done(target: Target, key: str) -> None:
    target.wasm.with_suffix(".stamp").write_text(key)


def _native_expected(gcc: str, src: Path, out: Path, build_dir: Path) -> None:
    exe = build_dir / f"{src.stem}.native"
    run_command([gcc, "-O2", str(src), "-o", str(exe), *LIBS], f"building native {src.stem}")
    out.write_bytes(run_command([str(exe)], f"running native {src.stem}").stdout)


def build_alloc(allocator: str, opt: str, build_dir: Path = BUILD_DIR, force: bool = False) -> Target:
    """``alloc.c`` with ``allocator`` ("dlmalloc" or "mimalloc") at ``opt`` (cached)."""
    clang, gcc = find_clang(), find_gcc()
    build_dir.mkdir(parents=True, exist_ok=True)
    suffix = "" if opt == "-O2" else opt
    name = f"alloc-{allocator}{suffix}"
    target = Target(name, build_dir / f"{name}.wasm", build_dir / "alloc.out", allocator, opt)
    if allocator == "mimalloc":
        mi = mimalloc_sources(build_dir)
        lib_obj = build_dir / f"mimalloc-{MIMALLOC_VERSION}.o"
        lib_cmd = [clang, *WASM_BASE, "-O2", "-c", f"-I{mi / 'include'}", *MIMALLOC_FLAGS,
                   str(mi / "src" / "static.c"), "-o", str(lib_obj), "-w"]
        cmd = [clang, *WASM_BASE, opt, f"-I{mi / 'include'}", *MIMALLOC_FLAGS, str(ALLOC_SOURCE),
               str(lib_obj), "-o", str(target.wasm), *MIMALLOC_LIBS]
        key = _key(ALLOC_SOURCE, mi / "src" / "static.c", mi / "include" / "mimalloc.h", lib_cmd, cmd)
    elif allocator == "dlmalloc":
        lib_cmd = []
        cmd = [clang, *WASM_BASE, opt, str(ALLOC_SOURCE), "-o", str(target.wasm)]
        key = _key(ALLOC_SOURCE, cmd)
    else:
        raise BuildUnavailable(f"unknown allocator {allocator!r} (dlmalloc or mimalloc)")
    if not force and _cached(target, key):
        return target
    if lib_cmd:
        lib_stamp = build_dir / f"mimalloc-{MIMALLOC_VERSION}.stamp"
        lib_key = _key(lib_cmd, *sorted((mi / "src").rglob("*.[ch]")), *sorted((mi / "include").glob("*.h")))
        lib_obj = Path(lib_cmd[lib_cmd.index("-o") + 1])
        if force or not lib_obj.exists() or not lib_stamp.exists() or lib_stamp.read_text() != lib_key:
            run_command(lib_cmd, f"building mimalloc {MIMALLOC_VERSION}")
            lib_stamp.write_text(lib_key)
    run_command(cmd, f"building {name}.wasm")
    _native_expected(gcc, ALLOC_SOURCE, target.expected, build_dir)
    _done(target, key)
    return target


def build_program_o0(name: str, build_dir: Path = BUILD_DIR, force: bool = False) -> Target:
    """``bench/programs/<name>.c`` at ``-O0`` (cached); expected output from its native build."""
    clang, gcc = find_clang(), find_gcc()
    build_dir.mkdir(parents=True, exist_ok=True)
    src = SOURCE_DIR / f"{name}.c"
    if not src.exists():
        raise BuildUnavailable(f"no benchmark program {name!r} in {SOURCE_DIR}")
    stack = STACK_SIZE.get(name)
    extra = [f"-Wl,-z,stack-size={stack}"] if stack else []
    target = Target(f"{name}-O0", build_dir / f"{name}-O0.wasm", build_dir / f"{name}.out", "dlmalloc", "-O0")
    cmd = [clang, *WASM_BASE, "-O0", *extra, str(src), "-o", str(target.wasm), *LIBS]
    key = _key(src, cmd)
    if not force and _cached(target, key):
        return target
    run_command(cmd, f"building {target.name}.wasm")
    _native_expected(gcc, src, target.expected, build_dir)
    _done(target, key)
    return target


def build_all(names: list[str] | None = None, force: bool = False) -> list[Target]:
    """Every target (or those named): the four alloc builds, then the -O0 programs."""
    find_clang()
    makers = {f"alloc-{a}{'' if o == '-O2' else o}": (lambda a=a, o=o: build_alloc(a, o, force=force))
              for o in ("-O2", "-O0") for a in ("dlmalloc", "mimalloc")}
    makers.update({f"{p}-O0": (lambda p=p: build_program_o0(p, force=force)) for p in O0_PROGRAMS})
    if names:
        unknown = [n for n in names if n not in makers]
        if unknown:
            raise BuildUnavailable(f"unknown targets {', '.join(unknown)} (known: {', '.join(makers)})")
        makers = {n: makers[n] for n in names}
    return [make() for make in makers.values()]
