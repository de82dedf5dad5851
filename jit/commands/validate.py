"""``wxjit validate FILE...``: decode and validate modules; exit 0 if all are valid, else 1."""
from __future__ import annotations

import argparse

HELP = "decode and validate Wasm binaries (exit 0 when all are valid, 1 otherwise)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".wasm files")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the invalid files")


def describe_error(exc) -> str:
    """``message at offset 0x.. in function N (name)`` for a CompileError."""
    text = exc.message
    if exc.offset is not None:
        text += f" at offset {exc.offset:#x}"
    if exc.func_index is not None:
        text += f" in function {exc.func_index}"
        if exc.func_name:
            text += f" ({exc.func_name})"
    return text


def main(args: argparse.Namespace) -> int:
    from jit.errors import CompileError
    from jit.wasm import validate

    status = 0
    for path in args.files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}")
            status = 1
            continue
        try:
            validate(data)
        except CompileError as exc:
            print(f"{path}: {describe_error(exc)}")
            status = 1
        else:
            if not args.quiet:
                print(f"{path}: ok")
    return status
