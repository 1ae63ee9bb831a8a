"""Calls between functions of a module and small Python sequences used as vectors.

- Arrays passed to and returned from other functions (`r = residual(x)` then `np.sum(r * r)`):
  the caller's adjoint goes through the callee's adjoint whatever the call returns (a whole array
  result was once dropped, giving a zero gradient).
- Helpers whose bodies read as scalar code, called with arrays (`sigmoid(X @ w)`, `cube(x)` beside
  `cube(x[0])`): the call is inlined, so the helper's arithmetic runs on the array.
- Sequences: list and tuple literals, `for a in x`, enumerate, zip, len of a list, a list indexed
  by a loop variable; loops counted down (`for a in reversed(c)`, `reversed(range(...))`) and
  `enumerate(zip(x, y))`; module constants bound by `A, B = 2.0, 0.5` and `A = B = 0.75`.
- Forward mode: a value that only measures a varying array (np.arange(len(x))) has no tangent.

Each function is checked compiled and --pure: value, gradient against central differences and
the eager engine, jvp against the gradient, hvp against differences of eager gradients.
"""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad.generate import generate
from support import PROGRAMS, central_differences, compiled_module, pure_module

CALLS = str(PROGRAMS / "calls.py")
RNG = np.random.default_rng(7)
X4 = np.array([0.3, -0.7, 1.1, 0.45])
D4 = np.array([0.5, 1.0, -0.25, 0.8])
X_DATA = RNG.normal(size=(5, 3))
T01 = np.array([1.0, 0.0, 1.0, 1.0, 0.0])

CALL_CASES = [
    ("rosenbrock_by_residual", (X4,), (D4,)),
    ("chained_helpers", (X4,), (D4,)),
    ("passed_through", (X4,), (D4,)),
    ("array_and_number_arguments", (X4, 0.7), (D4, -0.4)),
    ("logistic_loss", (np.array([0.4, -0.8, 0.25]), X_DATA, T01), (np.array([1.0, 0.5, -0.3]), np.zeros((5, 3)),
                                                                    np.zeros(5))),
    ("scalar_helpers_on_arrays", (X4,), (D4,)),
    ("nested_specialisations", (X4,), (D4,)),
    ("rbf_energy", (X4, 0.8), (D4, 0.3)),
    ("position_weighted", (X4,), (D4,)),
]


