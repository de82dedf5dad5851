"""WASI end to end: Wasm modules (hand-written, and a wasi-libc C program built with clang 14) run
through ``jit.wasi.run_command``: exit codes, captured stdio, args/env, files in a preopen, and the
sandbox as wasi-libc sees it."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest

import jit
from jit.wasi import SIGNATURES, Wasi, WasiConfig, WasiExit, run_command

WAT2WASM = shutil.which("wat2wasm")
needs_wat2wasm = pytest.mark.skipif(WAT2WASM is None, reason="wat2wasm (wabt) is not installed")

HELLO_WAT = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasm\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 7))
    unreachable))
"""


def wat(text: str, tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    src = tmp_path / "m.wat"
    src.write_text(text)
    subprocess.run([WAT2WASM, str(src), "-o", str(tmp_path / "m.wasm")], check=True)
    return (tmp_path / "m.wasm").read_bytes()


@needs_wat2wasm
def test_proc_exit_code_and_captured_stdout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    assert run_command(wat(HELLO_WAT, tmp_path), stdout=out) == 7
    assert out.getvalue() == b"hello from wasm\n"


@needs_wat2wasm
def test_proc_exit_propagates_unchanged_through_the_wasm_call(tmp_path) -> None:  # type: ignore[no-untyped-def]
    module = jit.Module(wat(HELLO_WAT, tmp_path))
    out = io.BytesIO()
    wasi = Wasi(WasiConfig(stdout=out))
    instance = jit.Instance(module, wasi.imports())
    wasi.bind(instance)
    with pytest.raises(WasiExit) as info:
        instance.exports["_start"]()
    assert info.value.code == 7
    assert out.getvalue() == b"hello from wasm\n"    # proc_exit flushes buffered output


@needs_wat2wasm
def test_a_module_importing_every_preview1_function_links(tmp_path) -> None:  # type: ignore[no-untyped-def]
    imports = "\n".join(
        f'  (import "wasi_snapshot_preview1" "{name}" (func (param {" ".join(p)}) (result {" ".join(r)})))'
        .replace("(param )", "").replace("(result )", "")
        for name, (p, r) in SIGNATURES.items())
    text = f"(module\n{imports}\n  (memory (export \"memory\") 1)\n  (func (export \"_start\")))"
    assert run_command(wat(text, tmp_path)) == 0


@needs_wat2wasm
def test_a_module_without_start_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(jit.Error, match="_start"):
        run_command(wat("(module (memory (export \"memory\") 1))", tmp_path))


def test_bad_module_argument() -> None:
    with pytest.raises(jit.Error):
        run_command(12)   # type: ignore[arg-type]
    with pytest.raises(jit.Error, match="cannot read"):
        run_command("/nonexistent/x.wasm")


IO_PROGRAM = r"""#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    printf("argc=%d", argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\nGREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
    char line[128];
    if (fgets(line, sizeof line, stdin)) printf("stdin: %s", line);
    FILE *f = fopen("/data/out.txt", "w");
    if (!f) { perror("fopen w"); return 1; }
    for (int i = 0; i < 1000; i++) fprintf(f, "line %d\n", i);
    fclose(f);
    struct stat st;
    if (stat("/data/out.txt", &st) != 0) { perror("stat"); return 1; }
    printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    f = fopen("/data/out.txt", "r");
    long sum = 0; int n = 0;
    while (fgets(line, sizeof line, f)) { sum += atoi(line + 5); n++; }
    fseek(f, 0, SEEK_END);
    printf("lines %d sum %ld tell %ld\n", n, sum, ftell(f));
    fclose(f);
    if (mkdir("/data/newdir", 0755) != 0) { perror("mkdir"); return 1; }
    if (rename("/data/out.txt", "/data/newdir/moved.txt") != 0) { perror("rename"); return 1; }
    DIR *d = opendir("/data");
    char *names[64]; int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && k < 64) names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, k, sizeof *names, cmp);
    printf("dir:");
    for (int i = 0; i < k; i++) printf(" %s", names[i]);
    printf("\n");
    errno = 0;
    int fd = open("/data/../secret.txt", O_RDONLY);
    printf("escape: fd %d errno %s\n", fd, errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno));
    errno = 0;
    fd = open("/etc/passwd", O_RDONLY);
    printf("absolute: fd %d errno %s\n", fd, errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno));
    if (unlink("/data/newdir/moved.txt") != 0 || rmdir("/data/newdir") != 0) { perror("cleanup"); return 1; }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("clock ok %d\n", ts.tv_sec > 0 || ts.tv_nsec > 0);
    fprintf(stderr, "to stderr\n");
    return 42;
}
"""


@pytest.fixture(scope="module")
def io_wasm(tmp_path_factory):  # type: ignore[no-untyped-def]
    from jit.benchmarks.programs_build import BuildUnavailable, find_clang

    try:
        clang = find_clang()
    except BuildUnavailable as exc:
        pytest.skip(str(exc))
    d = tmp_path_factory.mktemp("io")
    (d / "io.c").write_text(IO_PROGRAM)
    subprocess.run([clang, "--target=wasm32-wasi", "--sysroot=/usr", "-O2", str(d / "io.c"), "-o",
                    str(d / "io.wasm")], check=True)
    return (d / "io.wasm").read_bytes()


def test_wasi_libc_program_with_files_args_env_stdin(io_wasm, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "root"
    root.mkdir()
    (root / "keep.txt").write_text("keep")
    (tmp_path / "secret.txt").write_text("secret")
    out, err = io.BytesIO(), io.BytesIO()
    rc = run_command(io_wasm, args=["io", "a b", "c"], env={"GREETING": "hi"}, dirs=[(str(root), "/data")],
                     stdin=io.BytesIO(b"first line\nsecond\n"), stdout=out, stderr=err)
    assert rc == 42
    assert out.getvalue().decode() == (
        "argc=3 [a b] [c]\n"
        "GREETING=hi\n"
        "stdin: first line\n"
        "size 8890 regular 1\n"
        "lines 1000 sum 499500 tell 8890\n"
        "dir: . .. keep.txt newdir\n"
        "escape: fd -1 errno ENOTCAPABLE\n"
        "absolute: fd -1 errno ENOTCAPABLE\n"
        "clock ok 1\n")
    assert err.getvalue() == b"to stderr\n"
    assert sorted(p.name for p in root.iterdir()) == ["keep.txt"]
