"""An array passed to a helper that reads its elements (issue 12): `def g(x): return x[0] * x[1] +
x[2] ** 2` called as `g(x) + np.sum(x ** 2)` fell back to the eager tape ('a whole array passed to
g, whose parameter x is a array1'). The call is inlined now (transform/inline_helpers.py): the
caller compiles as if it read x[0] * x[1] itself. Variants: a helper looping over x[i], one
reading X[i, j] (a fixed corner, and a double loop), the array and a number, the helper called
twice with different arrays, inside a loop, on an expression, and itself a public function.

One module, tests/programs/indexing_helpers.py, built once each way (compiled and --pure); the
value, gradient, jvp_ and hvp_ are checked against the original, central differences and the
eager engine (tests/every_mode.py), at edge shapes too.
"""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode, compiled_functions
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "indexing_helpers.py")
BUILDS = {"compiled": compiled_module, "pure": pure_module}

X4 = np.array([0.3, -0.7, 1.1, 0.4])
Y4 = np.array([0.9, 0.2, -0.5, 0.6])
M22 = np.array([[0.3, -0.2], [0.5, 0.8]])
M23 = np.array([[0.3, -0.2, 0.7], [0.5, 0.8, -0.1]])


def like(value, phase=0.0):
    return np.cos(1.3 * np.arange(value.size) + phase).reshape(value.shape) if isinstance(value, np.ndarray) else 0.4


CASES = [
    ("with_corner_terms", (X4,)),
    ("with_corner_terms", (X4[:3].copy(),)),
    ("with_weighted_sines", (X4,)),
    ("with_weighted_sines", (np.array([0.6]),)),
    ("with_weighted_sines", (np.zeros(0),)),
    ("with_determinant", (M22,)),
    ("with_determinant", (M23,)),
    ("with_grid_sum", (M23,)),
    ("with_grid_sum", (np.array([[0.7]]),)),
    ("with_grid_sum", (M23[:1].copy(),)),
    ("with_grid_sum", (np.zeros((0, 3)),)),
    ("with_a_number", (X4, 1.7)),
    ("twice", (X4, Y4)),
    ("in_a_loop", (X4, 3)),
    ("in_a_loop", (X4, 0)),
    ("of_an_expression", (X4,)),
    ("nested", (X4,)),
]


@pytest.fixture(scope="module", params=sorted(BUILDS))
def build(request):
    return BUILDS[request.param]


def test_every_caller_compiles():
    compiled = compiled_functions(PATH)
    assert {name for name, _ in CASES} <= compiled, sorted({name for name, _ in CASES} - compiled)
    assert "corner_terms" in compiled


@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{'x'.join(str(np.shape(a)) for a in args)}"
                                                    for n, args in CASES])
def test_value_gradient_jvp_hvp(build, name, args):
    direction = tuple(like(a, k) for k, a in enumerate(args) if isinstance(a, (float, np.ndarray)))
    check_every_mode(build, PATH, name, args, direction)


def test_the_helper_keeps_its_own_entries(build):
    check_every_mode(build, PATH, "corner_terms", (X4,), (like(X4),))
