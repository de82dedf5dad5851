"""``wxjit validate FILE...``: decode and validate modules; exit 0 if all are valid, else 1.

Valid files print ``FILE: ok`` on stdout (unless ``-q``); a file that cannot be read or is invalid
prints ``wxjit validate: FILE: reason`` on stderr. FILE may be a ``.wasm`` binary or ``.wat`` text.
"""
from __future__ import annotations

import argparse

from .common import FAILED, UserError, report

HELP = "decode and validate Wasm modules (exit 0 when all are valid, 1 otherwise)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".wasm or .wat files")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the invalid files")


def describe_error(exc: object) -> str:
    """``message at offset 0x.. in function N (name)`` for a CompileError."""
    text: str = getattr(exc, "message", str(exc))
    offset = getattr(exc, "offset", None)
    func_index = getattr(exc, "func_index", None)
    if offset is not None:
        text += f" at offset {offset:#x}"
    if func_index is not None:
        text += f" in function {func_index}"
        if getattr(exc, "func_name", None):
            text += f" ({exc.func_name})"  # type: ignore[attr-defined]
    return text


def main(args: argparse.Namespace) -> int:
    from jit.errors import CompileError
    from jit.wasm import validate

    from .common import is_cwasm, wasm_bytes

    status = 0
    for path in args.files:
        try:
            data = wasm_bytes(path)
            if is_cwasm(data):
                raise UserError("a compiled .cwasm file, not a Wasm module", path)
            validate(data)
        except UserError as exc:
            status = report("validate", exc.file, exc.reason, FAILED)
        except CompileError as exc:
            status = report("validate", path, describe_error(exc), FAILED)
        else:
            if not args.quiet:
                print(f"{path}: ok")
    return status
