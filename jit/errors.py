"""The exception hierarchy of wxjit: everything the engine raises on bad input is a ``jit.Error``.

``CompileError`` (``MalformedError`` while decoding, ``ValidationError`` while validating) carries
the byte offset into the module and, inside a function body, the function index and name.
``LinkError`` names the import. ``Trap`` carries the spec's trap text as ``kind`` and the Wasm
function and offset where it happened. ``LimitError`` reports a configured resource limit.
"""
from __future__ import annotations


class Error(Exception):
    """Base of every error wxjit raises on purpose."""


class CompileError(Error):
    """A module could not be decoded, validated or compiled."""

    def __init__(
        self,
        message: str,
        offset: int | None = None,
        func_index: int | None = None,
        func_name: str | None = None,
    ) -> None:
        self.message = message
        self.offset = offset
        self.func_index = func_index
        self.func_name = func_name
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = []
        if self.offset is not None:
            where.append(f"at offset {self.offset:#x}")
        if self.func_index is not None:
            name = f" ({self.func_name})" if self.func_name else ""
            where.append(f"in function {self.func_index}{name}")
        return f"{self.message} ({', '.join(where)})" if where else self.message

    def __str__(self) -> str:
        return self._describe()


class MalformedError(CompileError):
    """The bytes are not a well-formed Wasm binary (decoding failed)."""


class ValidationError(CompileError):
    """The module is well-formed but not valid (type checking failed)."""


class LinkError(Error):
    """An import is missing or has the wrong type."""

    def __init__(self, message: str, module: str | None = None, name: str | None = None) -> None:
        self.module = module
        self.name = name
        super().__init__(message)


class LimitError(Error):
    """A configured resource limit was exceeded (module size, functions, memory, ...)."""


class Trap(Error):
    """Wasm execution trapped. ``kind`` is the spec's trap text ("unreachable", ...)."""

    def __init__(
        self,
        kind: str,
        func_index: int | None = None,
        func_name: str | None = None,
        wasm_offset: int | None = None,
        backtrace: list[tuple[int, str | None, int | None]] | None = None,
    ) -> None:
        self.kind = kind
        self.func_index = func_index
        self.func_name = func_name
        self.wasm_offset = wasm_offset
        self.backtrace = backtrace or []
        where = ""
        if func_index is not None:
            name = f" ({func_name})" if func_name else ""
            where = f" in function {func_index}{name}"
            if wasm_offset is not None:
                where += f" at offset {wasm_offset:#x}"
        super().__init__(f"wasm trap: {kind}{where}")


class WasmException(Error):
    """A WebAssembly exception (exception handling): ``tag`` (a ``jit.Tag``) and ``payload`` (the
    tag's parameters as Python values, a tuple).

    An exception thrown by Wasm code and caught by none of its handlers leaves the call as this
    exception. A host function raises one to throw into Wasm: ``raise jit.WasmException(tag, (1, 2.0))``
    is caught by the ``try_table`` handlers of the calling Wasm frames like a ``throw`` of that tag
    (``catch`` by the tag's identity: the same ``jit.Tag`` object, imported or exported)."""

    def __init__(self, tag: object, payload: tuple | list = ()) -> None:
        self.tag = tag
        self.payload = tuple(payload)
        self.backtrace: list[tuple[int, str | None, int | None]] = []
        super().__init__(f"uncaught wasm exception: {tag!r} {self.payload!r}")
