"""The front end refuses what Python refuses, and names what it does not compile (issue 10).

- A local variable read before any assignment ran raises UnboundLocalError in compiled and
  --pure code exactly where the original Python raises (compiled code starts locals at zero, so
  an unchecked read would give 0.0); a read no assignment can precede is an error at build time.
- `return`/`break` outside a function or loop and `nonlocal` at module level are syntax errors.
- Starred assignment targets and generators are named in the fallback warning; a module used
  without its import and a misspelt math/NumPy function are errors at build time.
- The quoted source lines of generated comments survive form feeds and other line breaks
  Python does not count; messages get singular and plural right.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fuzzing
from srcgrad.cli import main
from srcgrad.diagnostics import SourceError


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run `srcgrad build FILE.py --pure -q` in a fresh folder; (status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(source: str, *options: str):
        (tmp_path / "m.py").write_text(source, encoding="utf-8")
        code = main(["build", "m.py", "--pure", "-q", *options])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --------------------------------------------------------------------------- read before assignment

MAYBE_UNASSIGNED = '''
import math


def zero_trip(x, n: int):
    for i in range(n):
        y = x * i
    return y


def branch_not_taken(x):
    if x > 0.0:
        y = math.sin(x)
    return y * x


def loop_variable_after_the_loop(x, n: int):
    for i in range(n):
        x = x * 1.5
    return x * i


def broken_out(x, n: int):
    for i in range(n):
        if i == 2:
            break
        z = x * i
    return z + x


def continued(x, n: int):
    for i in range(n):
        if i % 2 == 0:
            continue
        w = x * i
    return w * x


def while_loop(x):
    while x < 1.0:
        v = x
        x = x * 2.0
    return v * x


def returned_early(x):
    if x < 0.0:
        return -x
    elif x < 1.0:
        u = x * 3.0
    return u * x


def read_in_one_arm(x):
    if x > 0.0:
        q = x * x
    return q if x < -1.0 else x


def read_after_and(x, n: int):
    k = 0
    if n > 0:
        t = x
    while k < n and t < 100.0:
        t = t * 2.0
        k = k + 1
    return x * k


def assigned_in_the_loop_read_in_its_test(x, n: int):
    k = 0
    s = 0.0
    while k < n:
        if k > 0:
            s = s + p
        p = x * k
        k = k + 1
    return s


def calls_one_that_raises(x, n: int):
    return zero_trip(x * 2.0, n) + x


def constant_range(x):
    for i in range(3):
        y = x * i
    return y + x * i
'''

# (function, arguments): the original raises UnboundLocalError at some, returns at others
CALLS = [
    ("zero_trip", (1.5, 0)), ("zero_trip", (1.5, 3)),
    ("branch_not_taken", (-1.0,)), ("branch_not_taken", (0.7,)),
    ("loop_variable_after_the_loop", (0.7, 0)), ("loop_variable_after_the_loop", (0.7, 2)),
    ("broken_out", (0.7, 0)), ("broken_out", (0.7, 1)), ("broken_out", (0.7, 5)),
    ("continued", (0.7, 1)), ("continued", (0.7, 4)),
    ("while_loop", (1.5,)), ("while_loop", (0.3,)),
    ("returned_early", (-0.5,)), ("returned_early", (0.5,)), ("returned_early", (1.5,)),
    ("read_in_one_arm", (-1.5,)), ("read_in_one_arm", (-0.5,)), ("read_in_one_arm", (0.5,)),
    ("read_after_and", (0.7, 0)), ("read_after_and", (0.7, 3)),
    ("assigned_in_the_loop_read_in_its_test", (0.7, 0)), ("assigned_in_the_loop_read_in_its_test", (0.7, 4)),
    ("calls_one_that_raises", (0.7, 0)), ("calls_one_that_raises", (0.7, 2)),
    ("constant_range", (0.7,)),
]


@pytest.fixture(scope="module")
def maybe_unassigned_builds():
    pure = fuzzing.pure_build(MAYBE_UNASSIGNED, "maybe_unassigned.py")
    compiled = fuzzing.compiled_build(MAYBE_UNASSIGNED, "maybe_unassigned.py")
    return {"pure": pure, "compiled": compiled}


def _original_raises(name: str, args: tuple) -> bool:
    try:
        fuzzing.run_source(MAYBE_UNASSIGNED, name)(*args)
    except UnboundLocalError:
        return True
    return False


@pytest.mark.parametrize("how", ["pure", "compiled"])
@pytest.mark.parametrize("name,args", CALLS, ids=[f"{n}{a}" for n, a in CALLS])
def test_read_before_assignment_raises_exactly_where_python_does(maybe_unassigned_builds, how, name, args):
    generated, module = maybe_unassigned_builds[how]
    assert not generated.diagnostics  # every function compiled
    positions = [k for k, a in enumerate(args) if isinstance(a, float)]
    if not _original_raises(name, args):
        fuzzing.check_source(MAYBE_UNASSIGNED, name, args, positions, module, name, what=how)
        return
    direction = (1.0,) * len(positions) if len(positions) > 1 else 1.0
    for call in (lambda: getattr(module, name)(*args), lambda: getattr(module, "grad_" + name)(*args),
                 lambda: getattr(module, "value_and_grad_" + name)(*args),
                 lambda: getattr(module, "vjp_" + name)(*args, 2.0),
                 lambda: getattr(module, "jvp_" + name)(*args, direction),
                 lambda: getattr(module, "hvp_" + name)(*args, direction)):
        with pytest.raises(UnboundLocalError, match="local variable '[a-z]' where it is not associated"):
            call()


def test_read_that_is_always_assigned_costs_nothing(maybe_unassigned_builds):
    """A constant range runs: no flag, no check (and examples/ generate exactly as before)."""
    generated, _ = maybe_unassigned_builds["pure"]
    section = generated.text.split("def _constant_range_primal", 1)[1].split("\ndef ", 1)[0]
    assert "_assigned" not in section and "UnboundLocalError" not in section
    assert "y_assigned" in generated.text.split("def _zero_trip_primal", 1)[1].split("\ndef ", 1)[0]


NEVER_ASSIGNED = {
    "augmented new name": ("def f(x):\n    s += x\n    return s\n", "2:5: error: local variable 's' is read"),
    "assigned only later": ("def f(x):\n    if x > 0.0:\n        return y\n    y = x\n    return y\n",
                            "3:16: error: local variable 'y' is read"),
    "a module constant assigned in the function": (
        "RATE = 0.5\n\n\ndef f(x):\n    y = RATE * x\n    RATE = 2.0\n    return y * RATE\n",
        "5:9: error: local variable 'RATE' is read"),
    "an element of an unassigned array": (
        "import numpy as np\n\n\ndef f(x, n: int):\n    if n > 0:\n        y[0] = x\n    y = np.zeros(2)\n"
        "    return x\n", "6:9: error: local variable 'y' is read"),
}


@pytest.mark.parametrize("source,message", NEVER_ASSIGNED.values(), ids=NEVER_ASSIGNED.keys())
def test_read_that_no_assignment_precedes_is_an_error(cli, source, message):
    with pytest.raises(UnboundLocalError):  # what Python says when it runs the function
        fuzzing.run_source(source, "f")(*((0.7, 1) if "n: int" in source else (0.7,)))
    assert cli(source) == (2, "", f"m.py:{message} before any assignment to it\n")


def test_element_write_into_a_name_bound_nowhere_is_an_undefined_name(cli):
    source = "def f(x):\n    y[0] = x\n    return x\n"
    with pytest.raises(NameError):
        fuzzing.run_source(source, "f")(0.7)
    assert cli(source) == (2, "", "m.py:2:5: error: name 'y' is not defined\n")


# --------------------------------------------------------------------------- what only Python's compiler refuses

COMPILER_REFUSES = {
    "return at module level": ("def f(x):\n    return x\n\n\nreturn 2\n", "5:1: error: syntax error: 'return' outside function"),
    "break at module level": ("def f(x):\n    return x\n\n\nbreak\n", "5:1: error: syntax error: 'break' outside loop"),
    "continue in a function, not in a loop": ("def f(x):\n    if x > 0.0:\n        continue\n    return x\n",
                                              "3:9: error: syntax error: 'continue' not properly in loop"),
    "nonlocal at module level": ("nonlocal x\n\n\ndef f(x):\n    return x\n",
                                 "1:1: error: syntax error: nonlocal declaration not allowed at module level"),
    "nonlocal with nothing to bind": ("def f(x):\n    nonlocal y\n    return x\n",
                                      "2:5: error: syntax error: no binding for nonlocal 'y' found"),
}


@pytest.mark.parametrize("source,message", COMPILER_REFUSES.values(), ids=COMPILER_REFUSES.keys())
def test_what_python_s_compiler_refuses_is_a_syntax_error(cli, tmp_path, source, message):
    with pytest.raises(SyntaxError):
        compile(source, "m.py", "exec", dont_inherit=True)
    assert cli(source) == (2, "", f"m.py:{message}\n")
    assert not (tmp_path / "generated").exists()
