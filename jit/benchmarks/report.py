"""Output shared by the benchmarks: a rich table (plain text when not on a terminal), JSON records,
a progress bar only on a terminal, and matplotlib plots (the ``bench`` extra) with a clear error
when matplotlib is missing.
"""
from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from typing import Any

from ..errors import Error


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


@contextmanager
def progress(total: int, description: str, enabled: bool) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; draws a rich progress bar on stderr when ``enabled``."""
    if not enabled:
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(label: str) -> None:
            bar.update(task, advance=1, description=f"{description} {label}")

        yield advance


def print_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
                notes: Sequence[str] = ()) -> None:
    """Print a table; ``columns`` are (header, justify). Colours only on a terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if stdout_is_tty() else 160)
    table = Table(title=title, title_justify="left")
    for header, justify in columns:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for note in notes:
        console.print(note, soft_wrap=True)


def print_json(records: Sequence[Any]) -> None:
    """Print records (dataclasses or dicts) as one JSON list."""
    data = [asdict(r) if is_dataclass(r) else r for r in records]
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")


def cell(value: float | None, width: int, precision: int) -> str:
    """``value`` right-aligned in ``width`` with ``precision`` decimals, or ``-`` when not measured."""
    return f"{value:{width}.{precision}f}" if value is not None else f"{'-':>{width}}"


def summarize(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, min, max)."""
    return statistics.median(values), min(values), max(values)


def require_matplotlib() -> Any:
    """Import matplotlib with a non-interactive backend, or raise a jit.Error saying how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise Error('--plot needs matplotlib: pip install -e ".[bench]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def grouped_bars(path: str, title: str, groups: Sequence[str], series: dict[str, list[float | None]],
                 ylabel: str, log: bool = True,
                 errors: dict[str, tuple[list[float], list[float]]] | None = None) -> None:
    """Grouped bar chart: one group per ``groups`` entry, one bar per series; None = missing."""
    plt = require_matplotlib()
    n = max(len(series), 1)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(max(8, len(groups) * n * 0.35), 5))
    for i, (name, values) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        ys = [v if v is not None else 0 for v in values]
        err = None
        if errors and name in errors:
            lo, hi = errors[name]
            err = [[max(y - a, 0) for y, a in zip(ys, lo, strict=True)],
                   [max(b - y, 0) for y, b in zip(ys, hi, strict=True)]]
        ax.bar(xs, ys, width, label=name, yerr=err, capsize=2)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize="small", ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def add_reference_options(parser: Any) -> None:
    """``--no-wasmtime`` and ``--json``, as every benchmark against wasmtime spells them."""
    parser.add_argument("--no-wasmtime", action="store_true", help="measure wxjit only")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")


def wasmtime_wanted(args: Any) -> bool:
    """Whether to measure wasmtime too: asked for, and installed (else a note on stderr)."""
    if args.no_wasmtime:
        return False
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        print("wasmtime is not installed: measuring wxjit only", file=sys.stderr)
        return False
    return True
