"""``wxjit fuzz``: differential fuzzing of the compiler against wasmtime (see ``jit.fuzz``)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "differential fuzzing against wasmtime: random valid modules, every result/trap/state compared"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="base seed of the campaign (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--modules", type=int, default=None, help="stop after this many modules")
    parser.add_argument("--out", default="fuzz-failures", help="where mismatching modules are saved")
    parser.add_argument("--no-minimize", action="store_true", help="save findings without minimizing them")
    parser.add_argument("--skip", default="", help="comma-separated seeds not to run (known findings)")
    parser.add_argument("--replay", nargs="+", metavar="WASM",
                        help="re-run saved findings instead of fuzzing")
    parser.add_argument("--source", choices=("gen", "smith"), default="gen",
                        help="modules from the project's generator (gen, default) or from wasm-tools smith "
                             "with the Wasm 3.0 proposals wxjit implements")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def main(args: argparse.Namespace) -> int:
    from .common import USAGE, report

    try:
        import wasmtime  # noqa: F401
    except ImportError:
        return report("fuzz", None, "needs the wasmtime package (pip install wasmtime)", USAGE)
    if args.replay is not None:
        return _replay([Path(p) for p in args.replay], args.json)
    from ..fuzz.campaign import run_campaign

    skip = {int(s) for s in args.skip.split(",") if s.strip()}
    out = Path(args.out)
    progress = _Progress(args.seconds, quiet=args.json or not sys.stderr.isatty())
    with progress:
        stats = run_campaign(args.seconds, args.seed, args.jobs, out, minimize=not args.no_minimize,
                             max_modules=args.modules, skip=skip, on_result=progress.update,
                             source=args.source)
    summary = stats.to_json()
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(f"modules {stats.modules}  calls {stats.calls}  traps {stats.traps}  hung {stats.hung}  "
              f"crashes {stats.crashes}  mismatches {len(stats.mismatches)}  "
              f"relaxed-either {stats.either}  gc-limited {stats.limited}  ({stats.seconds:.0f} s)")
        for m in stats.mismatches:
            print(f"  seed {m['seed']}: {m['what']} in {m.get('func')} "
                  f"wxjit {m.get('wxjit')} vs wasmtime {m.get('wasmtime')}")
        if stats.mismatches:
            print(f"saved to {out}/")
    return 1 if stats.mismatches else 0


def _finding_problem(path: Path) -> str | None:
    """Why ``path`` cannot be replayed (one line), or None. Checked with wxjit's own decoder before
    wasmtime sees the module. A finding is a module exporting the generator's ``budget`` global, or
    one with its ``.json`` metadata beside it (smith findings)."""
    from ..errors import CompileError
    from ..wasm import validate
    from .common import UserError, read_file
    from .validate import describe_error

    try:
        data = read_file(path)
        module = validate(data)
    except UserError as exc:
        return exc.reason
    except CompileError as exc:
        return f"not a valid Wasm module: {describe_error(exc)}"
    meta = path.with_suffix(".json")
    if not meta.exists() and not any(e.kind == "global" and e.name == "budget" for e in module.exports):
        return "not a fuzz finding: it exports no 'budget' global (see `wxjit fuzz --out`)"
    if meta.exists():
        try:
            calls = json.loads(meta.read_text())["calls"]
            if not isinstance(calls, list):
                raise TypeError("calls")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"bad finding metadata {meta}: {type(exc).__name__}: {exc}"
    return None


def _replay(paths: list[Path], as_json: bool) -> int:
    from ..fuzz.campaign import replay
    from .common import FAILED
    from .common import report as report_error

    failed = 0
    rows = []
    for p in paths:
        problem = _finding_problem(p)
        if problem is not None:
            report_error("fuzz", p, problem, FAILED)
            rows.append({"file": str(p), "error": problem})
            failed += 1
            continue
        try:
            report = replay(p)
        except (KeyError, ValueError, TypeError) as exc:      # a malformed call in the metadata
            report_error("fuzz", p, f"bad finding metadata: {type(exc).__name__}: {exc}", FAILED)
            rows.append({"file": str(p), "error": str(exc)})
            failed += 1
            continue
        rows.append({"file": str(p), "calls": report.calls,
                     "mismatches": [m.describe() for m in report.mismatches]})
        failed += bool(report.mismatches)
        if not as_json:
            status = "MISMATCH " + report.mismatches[0].describe() if report.mismatches else "ok"
            print(f"{p}: {report.calls} calls, {status}")
    if as_json:
        print(json.dumps(rows, indent=1))
    return 1 if failed else 0


class _Progress:
    """A rich progress bar on a terminal; silent otherwise."""

    def __init__(self, seconds: float, quiet: bool) -> None:
        self.quiet = quiet
        self.seconds = seconds
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if not self.quiet:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
            self._progress = Progress(TextColumn("fuzz"), BarColumn(), TimeElapsedColumn(),
                                      TextColumn("{task.fields[status]}"), transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task("fuzz", total=self.seconds, status="")
        return self

    def update(self, stats: Any, result: dict[str, Any]) -> None:
        if self._progress is None:
            return
        self._progress.update(self._task, completed=min(stats.seconds, self.seconds),
                              status=f"modules {stats.modules} calls {stats.calls} "
                                     f"mismatches {len(stats.mismatches)}")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
