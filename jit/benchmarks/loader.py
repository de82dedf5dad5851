"""``wxjit bench loader``: the load cycle of every code memory strategy, after the memfd blog post.

Model: a module of N pages; one iteration = get a writable view, write a ``ret`` at the start of
each page, make the region executable, call the start of each page (and, for ``naive``, unmap).
By default the measured loop runs in C (``native/loaderbench.c``: a Python loop cannot time
40 ns); ``--python`` drives the same cycle through the ``jit.codemem`` API as a user pays it.
Repetitions are interleaved across strategies so that machine noise hits all of them alike.
Reports per strategy and size: median ns/iteration, min-max, minor faults per iteration, ratio
to ``naive`` and to ``rwx`` (the unsafe upper bound, named explicitly here as the yardstick).

``--module FILE.wasm`` measures a real compiled module instead: one iteration = load its code into the
strategy's region (one native call: copy + relocate + write the helper GOT), publish, link (build the
instance template for that code address, bind host imports: stubs returning zeros), instantiate and
call an export (``--export NAME``, default the first export without parameters), then finish the
load. Same table and JSON format; the pages column is the module's code size in 4 KiB pages.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass

HELP = "code memory strategies: ns per load (write, publish, run) for modules of N pages"

PAGE = 4096
DEFAULT_PAGES = (1, 4, 16, 64)
HUGEPAGES_SYSCTL = "/proc/sys/vm/nr_hugepages"


@dataclass
class LoaderResult:
    """One JSON record of ``--json``."""

    strategy: str
    pages: int
    median_ns: float | None
    min_ns: float | None
    max_ns: float | None
    faults_per_iter: float | None
    status: str  # "ok" | "skipped"
    reason: str


def _int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    from jit.codemem import DEFAULT_ROTATE_EVERY, names

    parser.add_argument("--pages", type=_int_list, default=list(DEFAULT_PAGES),
                        help="module sizes in 4 KiB pages (default 1,4,16,64)")
    parser.add_argument("--reps", type=_positive, default=7, help="repetitions per measurement (median)")
    parser.add_argument("--strategies", default=",".join(names()),
                        help="comma-separated strategies (default: all, including the unsafe rwx yardstick)")
    parser.add_argument("--python", action="store_true",
                        help="drive the cycle through the Python API instead of the native loop")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    parser.add_argument("--plot", metavar="FILE.png", help="draw grouped bars (log scale) with matplotlib")
    parser.add_argument("--rep-ms", type=float, default=20.0, help="target time per repetition (ms)")
    parser.add_argument("--rotate-every", type=int, default=DEFAULT_ROTATE_EVERY,
                        help="memfd: move the writable view every N loads (0 = never)")
    parser.add_argument("--module", metavar="FILE.wasm",
                        help="measure load + instantiate + call of this module instead of the synthetic one")
    parser.add_argument("--export", metavar="NAME",
                        help="with --module: the export to call (default: the first one without parameters)")
    parser.add_argument("--setup-hugepages", type=int, metavar="N",
                        help="as root: set vm.nr_hugepages to N first (says what it did; not undone)")


# -- measurement ------------------------------------------------------------------------------

class _Unavailable(Exception):
    pass


def _native_run(name: str, pages: int, iters: int, rotate_every: int) -> tuple[float, float]:
    """ns/iteration and faults/iteration of the native loop."""
    from jit.codemem import strategy_class
    from jit.native import ffi, lib

    res = ffi.new("wx_lb_result *")
    native = getattr(lib, strategy_class(name).native)
    if lib.wx_lb_run(native, pages, iters, min(iters, 64), rotate_every, res) != 0:
        reason = ffi.string(res.err).decode(errors="replace")
        raise _Unavailable(reason if res.unavailable else f"failed: {reason}")
    return res.ns / iters, res.minflt / iters


def _python_run(name: str, pages: int, iters: int, rotate_every: int) -> tuple[float, float]:
    """ns/iteration and faults/iteration of the cycle driven through jit.codemem."""
    import resource
    import time

    from jit.codemem import CodeMemoryError, create
    from jit.native import lib

    ret = b"\xc3"
    offsets = range(0, pages * PAGE, PAGE)
    try:
        mem = create(name, pages * PAGE, rotate_every=rotate_every, allow_unsafe=name == "rwx")
    except CodeMemoryError as exc:
        raise _Unavailable(getattr(exc, "reason", str(exc))) from None
    with mem:
        begin, write, publish, finish = mem.begin_write, mem.write, mem.publish, mem.finish
        call = lib.wx_cm_call0
        for _ in range(min(iters, 64)):  # warm-up
            begin()
            for off in offsets:
                write(off, ret)
            addr = publish()
            for off in offsets:
                call(addr + off)
            finish()
        f0 = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        t0 = time.perf_counter_ns()
        for _ in range(iters):
            begin()
            for off in offsets:
                write(off, ret)
            addr = publish()
            for off in offsets:
                call(addr + off)
            finish()
        ns = time.perf_counter_ns() - t0
        faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - f0
    return ns / iters, faults / iters


class _ModuleLoad:
    """The --module cycle: load + publish + link + instantiate + call on one code memory strategy."""

    def __init__(self, path: str, export: str | None) -> None:
        import jit
        from jit.errors import Error
        from jit.native import ffi

        self.module = module = jit.Module.from_file(path, lazy=False)   # module.compiled: all the code
        compiled = module.compiled
        self.code = ffi.from_buffer(compiled.code or b"\xcc")
        self.n_code = len(compiled.code or b"\xcc")
        flat = [v for r in compiled.relocations for v in r] or [0]
        self.relocs = ffi.new("uint64_t[]", flat)
        self.n_relocs = len(compiled.relocations)
        self.pages = max(1, -(-self.n_code // PAGE))
        funcs = [(name, t) for name, t in module.exports if isinstance(t, jit.wasm.FuncType)]
        if export is None:
            export = next((name for name, t in funcs if not t.params), None)
        elif export not in dict(funcs):
            raise Error(f"{path} exports no function {export!r}")
        self.export = export
        self.imports: dict[str, dict[str, object]] = {}
        for mod, name, t in module.imports:
            if not isinstance(t, jit.wasm.FuncType):
                raise Error(f"--module: import {mod}.{name} is not a function (only functions are stubbed)")
            zeros = tuple(0.0 if r in (jit.wasm.F32, jit.wasm.F64) else 0 for r in t.results)
            fn = (lambda z: (lambda *a: z[0] if len(z) == 1 else (z or None)))(zeros)
            self.imports.setdefault(mod, {})[name] = jit.Func(fn, t.params, t.results)

    def __call__(self, name: str, pages: int, iters: int, rotate_every: int) -> tuple[float, float]:
        import resource
        import time

        from jit.codemem import CodeMemoryError, create
        from jit.native import lib
        from jit.runtime.instance import Instance

        try:
            mem = create(name, pages * PAGE, rotate_every=rotate_every, allow_unsafe=name == "rwx")
        except CodeMemoryError as exc:
            raise _Unavailable(getattr(exc, "reason", str(exc))) from None
        module, imports, export = self.module, self.imports, self.export
        code, n_code, relocs, n_relocs = self.code, self.n_code, self.relocs, self.n_relocs
        load = lib.wx_load_code

        class At:
            __slots__ = ("address",)

        with mem:
            begin, publish, finish, m = mem.begin_write, mem.publish, mem.finish, mem._m
            f0 = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
            t0 = time.perf_counter_ns()
            for _ in range(iters):
                begin()
                if load(m, 0, code, n_code, relocs, n_relocs) != -1:
                    raise _Unavailable(f"failed: loading the module into {name}")
                at = At()
                at.address = publish()
                inst = Instance(module, imports, _code=at)
                if export is not None:
                    inst.exports[export]()
                del inst
                finish()
            ns = time.perf_counter_ns() - t0
            faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - f0
        return ns / iters, faults / iters


def _calibrate(run, name: str, pages: int, rotate_every: int, target_ns: float) -> int:
    """Iterations that take about target_ns."""
    iters = 8
    while True:
        per_iter, _ = run(name, pages, iters, rotate_every)
        elapsed = per_iter * iters
        if elapsed >= target_ns / 10 or iters >= 1 << 26:
            return max(1, min(int(target_ns / max(per_iter, 1.0)), 1 << 28))
        iters *= 8


def measure(strategies: list[str], pages_list: list[int], reps: int, *, python: bool = False,
            rotate_every: int, rep_ms: float = 20.0, show_progress: bool = False,
            run=None) -> list[LoaderResult]:
    """Run the benchmark; skipped strategies carry their reason. ``run``: the measured cycle
    (default: the synthetic one, native or through the Python API)."""
    from .report import progress, summarize

    if run is None:
        run = _python_run if python else _native_run
    target = rep_ms * 1e6
    combos = [(s, p) for s in strategies for p in pages_list]
    iters: dict[tuple[str, int], int] = {}
    skipped: dict[tuple[str, int], str] = {}
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {c: [] for c in combos}
    with progress(len(combos) * (reps + 1), "loader", show_progress) as advance:
        for combo in combos:  # calibration doubles as warm-up
            try:
                iters[combo] = _calibrate(run, *combo, rotate_every, target)
            except _Unavailable as exc:
                skipped[combo] = str(exc)
            advance(f"{combo[0]} {combo[1]}p")
        for _ in range(reps):  # interleaved repetitions
            for combo in combos:
                if combo not in skipped:
                    try:
                        samples[combo].append(run(*combo, iters[combo], rotate_every))
                    except _Unavailable as exc:
                        skipped[combo] = str(exc)
                advance(f"{combo[0]} {combo[1]}p")
    results = []
    for combo in combos:
        if combo in skipped:
            results.append(LoaderResult(*combo, None, None, None, None, "skipped", skipped[combo]))
            continue
        med, lo, hi = summarize([ns for ns, _ in samples[combo]])
        faults = summarize([f for _, f in samples[combo]])[0]
        results.append(
            LoaderResult(*combo, round(med, 1), round(lo, 1), round(hi, 1), round(faults, 4), "ok", "")
        )
    return results


# -- output -----------------------------------------------------------------------------------

def _ns(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _ratio(v: float | None, base: float | None) -> str:
    if v is None or not base:
        return "-"
    r = v / base
    return f"{r:.3f}" if r < 10 else f"{r:,.1f}"


def _print_table(results: list[LoaderResult], python: bool, rotate_every: int, reps: int,
                 module: str | None = None) -> None:
    from .report import print_table

    base = {(r.strategy, r.pages): r.median_ns for r in results if r.status == "ok"}
    rows = []
    reasons: dict[str, str] = {}
    for r in results:
        wx = wx_text(r.strategy)
        if r.status != "ok":
            reasons.setdefault(r.strategy, r.reason)
            rows.append([r.strategy, str(r.pages), "skipped", "", "", "", "", wx])
            continue
        rows.append([
            r.strategy, str(r.pages), _ns(r.median_ns), f"{_ns(r.min_ns)}–{_ns(r.max_ns)}",
            f"{r.faults_per_iter:.3f}", _ratio(r.median_ns, base.get(("naive", r.pages))),
            _ratio(r.median_ns, base.get(("rwx", r.pages))), wx,
        ])
    mode = "Python API (jit.codemem)" if python else "native loop (native/loaderbench.c)"
    if module:
        mode = f"{module}: load + relocate + link + instantiate + call"
    columns = [("strategy", "left"), ("pages", "right"), ("median ns/iter", "right"), ("min–max", "right"),
               ("faults/iter", "right"), ("× naive", "right"), ("× rwx", "right"), ("W^X", "left")]
    notes = [
        f"{reps} interleaved repetitions; memfd rotates its writable view every {rotate_every} loads; "
        f"Linux {platform.release()}, Python {platform.python_version()}.",
        "rwx is the UNSAFE upper bound (writable and executable at once): a yardstick, never a default.",
        *(f"skipped {name}: {reason}" for name, reason in reasons.items()),
    ]
    print_table(f"wxjit bench loader — {mode}", columns, rows, notes)


def wx_text(strategy: str) -> str:
    """The W^X column: whether any address is ever writable and executable at once."""
    from jit.codemem import strategy_class

    if strategy == "rwx":
        return "NO: W+X at once (UNSAFE)"
    detail = strategy_class(strategy).wx
    if detail.lower().startswith("yes"):
        return detail
    return f"yes: {detail}"       # memfd: "no address is both W and X" is W^X by two views


def _plot(results: list[LoaderResult], path: str, python: bool) -> None:
    """Grouped bars on a log axis, one group per module size: the default strategy (memfd) drawn
    bold and labelled, rwx hatched red and labelled UNSAFE, skipped strategies named where their bar
    would be; min-max whiskers (clipped above the axis); the legend outside the axes."""
    from jit.codemem import DEFAULT

    from .report import require_matplotlib

    plt = require_matplotlib()
    pages = sorted({r.pages for r in results})
    strategies = list(dict.fromkeys(r.strategy for r in results))
    by = {(r.strategy, r.pages): r for r in results}
    measured = [v for r in results if r.status == "ok" for v in (r.min_ns, r.median_ns, r.max_ns) if v]
    if not measured:
        raise ValueError("nothing to plot: every strategy was skipped")
    bottom = min(measured) / 3                 # whiskers and bars start above the axis
    top = max(measured) * 3
    n = len(strategies)
    width = 0.8 / n
    from matplotlib.patches import Patch

    cmap = plt.get_cmap("tab10")
    palette = [cmap(k) for k in (0, 1, 4, 5, 6, 7, 8, 9)]     # green and red mean memfd and rwx only
    others = iter(palette * (n // len(palette) + 1))
    handles_extra: list = []
    fig, ax = plt.subplots(figsize=(max(9.0, len(pages) * n * 0.32 + 3.5), 5.2))
    for i, s in enumerate(strategies):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(pages))]
        ok = [by[s, p].status == "ok" for p in pages]
        med = [by[s, p].median_ns if k else None for p, k in zip(pages, ok, strict=True)]
        style: dict = {"color": next(others) if s not in (DEFAULT, "rwx") else None, "edgecolor": "none",
                       "linewidth": 0}
        label = s
        if s == DEFAULT:
            style.update(color="#1a7f37", edgecolor="black", linewidth=1.6)
            label = f"{s} (default, W^X)"
        elif s == "rwx":
            style.update(color="#f4c7c3", edgecolor="#c5221f", hatch="///", linewidth=1.2)
            label = "rwx (UNSAFE: W+X, yardstick)"
        if not any(ok):
            label += " (skipped)"
        bx = [x for x, k in zip(xs, ok, strict=True) if k]
        bv = [v for v, k in zip(med, ok, strict=True) if k]
        if bx:
            rows = [by[s, p] for p, k in zip(pages, ok, strict=True) if k]
            lo = [max(v - max(r.min_ns or v, bottom * 1.05), 0) for v, r in zip(bv, rows, strict=True)]
            hi = [max((r.max_ns or v) - v, 0) for v, r in zip(bv, rows, strict=True)]
            ax.bar(bx, [v - bottom for v in bv], width, bottom=bottom, label=label, yerr=[lo, hi],
                   capsize=2, error_kw={"elinewidth": 0.8, "ecolor": "#333333"}, **style)
        else:                                # nothing measured: a legend entry saying so
            handles_extra.append(Patch(facecolor="white", edgecolor="#999999", hatch="..", label=label))
        for x, k in zip(xs, ok, strict=True):
            if not k:
                ax.text(x, bottom * 1.15, "skipped", rotation=90, ha="center", va="bottom", fontsize=7,
                        color="#666666")
        if s == DEFAULT:                     # named above its whisker
            for x, r in zip(bx, [by[s, p] for p, k in zip(pages, ok, strict=True) if k], strict=True):
                ax.text(x, (r.max_ns or r.median_ns or bottom) * 1.25, s, rotation=90, ha="center",
                        va="bottom", fontsize=7, weight="bold", color="#1a7f37")
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xticks(range(len(pages)), [f"{p} page{'s' if p > 1 else ''}" for p in pages])
    ax.set_ylabel("ns per load (log scale; median, whiskers min–max)")
    mode = "Python API" if python else "native loop"
    ax.set_title(f"wxjit loader benchmark ({mode}): lower is better")
    ax.grid(axis="y", which="major", alpha=0.3)
    handles, _labels = ax.get_legend_handles_labels()
    ax.legend(handles=handles + handles_extra, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0, title="strategy", title_fontsize="small")
    skipped = {r.strategy: r.reason for r in results if r.status != "ok"}
    if skipped:
        note = "; ".join(f"{k} skipped: {v}" for k, v in skipped.items())
        fig.text(0.01, 0.01, note[:220], fontsize=7, color="#666666", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04 if skipped else 0, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def setup_hugepages(n: int) -> str:
    """Set vm.nr_hugepages to n (root only); returns what was done."""
    from jit.errors import Error

    if os.geteuid() != 0:
        raise Error(f"--setup-hugepages needs root to write {HUGEPAGES_SYSCTL}; "
                    f"run `sudo sysctl vm.nr_hugepages={n}` instead")
    if n < 0:
        raise Error(f"--setup-hugepages: expected a count >= 0, got {n}")
    try:
        with open(HUGEPAGES_SYSCTL) as f:
            before = int(f.read())
        with open(HUGEPAGES_SYSCTL, "w") as f:
            f.write(str(n))
        with open(HUGEPAGES_SYSCTL) as f:
            after = int(f.read())
    except OSError as exc:
        raise Error(f"--setup-hugepages: cannot set vm.nr_hugepages: {exc}") from None
    got = "" if after == n else f" (the kernel could only reserve {after} of {n})"
    return (f"set vm.nr_hugepages {before} -> {after}{got}; "
            f"it stays set: undo with `sysctl vm.nr_hugepages={before}`")


def main(args: argparse.Namespace) -> int:
    from jit.codemem import names
    from jit.errors import Error

    from .report import print_json, require_matplotlib, stdout_is_tty

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in names()]
    if unknown or not strategies:
        print(f"wxjit bench loader: unknown strategy {', '.join(unknown) or '(none)'}; "
              f"known: {', '.join(names())}", file=sys.stderr)
        return 2
    try:
        if args.plot:
            require_matplotlib()
        if args.setup_hugepages is not None:
            print(f"wxjit bench loader: {setup_hugepages(args.setup_hugepages)}", file=sys.stderr)
        run = pages = None
        if args.module:
            run = _ModuleLoad(args.module, args.export)
            pages = [run.pages]
        results = measure(strategies, pages or args.pages, args.reps, python=args.python,
                          rotate_every=args.rotate_every, rep_ms=args.rep_ms,
                          show_progress=stdout_is_tty() and not args.json, run=run)
        if args.json:
            print_json(results)
        else:
            _print_table(results, args.python, args.rotate_every, args.reps, args.module)
        if args.plot:
            _plot(results, args.plot, args.python)
            if not args.json:
                print(f"plot written to {args.plot}")
    except Error as exc:
        print(f"wxjit bench loader: {exc}", file=sys.stderr)
        return 1
    return 0