@pytest.mark.parametrize("name,args,direction", CALL_CASES, ids=[c[0] for c in CALL_CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_calls(build, name, args, direction):
    check_every_mode(build, CALLS, name, args, direction)


def test_an_array_valued_callee_passes_its_gradient_back():
    # r = residual(x) then np.sum(r * r): before the fix the call's adjoint was never emitted
    module = pure_module(CALLS)
    x = np.array([0.5, 1.5, -0.5])
    r = x[1:] - x[:-1] ** 2
    expected = np.zeros(3)
    expected[1:] += 200.0 * r
    expected[:-1] += -400.0 * r * x[:-1] - 2.0 * (1.0 - x[:-1])
    assert np.allclose(module.grad_rosenbrock_by_residual(x), expected, rtol=1e-13, atol=1e-13)


def test_scalar_helpers_are_inlined_where_they_take_arrays():
    generated = generate((PROGRAMS / "calls.py").read_text(), CALLS, pure=True)
    assert {r.name for r in generated.reports if not r.compiled} == set()
    logistic = generated.function_sources["logistic_loss"]
    # the helper's arithmetic on the array, no call of its scalar primal
    assert "np.exp(" in logistic and "_sigmoid_primal(" not in logistic
    # a call with numbers keeps calling the compiled scalar helper
    assert "_cube_primal(" in generated.function_sources["scalar_helpers_on_arrays"]


@pytest.mark.parametrize("source,reason", [
    # a conditional on an array is an error in Python: the helper is not inlined
    ("def relu(z):\n    return z if z > 0 else 0.0\n\n\ndef f(x):\n    return np.sum(relu(x))\n",
     "a whole array passed to 'relu', whose parameter 'z' is a double (a conditional there"),
    # math.exp takes numbers only
    ("def e(z):\n    return math.exp(z)\n\n\ndef f(x):\n    return np.sum(e(x))\n",
     "a function of the math module, which takes numbers only"),
    ("def g(z: float):\n    return z * 2.0\n\n\ndef f(x):\n    return np.sum(g(x))\n", "annotated parameters"),
    # the helper's CENTRE is the module's; the caller's own CENTRE would capture it
    ("CENTRE = 1.0\n\n\ndef g(z):\n    return z - CENTRE\n\n\ndef f(x):\n    CENTRE = 2.0\n"
     "    return np.sum(g(x)) * CENTRE\n", "which reads the module's 'CENTRE' that the caller's own 'CENTRE' hides"),
])
def test_helpers_that_cannot_take_arrays_fall_back_with_the_reason(source, reason):
    generated = generate("import math\n\nimport numpy as np\n\n" + source, "refused.py", pure=True)
    assert [r.name for r in generated.reports if not r.compiled] == ["f"]
    assert reason in generated.diagnostics[0].message, generated.diagnostics[0].message


SEQUENCES = str(PROGRAMS / "sequence_loops.py")
X5 = np.array([0.3, -0.7, 1.1, 0.45, -0.2])
D5 = np.array([0.5, 1.0, -0.25, 0.8, 0.3])

SEQUENCE_CASES = [
    ("horner", (X4, 0.7), (D4, 0.3)),
    ("backward_recurrence", (X5,), (D5,)),
    ("reversed_strided_range", (X5,), (D5,)),
    ("reversed_literal_and_constant", (X4,), (D4,)),
    ("enumerated_pairs", (X4, X4[::-1].copy()), (D4, D4 * 0.5)),
    ("list_indexed_by_loop_variable", (X4,), (D4,)),
    ("unpacked_module_constants", (X4,), (D4,)),
]


@pytest.mark.parametrize("name,args,direction", SEQUENCE_CASES, ids=[c[0] for c in SEQUENCE_CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_sequences(build, name, args, direction):
    check_every_mode(build, SEQUENCES, name, args, direction)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 6])
@pytest.mark.parametrize("start,step", [(0, 1), (1, 2), (2, 3), (-3, 2)])
def test_reversed_range_visits_what_python_visits(n, start, step):
    # the bounds reversed(range(start, n, step)) counts down by, for empty ranges too
    source = ("def f(x, n: int, start: int):\n    s = 0.0\n"
              f"    for i in reversed(range(start, n, {step})):\n        s = s * 0.5 + x * i\n    return s\n")
    namespace = {}
    exec(compile(generate(source, "reversed.py", pure=True).text, "reversed_grad.py", "exec"), namespace)
    expected = 0.0
    for i in reversed(range(start, n, step)):
        expected = expected * 0.5 + 1.3 * i
    assert namespace["f"](1.3, n, start) == expected


@pytest.mark.parametrize("source,reason", [
    ("def f(x):\n    s = 0.0\n    for i in reversed(range(5, 0, -1)):\n        s += x * i\n    return s\n",
     "reversed(range(...)) with a step that is not a positive integer constant"),
    ("def f(x):\n    s = 0.0\n    for i, (a, b) in enumerate(zip(x, x, x)):\n        s += a * b\n    return s\n",
     "this call of zip inside enumerate"),
])
def test_refused_loops_fall_back_with_the_reason(source, reason):
    generated = generate("import numpy as np\n\n\n" + source, "refused.py", pure=True)
    assert [r.compiled for r in generated.reports] == [False]
    assert reason in generated.diagnostics[0].message, generated.diagnostics[0].message


GUARDED = """\
import numpy as np


def tridiagonal(x):
    n = len(x)
    total = 0.0
    for i in range(n):
        left = x[i - 1] if i > 0 else 0.0
        right = x[i + 1] if i < n - 1 else 0.0
        total += ((3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0) ** 2
    return total


def rectified(x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] if x[i] > 0 else 0.1 * x[i]
    return total
"""


def test_an_element_a_conditional_expression_guards_falls_back():
    # bounds checks run before the statement, as if both arms ran: x[i + 1] at i = n - 1 raised
    # IndexError where Python never reads it. Now the function falls back with the reason; an arm
    # whose element the condition itself reads (x[i] if x[i] > 0) still compiles.
    generated = generate(GUARDED, "guarded.py", pure=True)
    assert {r.name: r.compiled for r in generated.reports} == {"tridiagonal": False, "rectified": True}
    assert "an element of 'x' read in a conditional expression whose condition may keep its index in bounds" \
        in generated.diagnostics[0].message
    namespace, original = {}, {}
    exec(compile(generated.text, "guarded_grad.py", "exec"), namespace)
    exec(compile(GUARDED, "guarded.py", "exec"), original)
    x = np.array([0.3, -0.7, 1.1, 0.45])
    assert namespace["tridiagonal"](x) == original["tridiagonal"](x)
    expected = central_differences(original["tridiagonal"], (x,), [0])[0]
    assert np.allclose(namespace["grad_tridiagonal"](x), expected, rtol=1e-6, atol=1e-7)
