"""The generated module's public functions: names, argument checks and result shapes (issues 10, 16, 17).

Every source here is built twice, compiled and --pure; values are checked against the original
Python, the eager engine and central finite differences (fuzzing.check_source), plus the
specific shapes and errors each test names.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

import fuzzing
from support import central_differences


def build(source: str, how: str, name: str):
    source = textwrap.dedent(source)
    if how == "pure":
        return fuzzing.pure_build(source, f"{name}.py")
    return fuzzing.compiled_build(source, f"generated_module_{name}.py")


def checked(source: str, how: str, name: str, cases: dict):
    """Build `source` and check each entry of `cases` ({function: args}) against the oracles."""
    generated, module = build(source, how, name)
    source = textwrap.dedent(source)
    for entry, args in cases.items():
        positions = [i for i, a in enumerate(args) if not isinstance(a, (bool, int))]
        fuzzing.check_source(source, entry, args, positions, module, entry, what=how)
    return generated, module


HOW = pytest.mark.parametrize("how", ["compiled", "pure"])


# --------------------------------------------------------------------------- issue 10.5

SCALAR_OVER_ARRAY = """
import numpy as np


def reciprocal_sum(x: np.ndarray) -> float:
    return np.sum(1.0 / x)


def siblings(x: np.ndarray) -> float:
    y = 2.0 - x
    z = 1.0 / x ** 2
    return np.sum(y * z) + np.sum(3.0 / (1.0 + x * x))
"""


@HOW
def test_scalar_over_whole_array_is_array_arithmetic(how):
    """np.sum(1.0 / x) raised `only 0-dimensional arrays can be converted` (a C double cast of
    an array) in compiled code; 2.0 - x and 1.0 / x ** 2 are the same construct path."""
    x = np.array([0.5, -1.3, 2.0])
    _, module = checked(SCALAR_OVER_ARRAY, how, "scalar_over_array",
                        {"reciprocal_sum": (x,), "siblings": (x,)})
    np.testing.assert_allclose(module.grad_reciprocal_sum(x), -1.0 / x ** 2, rtol=1e-14)
    np.testing.assert_allclose(module.reciprocal_sum(x), np.sum(1.0 / x), rtol=1e-14)


# --------------------------------------------------------------------------- issues 10.6 and 17

NAMESAKES = """
import math

import numpy as np


def tanh(x: float) -> float:
    return 2.0 * x


def exp(x: float) -> float:
    return x + 1.0


def sin(x: float) -> float:
    return x * x


def cube(x: float) -> float:
    return x + 10.0


def expm1(x: float) -> float:
    return np.exp(x) - 1.0 + math.tanh(x) + np.sin(x)


def calls_them(x: np.ndarray, a: float) -> float:
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 3 + cube(x[i]) + math.sin(x[i]) * sin(x[i])
    return s + tanh(a) + math.exp(a) + exp(a) + math.expm1(a) * expm1(a)
"""


@HOW
def test_user_functions_named_like_math_functions(how):
    """A user's tanh/exp/sin/cube/expm1 broke the C build ("Overriding a c(p)def method"),
    recursed in --pure, or was called for the runtime's helper (x ** 3 printed as cube(x));
    inside the user's expm1, np.exp became the user's exp."""
    x, a = np.array([0.3, -0.7, 1.1]), 0.4
    _, module = checked(NAMESAKES, how, "namesakes",
                        {"tanh": (0.3,), "exp": (0.3,), "sin": (0.3,), "cube": (0.3,), "expm1": (0.3,),
                         "calls_them": (x, a)})
    # the user's functions under their own names
    assert module.tanh(1.5) == 3.0 and module.exp(1.5) == 2.5 and module.sin(1.5) == 2.25
    assert module.cube(2.0) == 12.0
    assert module.expm1(0.3) == pytest.approx(math.exp(0.3) - 1.0 + math.tanh(0.3) + math.sin(0.3), rel=1e-15)
    assert module.grad_expm1(0.3) == pytest.approx(math.exp(0.3) + 1.0 - math.tanh(0.3) ** 2 + math.cos(0.3),
                                                   rel=1e-14)
    # d/dx of x**3 + (x + 10) + sin(x) * x**2, element by element
    elementwise = 3 * x ** 2 + 1.0 + np.cos(x) * x ** 2 + np.sin(x) * 2 * x
    gradient = module.grad_calls_them(x, a)
    np.testing.assert_allclose(gradient[0], elementwise, rtol=1e-13)
    assert gradient[1] == pytest.approx(3.0 + math.exp(a) + math.exp(a) * module.expm1(a)
                                        + math.expm1(a) * module.grad_expm1(a), rel=1e-13)


@HOW
def test_generated_code_reaches_the_runtime_through_private_aliases(how):
    generated, _ = build(NAMESAKES, how, "namesakes")
    text = generated.text
    assert "_math.exp(" in text and "_math.tanh(" in text
    assert "cimport exp" not in text and "import exp" not in text
    # x ** 3 stays the runtime's cube in C; the user's cube is called as its compiled primal
    if how == "compiled":
        assert "_scalar.cube(" in text
    assert "_cube_primal(" in text
