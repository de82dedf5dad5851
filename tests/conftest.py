"""Test-wide setup: the encoder checks every operand (kinds, sizes, the ``Mem`` rules) in the tests,
including in the child processes they start (``WXJIT_ENCODER_CHECKS``); the compiler runs without
those checks otherwise (jit.x64.encoder)."""
import os

os.environ["WXJIT_ENCODER_CHECKS"] = "1"

from jit.x64 import operands  # noqa: E402

operands.set_checks(True)
