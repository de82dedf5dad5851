"""The spec-test runner behind ``wxjit spec``: runs converted spec JSON files against wxjit.

``run_file(path)`` runs one file in this process and returns a ``FileResult`` (counts per command type:
passed / failed / skipped, and the failures with their line and reason). ``run_isolated(path)`` runs
one file in a child process (``python -m jit.specrunner FILE``), so that a crash of the engine is
reported as a failed file instead of killing the run. Semantics follow the suite's README: commands
share one store; ``register`` makes an instance's exports importable; the ``spectest`` host module is
provided. Text ``assert_malformed``/``assert_invalid`` modules go through ``jit.wat`` (the text front
door) and must be rejected there or by the validator (skipped when no text parser is installed).
Values are compared as bit patterns (``nan:canonical`` / ``nan:arithmetic`` by the spec's rules); an
expected trap text must be a prefix of the trap's message (``trap_text_matches``); ``assert_return``
accepts alternative results (``either``).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .runtime.gcobjects import GcRef, I31Ref
from .wat import wat2wasm

COMMAND_TYPES = (
    "module", "module_definition", "module_instance", "register", "action", "assert_return",
    "assert_trap", "assert_exhaustion", "assert_exception", "assert_invalid", "assert_malformed",
    "assert_unlinkable", "assert_uninstantiable",
)
# Result types (spectest3) that denote a null reference of a bottom type, or any null ("refnull").
_NULL_TYPES = ("nullref", "nullfuncref", "nullexternref", "nullexnref", "refnull")
MAX_FAILURES_KEPT = 50

_CANONICAL_NAN = {"f32": 0x7FC00000, "f64": 0x7FF8000000000000}
_SIGN = {"f32": 0x80000000, "f64": 0x8000000000000000}


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class FileResult:
    """The outcome of one spec JSON file."""

    file: str
    counts: dict[str, Counts] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    crash: str | None = None

    def count(self, ctype: str, outcome: str) -> None:
        c = self.counts.setdefault(ctype, Counts())
        setattr(c, outcome, getattr(c, outcome) + 1)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.counts.values())

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.counts.values()) + (1 if self.crash else 0)

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "counts": {k: asdict(v) for k, v in self.counts.items()},
                "failures": self.failures, "crash": self.crash}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        return cls(data["file"], {k: Counts(**v) for k, v in data["counts"].items()},
                   data.get("failures", []), data.get("crash"))


class Mismatch(Exception):
    """A spec assertion did not hold (the message says why)."""


def spectest_module() -> dict[str, Any]:
    """The ``spectest`` host module of the suite's README."""
    import jit

    def noop(*args: Any) -> None:
        return None

    funcs = {"print": [], "print_i32": ["i32"], "print_i64": ["i64"], "print_f32": ["f32"],
             "print_f64": ["f64"], "print_i32_f32": ["i32", "f32"], "print_f64_f64": ["f64", "f64"]}
    ns: dict[str, Any] = {name: jit.Func(noop, params) for name, params in funcs.items()}
    ns["global_i32"] = jit.Global("i32", 666)
    ns["global_i64"] = jit.Global("i64", 666)
    ns["global_f32"] = jit.Global("f32", 666.6)
    ns["global_f64"] = jit.Global("f64", 666.6)
    ns["table"] = jit.Table("funcref", 10, 20)
    ns["table64"] = jit.Table("funcref", 10, 20, table64=True)
    ns["memory"] = jit.Memory(1, 2)
    return ns


def _arg_bits(value: dict[str, Any]) -> Any:
    v = value.get("value")
    if value["type"] in ("i32", "f32", "i64", "f64"):
        return int(v)
    if value["type"] == "v128":
        from .spectest import parse_value
        return parse_value(value)
    if v is None or v == "null":
        return None
    return int(v)


def _any_ref(got: Any) -> bool:
    return True


def _is_struct(got: Any) -> bool:
    return isinstance(got, GcRef) and got.kind == "struct"


