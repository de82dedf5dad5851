"""Build the benchmark programs: ``python bench/programs/build.py [NAME...] [--force]``.

The logic lives in ``jit/benchmarks/programs_build.py`` (importable by tests and ``wxjit bench
programs``); outputs go to ``bench/programs/build/`` (gitignored).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jit.benchmarks.programs_build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
