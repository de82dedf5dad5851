"""``jit.dataclass_cache``: wxjit's dataclasses get their generated methods from a per-install table
of compiled code, and behave exactly like stock dataclasses."""
from __future__ import annotations

import dataclasses
import marshal
import sys
from pathlib import Path

import pytest

import jit  # noqa: F401 - installs the cache
from jit import dataclass_cache as dc

pytestmark = pytest.mark.skipif(not dc._known_create_fn(), reason="the cache serves CPython 3.11 only")

SOURCE = """
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple = ()

@dataclass
class Box:
    items: list = field(default_factory=list)
"""


def define(module_name: str) -> dict:
    """The classes of SOURCE defined as if in module ``module_name``."""
    ns: dict = {"__name__": module_name}
    mod = type(sys)(module_name)
    sys.modules[module_name] = mod
    try:
        exec(SOURCE, mod.__dict__)  # noqa: S102
    finally:
        del sys.modules[module_name]
    ns.update(mod.__dict__)
    return ns


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "dataclass-methods.marshal"
    monkeypatch.setattr(dc, "_PATH", str(path))
    monkeypatch.setattr(dc, "_code", None)
    monkeypatch.setattr(dc, "_new", 0)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return path


def check(ns: dict) -> None:
    Point, Box = ns["Point"], ns["Box"]
    p = Point(1, tags=("a",))
    assert (p.x, p.y, p.tags) == (1, 0, ("a",)) and p == Point(1, 0, ("a",)) and p != Point(2)
    assert hash(p) == hash(Point(1, 0, ("a",))) and repr(p) == "Point(x=1, y=0, tags=('a',))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2
    assert not hasattr(p, "__dict__")                      # slots
    a, b = Box(), Box()
    a.items.append(1)
    assert b.items == [] and a == Box([1])


def test_jit_classes_are_compiled_once_and_behave_as_stock(table: Path) -> None:
    assert dataclasses._create_fn is dc._create_fn
    check(define("jit.fake_cold"))
    assert dc._new > 0 and not table.exists()
    dc.save()
    saved = marshal.loads(table.read_bytes())
    assert saved and all(isinstance(k, str) and k.startswith("def __create_fn__") for k in saved)
    dc._code, dc._new = None, 0                              # a new process: the table from the file
    check(define("jit.fake_warm"))
    assert dc._new == 0                                      # nothing compiled again


def test_other_classes_are_left_to_dataclasses(table: Path) -> None:
    check(define("not_jit_module"))
    assert dc._new == 0 and dc._code is None


def test_a_damaged_table_is_ignored(table: Path) -> None:
    table.write_bytes(b"\x00garbage")
    check(define("jit.fake_damaged"))
    table.write_bytes(marshal.dumps({"def __create_fn__():\n return 1": 42}))     # not code objects
    dc._code = None
    check(define("jit.fake_damaged2"))


def test_nothing_is_written_without_bytecode_writing(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    check(define("jit.fake_nowrite"))
    dc.save()
    assert not table.exists()


INSPECT_LATER = r"""
import sys, types
import jit
import dataclasses
assert "inspect" not in sys.modules, "import jit imported inspect"
assert type(dataclasses.inspect) is not types.ModuleType       # the stand-in

@dataclasses.dataclass
class NoDoc:
    a: int
    b: str = "x"

import inspect
assert type(inspect) is types.ModuleType and dataclasses.inspect is inspect
assert sys.modules["inspect"] is inspect and inspect.signature(NoDoc) is not None
print(NoDoc.__doc__)
"""


def test_inspect_is_imported_when_dataclasses_first_needs_it() -> None:
    """``import jit`` does not import ``inspect``; a class without a docstring still gets its
    generated one, and from then on ``inspect`` is the real module everywhere."""
    import subprocess
    proc = subprocess.run([sys.executable, "-c", INSPECT_LATER], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "NoDoc(a: int, b: str = 'x')"