def _is_array(got: Any) -> bool:
    return isinstance(got, GcRef) and got.kind == "array"


# spectest3 value-less GC results: (ref.struct), (ref.array), (ref.i31), (ref.eq)
_GC_KIND_CHECKS: dict[str, Any] = {
    "structref": _is_struct,
    "arrayref": _is_array,
    "i31ref": lambda got: isinstance(got, I31Ref),
    "eqref": lambda got: isinstance(got, (GcRef, I31Ref)),
}


def _is_null(got: Any) -> bool:
    return got is None or got == 0


def _check_value(expected: dict[str, Any], got: Any) -> bool:
    t = expected["type"]
    v = expected.get("value")
    if t in _NULL_TYPES:
        return _is_null(got)
    if t == "v128":
        if not isinstance(got, int):
            return False
        lane_type = expected["lane_type"]
        bits = int(lane_type[1:])
        mask = (1 << bits) - 1
        lanes = [(got >> (i * bits)) & mask for i in range(128 // bits)]
        if len(v) != len(lanes):
            return False
        if lane_type in ("f32", "f64"):     # a lane may be a NaN pattern
            return all(_check_value({"type": lane_type, "value": e}, g)
                       for e, g in zip(v, lanes, strict=True))
        return all(g == int(e) & mask for e, g in zip(v, lanes, strict=True))
    if t in ("f32", "f64") and isinstance(v, str) and v.startswith("nan:"):
        if not isinstance(got, int):
            return False
        mag = got & ~_SIGN[t]
        canonical = _CANONICAL_NAN[t]
        if v == "nan:canonical":
            return mag == canonical
        return mag & canonical == canonical   # arithmetic: exponent all ones and the quiet bit set
    if t in ("i32", "i64", "f32", "f64"):
        return got == int(v)
    if v == "null":
        return _is_null(got)
    if v is None:       # spectest3: a reference result without a value is any non-null reference
        return got is not None and _GC_KIND_CHECKS.get(t, _any_ref)(got)
    return got == int(v)


def have_text_parser() -> bool:
    """True when ``jit.wat`` can parse text (the ``wasm-tools`` command is installed)."""
    return shutil.which("wasm-tools") is not None


def trap_text_matches(expected: str, actual: str) -> bool:
    """The suite's rule: the expected text is a prefix of the engine's message. One allowance, for
    detail wxjit's traps do not carry: the reference interpreter appends the table index to
    "uninitialized element" once in the suite (``bulk``: "uninitialized element 2"), so an expected
    text that is exactly the actual one plus a trailing decimal index also matches. A different or
    shorter kind ("out of bounds" for "out of bounds memory access") never does."""
    if actual.startswith(expected):
        return True
    head, _, index = expected.rpartition(" ")
    return head == actual and index.isdigit()


def expected_results(cmd: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The accepted result lists of an ``assert_return``: one list, or several alternatives from
    ``(either ...)`` -- a command-level ``"either"`` list (wabt: each entry one alternative result, or a
    list of values) or ``{"type": "either", "values": [...]}`` entries in ``expected`` (wasm-tools:
    alternatives for that one position)."""
    if "expected" not in cmd and "either" in cmd:
        return [alt if isinstance(alt, list) else [alt] for alt in cmd["either"]]
    expected = cmd.get("expected")
    if expected is None:
        raise Mismatch("assert_return without expected results")
    lists: list[list[dict[str, Any]]] = [[]]
    for e in expected:
        options = e["values"] if e.get("type") == "either" else [e]
        lists = [prefix + [o] for prefix in lists for o in options]
    return lists


def _results_match(expected: list[dict[str, Any]], got: list[Any]) -> bool:
    return len(got) == len(expected) and all(_check_value(e, g) for e, g in zip(expected, got, strict=True))


def _show_expected(e: dict[str, Any]) -> Any:
    return e.get("value")


def features_for(path: Path) -> Any:
    """The proposals a spec file is run with: none for the files of the Wasm 2.0 suite
    (``../shared/spectest``, whose assertions are 2.0's rules), the default ``jit.Features()`` else."""
    from .abi.features import Features
    from .spectest import spectest_dir
    root = spectest_dir()
    if root is not None and root.resolve() in path.resolve().parents:
        return Features.none()
    return Features()


class Runner:
    """Runs the commands of one file against one store."""

    def __init__(self, path: Path, features: Any = None) -> None:
        self.path = path
        self.features = features_for(path)
        self.named: dict[str, Any] = {}
        self.definitions: dict[str, Any] = {}
        self.current: Any = None
        self.registered: dict[str, Any] = {"spectest": spectest_module()}

    @staticmethod
    def _binary(cmd: dict[str, Any]) -> str | None:
        """The binary file of a module command: ``filename``, or for a text module its
        ``binary_filename`` (spectest3); None for a text module without one (skipped)."""
        if cmd.get("module_type") == "text":
            return cmd.get("binary_filename")
        return cmd["filename"]

    def _instantiate(self, filename: str) -> Any:
        import jit
        module = jit.Module(Path(filename).read_bytes(), features=self.features)
        return jit.Instance(module, self.registered)

    def _instance(self, action: dict[str, Any]) -> Any:
        name = action.get("module")
        inst = self.named[name] if name else self.current
        if inst is None:
            raise Mismatch("no module instantiated")
        return inst

    def _do_action(self, action: dict[str, Any]) -> list[Any]:
        inst = self._instance(action)
        field_name = action["field"]
        ext = inst.exports[field_name]
        if action["type"] == "get":
            return [ext.value_raw]
        return ext.call_raw([_arg_bits(a) for a in action.get("args", [])])

    def run(self, cmd: dict[str, Any]) -> str:
        """Run one command: returns "passed" / "skipped", raises Mismatch (or anything) on failure."""
        import jit
        ctype = cmd["type"]
        if ctype == "module":
            binary = self._binary(cmd)
            if binary is None:
                return "skipped"
            # A module that fails to load leaves no current module: the commands that follow fail
            # instead of running against an earlier module.
            self.current = None
            if cmd.get("name"):
                self.named.pop(cmd["name"], None)
            inst = self._instantiate(binary)
            self.current = inst
            if cmd.get("name"):
                self.named[cmd["name"]] = inst
        elif ctype == "module_definition":
            binary = self._binary(cmd)
            if binary is None:
                return "skipped"
            if cmd.get("name"):
                self.definitions.pop(cmd["name"], None)
            module = jit.Module(Path(binary).read_bytes(), features=self.features)
            if cmd.get("name"):
                self.definitions[cmd["name"]] = module
        elif ctype == "module_instance":
            self.current = None
            self.named.pop(cmd["instance"], None)
            module = self.definitions.get(cmd["module"])
            if module is None:
                raise Mismatch(f"no module definition {cmd['module']!r}")
            inst = jit.Instance(module, self.registered)
            self.current = inst
            self.named[cmd["instance"]] = inst
        elif ctype == "register":
            inst = self.named[cmd["name"]] if cmd.get("name") else self.current
            self.registered[cmd["as"]] = inst.exports
        elif ctype == "action":
            self._do_action(cmd["action"])
        elif ctype == "assert_return":
            got = self._do_action(cmd["action"])
            alternatives = expected_results(cmd)
            if not any(_results_match(expected, got) for expected in alternatives):
                shown = [[_show_expected(e) for e in expected] for expected in alternatives]
                want = shown[0] if len(shown) == 1 else f"one of {shown}"
                raise Mismatch(f"got {got}, expected {want}")
        elif ctype in ("assert_trap", "assert_exhaustion"):
            try:
                got = self._do_action(cmd["action"])
            except jit.Trap as trap:
                if not trap_text_matches(cmd["text"], trap.kind):
                    raise Mismatch(f"trapped with {trap.kind!r}, expected {cmd['text']!r}") from None
            else:
                raise Mismatch(f"returned {got}, expected trap {cmd['text']!r}")
        elif ctype == "assert_exception":
            # the action must end in an uncaught Wasm exception (any tag, any payload)
            try:
                got = self._do_action(cmd["action"])
            except jit.WasmException:
                pass
            except jit.Trap as trap:
                raise Mismatch(f"trapped with {trap.kind!r}, expected an uncaught exception") from None
            else:
                raise Mismatch(f"returned {got}, expected an uncaught exception")
        elif ctype in ("assert_invalid", "assert_malformed"):
            binary = self._binary(cmd)
            if binary is None:
                # Text that must not parse (or validate): wxjit's front door for text is `jit.wat`.
                if cmd.get("module_type") != "text" or not have_text_parser():
                    return "skipped"
                try:
                    text = Path(cmd["filename"]).read_text(errors="replace")
                    jit.validate(wat2wasm(text), features=self.features)
                except jit.CompileError:
                    return "passed"
                raise Mismatch(f"text module accepted, expected {cmd['text']!r}")
            try:
                jit.validate(Path(binary).read_bytes(), features=self.features)
            except jit.CompileError:
                pass
            else:
                raise Mismatch(f"module accepted, expected {cmd['text']!r}")
        elif ctype == "assert_unlinkable":
            try:
                self._instantiate(cmd["filename"])
            except jit.LinkError:
                pass
            else:
                raise Mismatch(f"module linked, expected {cmd['text']!r}")
        elif ctype == "assert_uninstantiable":
            try:
                self._instantiate(cmd["filename"])
            except jit.Trap:
                pass
            else:
                raise Mismatch(f"module instantiated, expected trap {cmd['text']!r}")
        else:
            raise Mismatch(f"unknown command type {ctype!r}")
        return "passed"


def run_file(path: Path | str) -> FileResult:
    """Run one spec JSON file in this process."""
    from .spectest import load_commands
    path = Path(path)
    result = FileResult(path.stem)
    runner = Runner(path)
    for cmd in load_commands(path):
        ctype = cmd["type"]
        try:
            outcome = runner.run(cmd)
        except Exception as exc:  # every failure is counted, the run goes on
            outcome = "failed"
            if len(result.failures) < MAX_FAILURES_KEPT:
                reason = str(exc) if isinstance(exc, Mismatch) else f"{type(exc).__name__}: {exc}"
                result.failures.append({"line": cmd.get("line"), "type": ctype, "message": reason})
        result.count(ctype, outcome)
    return result


def run_isolated(path: Path | str, timeout: float | None = 600, *, eager: bool = False) -> FileResult:
    """Run one file in a child process; a crash or timeout becomes ``FileResult.crash``. ``eager``:
    its modules compile every function up front (``WXJIT_LAZY=0``), not each on its first call."""
    path = Path(path)
    cmd = [sys.executable, "-m", "jit.specrunner", str(path)]
    env = dict(os.environ)
    if eager:
        env["WXJIT_LAZY"] = "0"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return FileResult(path.stem, crash=f"timed out after {timeout} s")
    if proc.returncode == 0:
        try:
            return FileResult.from_json(json.loads(proc.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError, KeyError):
            pass
    if proc.returncode < 0:
        how = f"killed by {signal.Signals(-proc.returncode).name}"
    else:
        how = f"exited with status {proc.returncode}"
    tail = proc.stderr.strip().splitlines()[-3:]
    return FileResult(path.stem, crash=how + (": " + " | ".join(tail) if tail else ""))


def expand(paths: list[str]) -> list[Path]:
    """Spec JSON files named by ``paths`` (a directory means every *.json under it), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.json")))
        else:
            out.append(p)
    return out


def main(argv: list[str] | None = None) -> int:
    """Child-process entry: run one file, print its result as one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jit.specrunner FILE.json", file=sys.stderr)
        return 2
    result = run_file(args[0])
    sys.stdout.write(json.dumps(result.to_json()) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
