"""The package as a user meets it: the console script, the bench command, the native extension."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from jit.cli import main

KEYS = {"strategy", "pages", "median_ns", "min_ns", "max_ns", "faults_per_iter", "status", "reason"}


def test_console_script_is_installed() -> None:
    exe = shutil.which("wxjit")
    if exe is None:
        pytest.skip("the wxjit console script is not on PATH (package not pip-installed)")
    proc = subprocess.run([exe, "bench", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "loader" in proc.stdout


def run_loader_json(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    rc = main(["bench", "loader", "--json", "--pages", "1,2", "--reps", "1", "--rep-ms", "1",
               "--strategies", "naive,memfd,hugetlb,rwx", *extra])
    out = capsys.readouterr().out
    assert rc == 0
    return json.loads(out)


@pytest.mark.parametrize("mode", [[], ["--python"]], ids=["native", "python"])
def test_bench_loader_json_records(capsys: pytest.CaptureFixture[str], mode: list[str]) -> None:
    records = run_loader_json(capsys, *mode)
    assert [(r["strategy"], r["pages"]) for r in records] == [
        (s, p) for s in ("naive", "memfd", "hugetlb", "rwx") for p in (1, 2)
    ]
    for r in records:
        assert set(r) == KEYS
        assert r["status"] in ("ok", "skipped")
        if r["status"] == "ok":
            assert 0 < r["min_ns"] <= r["median_ns"] <= r["max_ns"] and r["reason"] == ""
        else:
            assert r["reason"] and r["median_ns"] is None
    by = {(r["strategy"], r["pages"]): r for r in records}
    assert by["naive", 2]["faults_per_iter"] == pytest.approx(2, abs=0.5)  # a fresh mapping per load
    assert by["memfd", 2]["faults_per_iter"] < 0.1
    if by["hugetlb", 1]["status"] == "skipped":
        assert "vm.nr_hugepages" in by["hugetlb", 1]["reason"]


def test_bench_loader_table_and_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "loader", "--pages", "1", "--reps", "1", "--rep-ms", "1",
                 "--strategies", "memfd,rwx"]) == 0
    out = capsys.readouterr().out
    assert "memfd" in out and "× rwx" in out and "UNSAFE" in out
    assert main(["bench", "loader", "--strategies", "nope"]) == 2
    assert "unknown strategy nope" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bench", "loader", "--pages", "0"])


def test_bench_loader_plot_needs_matplotlib_or_writes_png(tmp_path, capsys) -> None:
    target = tmp_path / "loader.png"
    rc = main(["bench", "loader", "--pages", "1", "--reps", "1", "--rep-ms", "1",
               "--strategies", "memfd,rwx", "--plot", str(target)])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert rc == 1 and "pip install" in capsys.readouterr().err
    else:
        assert rc == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_extension_says_how_to_build() -> None:
    code = ("import sys; sys.modules['jit._native'] = None\n"
            "try:\n    import jit.native\nexcept ImportError as e:\n    print(type(e).__name__, e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "NativeExtensionMissing" in proc.stdout and "pip install -e ." in proc.stdout
