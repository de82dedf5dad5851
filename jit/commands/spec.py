"""``wxjit spec PATH...``: run spec-test JSON files (a directory = every *.json under it).

Each file runs in its own child process (a crash is reported, not fatal). Prints pass/fail/skip per
file, per command type and in total (``--json`` for machine-readable output); exit status 1 when
anything failed. Shows a rich progress bar on a terminal, nothing extra otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP = "run spec-test JSON files and report pass/fail per command type, per file and in total"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="spec JSON files or directories")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="files run in parallel (default 1)")
    parser.add_argument("--failures", type=int, default=5, metavar="N",
                        help="failures shown per file (default 5)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per file")


def _not_a_spec_file(path: Any) -> str | None:
    """Why ``path`` is not a spec-test JSON file (one line), or None."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except IsADirectoryError:
        return "is a directory"
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    except UnicodeDecodeError:
        return "not JSON: not UTF-8 text"
    except ValueError as exc:
        return f"not JSON: {exc}"
    if not isinstance(data, dict) or not isinstance(data.get("commands"), list):
        return "not a spec test (JSON from wast2json with a \"commands\" list)"
    return None


def _progress(total: int) -> Any:
    if not sys.stdout.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True)


def main(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from ..specrunner import COMMAND_TYPES, Counts, expand, run_isolated
    from .common import FAILED, report

    files = expand(args.paths)
    if not files:
        return report("spec", " ".join(args.paths), "no spec JSON files found", FAILED)
    for path in files:
        reason = _not_a_spec_file(path)
        if reason:
            return report("spec", path, reason, FAILED)
    results = []
    progress = None if args.json else _progress(len(files))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_isolated, f, args.timeout) for f in files]
        if progress is not None:
            with progress:
                task = progress.add_task("spec", total=len(files))
                for fut, path in zip(futures, files, strict=True):
                    progress.update(task, description=path.stem)
                    results.append(fut.result())
                    progress.advance(task)
        else:
            results = [fut.result() for fut in futures]

    totals: dict[str, Counts] = {t: Counts() for t in COMMAND_TYPES}
    for r in results:
        for t, c in r.counts.items():
            tot = totals.setdefault(t, Counts())
            tot.passed += c.passed
            tot.failed += c.failed
            tot.skipped += c.skipped
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)

    if args.json:
        print(json.dumps({
            "files": [r.to_json() for r in results],
            "by_type": {t: vars(c) for t, c in totals.items()},
            "total": {"passed": passed, "failed": failed, "skipped": skipped,
                      "files": len(results), "files_failed": sum(1 for r in results if r.failed)},
        }, indent=2))
        return 1 if failed else 0

    width = max(len(r.file) for r in results)
    for r in results:
        status = "ok  " if not r.failed else "FAIL"
        print(f"{status} {r.file:<{width}}  passed {r.passed:6}  failed {r.failed:6}  skipped {r.skipped:5}")
        if r.crash:
            print(f"     crash: {r.crash}")
        for f in r.failures[:args.failures]:
            print(f"     line {f['line']}: {f['type']}: {f['message']}")
    print()
    print(f"{'command type':<24} {'passed':>8} {'failed':>8} {'skipped':>8}")
    for t, c in totals.items():
        if c.passed or c.failed or c.skipped:
            print(f"{t:<24} {c.passed:8} {c.failed:8} {c.skipped:8}")
    files_failed = sum(1 for r in results if r.failed)
    print(f"{'total':<24} {passed:8} {failed:8} {skipped:8}   "
          f"({len(results)} files, {files_failed} with failures)")
    return 1 if failed else 0
