"""Build hook: compiles native/ with cffi (API mode, out of line) at install time."""
from setuptools import setup

setup(cffi_modules=["native/build_native.py:ffibuilder"])
