"""The one import of the compiled extension ``jit._native``: use ``from jit.native import ffi, lib``.

If the extension has not been built (the package was not installed), importing this module raises
``NativeExtensionMissing`` telling the user to run ``pip install -e .``.
"""
from __future__ import annotations

from .errors import Error


class NativeExtensionMissing(Error, ImportError):
    """The cffi extension ``jit._native`` is not built."""


try:
    from . import _native
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise NativeExtensionMissing(
        "the native part of wxjit (jit._native) is not built: run `pip install -e .` "
        f"in the source tree ({exc})"
    ) from exc

ffi = _native.ffi
lib = _native.lib

__all__ = ["NativeExtensionMissing", "ffi", "lib"]
