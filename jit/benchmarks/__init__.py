"""Benchmarks run by ``wxjit bench <name>``: one module per benchmark, each with HELP, configure, main.

Modules must be cheap to import (heavy imports inside ``main``); shared output helpers (table,
JSON, progress, plot) are in ``jit.benchmarks.report``.
"""
