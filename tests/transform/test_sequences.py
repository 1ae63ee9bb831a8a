"""Small Python sequences used as vectors compile: list and tuple literals (of expressions, nested
`[0.0] * n`, inside loops), `for a in x` over arrays, lists, tuples and module
constants and whole-array values (x[1:]), `enumerate`, `zip`, `len` of a list, `a, b = x`,
`sum(... for ... in ...)`. Each is checked compiled and --pure (value,
gradient, jvp, hvp) against finite differences and the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad.diagnostics import Unsupported
from srcgrad.generate import generate
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "sequences.py")
X3 = np.array([0.3, -0.7, 1.1])
D3 = np.array([0.5, 1.0, -0.25])
X4 = np.array([0.3, -0.7, 1.1, 0.45])
D4 = np.array([0.5, 1.0, -0.25, 0.8])

CASES = [
    ("list_literal", (X3,), (D3,)),
    ("for_over_array", (X4, 0.6), (D4, 0.3)),
    ("for_over_literal", (X3,), (D3,)),
    ("enumerate_and_zip", (X4,), (D4,)),
    ("module_sequences", (X3,), (D3,)),
    ("list_in_loop", (np.array([0.4, -0.2]), 5), (np.array([1.0, 0.5]),)),
    ("repeated_list", (X4,), (D4,)),
    ("unpacked", (X3,), (D3,)),
    ("unpacked_constant", (X4 * 2.0,), (D4,)),
    ("summed_generators", (X4, 3), (D4,)),
    ("zipped_slices", (X4,), (D4,)),
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_sequence(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)


def _reason(source: str) -> str:
    generated = generate("import numpy as np\n\n\n" + source, "refused.py", pure=True)
    assert [r.compiled for r in generated.reports] == [False]
    return generated.diagnostics[0].message


@pytest.mark.parametrize("source,reason", [
    ("def f(x):\n    w = (x, 2.0)\n    w[0] = 1.0\n    return w[0]\n", "assigning an element of the tuple 'w'"),
    ("def f(x):\n    w = [[x], [x, x]]\n    return w[0, 0]\n", "a nested list or tuple"),
    ("def f(x: np.ndarray):\n    s = 0.0\n    for a in x:\n        x = x * 2.0\n        s += a\n    return s\n",
     "a for loop over a sequence that its body assigns anew"),
    ("def f(x):\n    s = x\n    for i, a in enumerate([x, x], 1):\n        s += a\n    return s\n",
     "this call of enumerate"),
    ("def f(x):\n    w = [2.0] * 3\n    return w[0] * x\n", "a repeated list of something other than 0.0 or 1.0"),
    # Python sums only when x[0] <= 0: a loop hoisted before the return would always run
    ("def f(x: np.ndarray):\n    return x[0] if x[0] > 0 else sum(v for v in x)\n", "a generator expression"),
    # Python iterates the view x[1:], which the element write shows through
    ("def f(x: np.ndarray):\n    s = 0.0\n    for a in x[1:]:\n        x[0] = a\n        s += x[0] * a\n    return s\n",
     "a for loop over an array expression whose arrays the body writes"),
])
def test_refused_sequences_fall_back_with_the_reason(source, reason):
    assert reason in _reason(source)


def test_swapping_elements_reads_the_old_values_first():
    module = pure_module(PATH)
    # list_in_loop's `state = [state[1], ...]` reads both old elements before writing either
    x = np.array([0.4, -0.2])
    state, total = [x[0], x[1]], 0.0
    for _ in range(5):
        state = [state[1], -0.3 * state[0] + 0.9 * state[1] * np.cos(state[0])]
        total += state[0] * state[1]
    assert module.list_in_loop(x, 5) == pytest.approx(total + 2 * state[0], rel=1e-14)
    assert Unsupported  # the refusals above raise it inside the compiler, reported as warnings


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_unpacking_an_array_of_another_length_raises_as_python_does(build):
    with pytest.raises(ValueError):
        original = {}
        exec("def unpack(x):\n    x1, x2, x3 = x\n", original)
        original["unpack"](np.ones(2))
    with pytest.raises(ValueError, match="cannot unpack the array 'x' into 3 values"):
        build(PATH).grad_unpacked(np.ones(2))
