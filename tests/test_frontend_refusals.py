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


def read_twice(x, n: int):
    for i in range(n):
        y = x * i
    s = y * 2.0
    return s + y * y


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
    ("read_twice", (0.7, 0)), ("read_twice", (0.7, 3)),
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
    # once a read has not raised, later reads of the variable need no check
    section = generated.text.split("def _read_twice_primal", 1)[1].split("\ndef ", 1)[0]
    assert section.count("raise UnboundLocalError") == 1


NEVER_ASSIGNED = {
    "augmented new name": ("def f(x):\n    s += x\n    return s\n", "2:5: error: local variable 's' is read"),
    "assigned only later": ("def f(x):\n    if x > 0.0:\n        return y\n    y = x\n    return y\n",
                            "3:16: error: local variable 'y' is read"),
    "a module constant assigned in the function": (
        "RATE = 0.5\n\n\ndef f(x):\n    y = RATE * x\n    RATE = 2.0\n    return y * RATE\n",
        "5:9: error: local variable 'RATE' is read"),
    "read by its own first assignment in a loop": (
        "def f(x, n: int):\n    for i in range(n):\n        b = b + x\n    return x\n",
        "3:13: error: local variable 'b' is read"),
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


# --------------------------------------------------------------------------- constructs named, names checked

def test_starred_assignment_target_is_named_and_falls_back_correctly(cli):
    source = "def f(x):\n    a, *b = x, 1.0, 2.0\n    return a * x + b[1]\n"
    assert cli(source) == (0, "", "m.py:2:8: warning: f: a starred assignment target is not supported by the "
                                  "compiler; grad_f uses the eager tape\n")
    _, module = fuzzing.pure_build(source, "m.py")
    assert module.f(0.7) == fuzzing.run_source(source, "f")(0.7)
    assert module.grad_f(0.7) == pytest.approx(1.4, abs=1e-15)  # d/dx x * x


@pytest.mark.parametrize("source,position", [("def f(x):\n    yield x\n", "2:5"),
                                             ("def f(x):\n    y = yield x\n    return y\n", "2:9")],
                         ids=["a yield statement", "a yield expression"])
def test_generator_is_named(cli, source, position):
    assert cli(source) == (0, "", f"m.py:{position}: warning: f: a generator (yield) is not supported by the "
                                  "compiler; grad_f uses the eager tape\n")


NAME_ERRORS = {
    "numpy without its import": ("def f(x):\n    return np.sin(x)\n", "2:12: error: name 'np' is not defined"),
    "math without its import, as a value": ("def f(x):\n    return math.pi * x\n",
                                            "2:12: error: name 'math' is not defined"),
    "an undefined function before its undefined argument": ("def f(x):\n    return foo(bar)\n",
                                                            "2:12: error: name 'foo' is not defined"),
    "a misspelt math function": ("import math\n\n\ndef f(x):\n    return math.sinn(x)\n",
                                 "5:12: error: module 'math' has no attribute 'sinn'"),
    "a misspelt math constant": ("import math\n\n\ndef f(x):\n    return math.pii * x\n",
                                 "5:12: error: module 'math' has no attribute 'pii'"),
    "a misspelt NumPy function, aliased": ("import numpy as n\n\n\ndef f(x):\n    return n.tanhh(x)\n",
                                           "5:12: error: module 'numpy' has no attribute 'tanhh'"),
    "a misspelt function of a NumPy submodule": ("import numpy as np\n\n\ndef f(x):\n    return np.linalg.nrm(x)\n",
                                                 "5:12: error: module 'numpy.linalg' has no attribute 'nrm'"),
    "a misspelt name imported from math": ("from math import sinn\n\n\ndef f(x):\n    return sinn(x)\n",
                                           "1:18: error: cannot import name 'sinn' from 'math'"),
}


@pytest.mark.parametrize("source,message", NAME_ERRORS.values(), ids=NAME_ERRORS.keys())
def test_name_python_would_not_find_is_an_error_at_build_time(cli, tmp_path, source, message):
    with pytest.raises((NameError, AttributeError, ImportError)):  # Python fails where we say
        fuzzing.run_source(source, "f")(0.7)
    assert cli(source) == (2, "", f"m.py:{message}\n")
    assert not (tmp_path / "generated").exists()


def test_names_a_star_import_may_define_are_not_called_undefined(cli):
    source = "from math import *\n\n\ndef f(x):\n    return sin(x) * x\n"
    code, _, err = cli(source)
    assert code == 0 and "uses the eager tape" in err
    _, module = fuzzing.pure_build(source, "m.py")
    assert module.grad_f(0.7) == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7), abs=1e-14)


