"""What issue 12's measurement on outside code (an optimization test collection's objective
functions, an AD tool's test functions, adapted as module functions) found the compiler did not
read, now compiled: a module array constant times an element of a parameter (`x[0] * A`: the
adjoint of x[0] was not summed, the compiled entries crashed), np.tril / np.triu (the eager
engine had no rule either), sizes inside np.arange (`np.arange(1.0, np.size(x) + 1.0)` was taken
for a value with a derivative), an integer default counting elements (`np.arange(kmax + 1)`),
np.sum of a list comprehension, slices of expressions (`np.roll(x, -1)[:-1]`, `x[1:].sum()`),
and nested helper functions that close over nothing (read as
module functions). Each is checked compiled and --pure (value, gradient, jvp, hvp) against
finite differences and the eager engine; a nested function that reads a local of its enclosing
one still falls back, with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate
from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "outside_constructs.py")
X3 = np.array([0.6, 0.35, -0.2])
D3 = np.array([0.5, -1.0, 0.25])
X4 = np.array([0.3, -0.7, 1.1, 0.45])
D4 = np.array([0.5, 1.0, -0.25, 0.8])

CASES = [
    ("decay_fit", (X3,), (D3,)),
    ("scaled_constant", (X3,), (D3,)),
    ("lower_triangle", (X4,), (D4,)),
    ("running_squares", (X4,), (D4,)),
    ("weighted_by_position", (X4,), (D4,)),
    ("truncated_series", (X4 * 0.5, 0.5, 2.0, 3), (D4, 0.3, -0.2)),
    ("comprehension_sum", (X4,), (D4,)),
    ("nested_helpers", (X4,), (D4,)),
    ("rolled_neighbours", (X4,), (D4,)),
    ("sliced_results", (X4,), (D4,)),
    ("growth_curve", (np.array([1.5, 0.4, 0.8, 1.7]),), (D4,)),
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_outside_construct(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)


def test_an_element_times_a_module_array_sums_its_adjoint():
    """d/dx0 of sum((x0 * A - x1)^2) is sum(2 (x0 A - x1) A): a number, as x[0] is."""
    x = np.array([0.7, -0.3, 1.5])
    rates = original_module(PATH).RATES
    expected = 2 * (x[0] * rates - x[1]) @ rates + x[2] * np.sum(rates * rates)
    for build in (compiled_module, pure_module):
        gradient = build(PATH).grad_scaled_constant(x)
        assert_close(gradient[0], expected, 1e-12, 1e-12, "d/dx0 of scaled_constant")


def test_the_size_of_a_vector_is_no_derivative():
    """np.arange(1.0, np.size(x) + 1.0) is a constant array: the compiled code keeps it so."""
    generated = generate(open(PATH).read(), PATH, pure=True, only=["weighted_by_position"])
    assert [r.compiled for r in generated.reports] == [True]
    assert not generated.diagnostics


def test_an_integer_default_counts_and_a_float_one_keeps_its_derivative():
    source = ("import numpy as np\n\n\ndef counted(x, kmax=3):\n    return np.sum(np.arange(kmax + 1) * x[0])\n\n\n"
              "def timed(x, t_end=1.1, dt=0.25):\n    return np.sum(np.sin(np.arange(0.0, t_end, dt)) * x[0])\n")
    generated = generate(source, "counts.py", pure=True)
    assert {r.name: r.compiled for r in generated.reports} == {"counted": True, "timed": False}
    assert "np.arange of a value with a derivative" in generated.diagnostics[0].message


def test_np_tril_on_the_eager_tape_against_differences():
    def f(x):
        m = np.outer(x, x)
        return np.sum(np.tril(m, -1) ** 2) + np.sum(np.triu(x, 1) * m)

    _, gradient = eager_value_and_gradient(f, (X4,), (0,))
    (expected,) = central_differences(f, (X4,), [0])
    assert_close(gradient, expected, 1e-6, 1e-8, "eager gradient of np.tril / np.triu")


def test_a_nested_function_becomes_a_private_module_function():
    module = pure_module(PATH)
    assert not any("bump" in name for name in dir(module) if not name.startswith("_"))
    assert module.nested_helpers(X4) == pytest.approx(original_module(PATH).nested_helpers(X4), rel=1e-14)


def test_a_closure_still_falls_back_with_the_reason():
    generated = generate(open(PATH).read(), PATH, pure=True, only=["closes_over_a_local"])
    assert [r.compiled for r in generated.reports] == [False]
    (diagnostic,) = generated.diagnostics
    assert "a nested function is not supported" in diagnostic.message
    assert diagnostic.line == open(PATH).read().splitlines().index("    def term(v):") + 1
    gradient = pure_module(PATH).grad_closes_over_a_local(X4)
    (expected,) = central_differences(original_module(PATH).closes_over_a_local, (X4,), [0])
    assert_close(gradient[0] if isinstance(gradient, tuple) else gradient, expected, 1e-6, 1e-8, "closure fallback")


@pytest.mark.parametrize("source", [
    # redefined: which one a call finds depends on the order
    "def f(x):\n    def g(t):\n        return t * t\n\n    y = g(x)\n\n    def g(t):\n        return -t\n\n"
    "    return y + g(x)\n",
    # passed as a value
    "def f(x):\n    def g(t):\n        return t * t\n\n    h = g\n    return h(x)\n",
    # defined under a condition
    "def f(x):\n    if x > 0:\n        def g(t):\n            return t * t\n    else:\n        def g(t):\n"
    "            return -t\n    return g(x)\n",
])
def test_nested_functions_python_binds_otherwise_fall_back(source):
    generated = generate("import numpy as np\n\n\n" + source, "nested.py", pure=True)
    assert [r.compiled for r in generated.reports] == [False]
