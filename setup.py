"""Build hooks: native/ with cffi (API mode, out of line); the compiled build of the compiler's hot modules.

The compiled build (``jit/_accel.py``, docs/compiled-build.md) compiles ``jit._accel.MODULES`` with Cython
(pure-Python mode) into ``jit/_compiled/`` and records each module's source hash in its manifest. It is
optional: without Cython, with ``WXJIT_PURE_PYTHON=1``, or when a module fails to compile, the install
succeeds with a warning and those modules run as Python.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
# -O2 without debug info: the generated C compiles ~6x faster than with Python's default -O3 -g, and
# runs within a few percent of it.
CFLAGS = ["-O2", "-g0", "-Wno-unused-function", "-Wno-unreachable-code"]


def _accel_module():
    """``jit/_accel.py`` on its own (standard library only), without importing the ``jit`` package."""
    path = os.path.join(ROOT, "jit", "_accel.py")
    spec = importlib.util.spec_from_file_location("_wxjit_accel_build", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _warn(message: str) -> None:
    print(f"warning: wxjit compiled build: {message}; those modules run as pure Python", file=sys.stderr)


class BuildExt(build_ext):
    """build_ext plus the compiled build, whose files go to ``jit/_compiled/``, never beside the sources."""

    def run(self) -> None:
        super().run()
        if os.environ.get("WXJIT_PURE_PYTHON", "") not in ("", "0"):
            print("wxjit: WXJIT_PURE_PYTHON is set: no compiled build", file=sys.stderr)
            return
        try:
            self._build_accel()
        except Exception as exc:     # the compiled build is optional: never fail the install over it
            _warn(f"{type(exc).__name__}: {exc}")

    def get_ext_fullpath(self, ext_name: str) -> str:
        target = getattr(self, "_accel_targets", {}).get(ext_name)
        return target if target is not None else super().get_ext_fullpath(ext_name)

    def _build_accel(self) -> None:
        accel = _accel_module()
        package_dir = os.path.join(ROOT, "jit")
        out_dir = os.path.join(package_dir if self.inplace else os.path.join(self.build_lib, "jit"),
                               "_compiled")
        os.makedirs(out_dir, exist_ok=True)
        manifest_path = os.path.join(out_dir, "manifest.txt")
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        hashes = {m: accel.source_hash(accel.source_path(m, package_dir)) for m in accel.MODULES}
        # A module whose compiled file was built from its current source is kept; every other one is
        # rebuilt from scratch (force: never trust file timestamps for this).
        kept: dict[str, tuple[str, str]] = {}
        if os.path.exists(manifest_path):
            try:
                old_suffix, old = accel.read_manifest(manifest_path)
            except (OSError, ValueError):
                old_suffix, old = "", {}
            kept = {m: entry for m, entry in old.items() if old_suffix == suffix and m in hashes
                    and entry[1] == hashes[m] and os.path.exists(os.path.join(out_dir, entry[0]))}
            os.unlink(manifest_path)
        todo = [m for m in accel.MODULES if m not in kept]
        if not todo:
            accel.write_manifest(manifest_path, suffix, kept)
            print(f"wxjit: compiled build: {len(kept)} of {len(accel.MODULES)} modules, all current",
                  file=sys.stderr)
            return
        try:
            from Cython.Build import cythonize
        except ImportError:
            _warn("Cython is not installed")
            return
        exts = [Extension(m, [os.path.relpath(accel.source_path(m, package_dir), ROOT)],
                          extra_compile_args=CFLAGS) for m in todo]
        exts = cythonize(exts, build_dir=os.path.join(self.build_temp, "cython"), quiet=True, force=True,
                         nthreads=os.cpu_count() or 1, language_level=3,
                         compiler_directives={"annotation_typing": False, "binding": True})
        self._accel_targets = {e.name: os.path.join(out_dir, e.name + suffix) for e in exts}
        for ext in exts:         # what setuptools' finalize_options sets on the extensions it knows
            ext._full_name, ext._needs_stub, ext._links_to_dynamic = ext.name, False, False

        def build(ext: Extension) -> str | None:
            try:
                self.build_extension(ext)
                return ext.name
            except Exception as exc:
                _warn(f"{ext.name}: {type(exc).__name__}: {exc}")
                return None

        self.force, old_force = True, self.force
        try:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                built = [name for name in pool.map(build, exts) if name is not None]
        finally:
            self.force = old_force
        modules = {**kept, **{m: (os.path.basename(self._accel_targets[m]), hashes[m]) for m in built
                              # a source edited during the build: its compiled file may not be what was hashed
                              if accel.source_hash(accel.source_path(m, package_dir)) == hashes[m]}}
        accel.write_manifest(manifest_path, suffix, modules)
        print(f"wxjit: compiled build: {len(modules)} of {len(accel.MODULES)} modules "
              f"({len(built)} built now)",
              file=sys.stderr)


setup(cffi_modules=["native/build_native.py:ffibuilder"], cmdclass={"build_ext": BuildExt})