def test_real_library_functions_outside_the_subset_still_fall_back(cli):
    # np.linalg.norm and np.linalg.det compile now (tests/rules/test_linalg.py); np.moveaxis is still outside
    source = "import numpy as np\n\n\ndef f(a: np.ndarray):\n    return np.sum(np.moveaxis(a, 0, 1) * a)\n"
    code, _, err = cli(source)
    assert code == 0 and "the function 'np.moveaxis'" in err
    _, module = fuzzing.pure_build(source, "m.py")
    a = np.array([[1.0, 2.0, -0.5], [0.5, 3.0, 1.0], [-1.0, 0.25, 2.0]])
    # sum over i, j of a[j, i] a[i, j]: each element meets its mirror twice
    assert module.grad_f(a) == pytest.approx(2.0 * a.T, abs=1e-12)


# --------------------------------------------------------------------------- quoted source lines

@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\x85", "\u2028"], ids=["form feed", "file separator",
                                                                              "next line", "line separator"])
def test_source_line_comments_quote_the_line_they_name(separator):
    source = (f"def f(x):\n    # a separator {separator} in a comment\n    y = x * 2.0\n"
              f"    # another {separator} one\n    return y * x\n")
    generated, module = fuzzing.pure_build(source, "m.py")
    fuzzing.check_source(source, "f", (0.7,), [0], module)
    lines = source.split("\n")
    quoted = [line.split("# line ", 1)[1] for line in generated.text.splitlines() if "# line " in line]
    assert any(comment.startswith("5: return y * x") for comment in quoted)
    for comment in quoted:
        number, _, text = comment.partition(": ")
        if text:
            assert text == lines[int(number) - 1].strip(), comment


# --------------------------------------------------------------------------- messages

ARGUMENT_COUNTS = {
    "one argument too few": ("import math\n\n\ndef f(x):\n    return math.atan2(x)\n",
                             "5:12: warning: f: math.atan2() with 1 argument is not supported"),
    "one argument too many": ("import math\n\n\ndef f(x):\n    return math.sin(x, x)\n",
                              "5:12: warning: f: math.sin() with 2 arguments is not supported"),
    "no argument": ("import numpy as np\n\n\ndef f(x):\n    return np.sin() * x\n",
                    "5:12: warning: f: np.sin() with 0 arguments is not supported"),
    "a NumPy vector function": ("import numpy as np\n\n\ndef f(x: np.ndarray):\n    return np.dot(x)\n",
                                "5:12: warning: f: np.dot with 1 argument is not supported"),
}


@pytest.mark.parametrize("source,message", ARGUMENT_COUNTS.values(), ids=ARGUMENT_COUNTS.keys())
def test_argument_counts_are_singular_or_plural_as_english_wants(cli, source, message):
    code, _, err = cli(source)
    assert code == 0 and err.startswith(f"m.py:{message} by the compiler; grad_f uses the eager tape"), err


def test_maybe_unassigned_read_under_a_condition_that_calls_a_function_falls_back(cli):
    """Checking such a read ahead of its statement would call the function twice: the eager tape runs it as Python does."""
    source = ("def g(u):\n    return u - 1.0\n\n\ndef f(x, n: int):\n    for i in range(n):\n        q = x * x\n"
              "    return q if g(x) > 0.0 else x\n")
    code, _, err = cli(source)
    assert code == 0 and err.startswith("m.py:8:5: warning: f: the variable 'q', which may be unassigned, read under "
                                        "a condition that reads an array element or calls a function"), err
    _, module = fuzzing.pure_build(source, "m.py")
    assert module.grad_f(0.5, 0) == 1.0  # g(0.5) < 0: q is not read
    assert module.grad_f(1.5, 2) == pytest.approx(3.0, abs=1e-14)
    with pytest.raises(UnboundLocalError):
        module.grad_f(1.5, 0)
