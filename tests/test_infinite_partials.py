"""An infinite partial times a zero cotangent or tangent contributes exactly 0 (issue 10).

sqrt and cbrt at 0, asin/acos at +-1, acosh at 1, x ** p (0 < p < 1) at 0, hypot and atan2 at
(0, 0) have an infinite (or nan) partial derivative where they themselves are finite. On a path
that is cut off (a zero-trip loop, a factor 0.0) the incoming derivative is 0 and so must be the
contribution: compiled code gave 0 * inf = nan and --pure raised ZeroDivisionError.

Each function below reaches its singular point at x = 1.0 through u = (x - 1) ** 2 (so the
function stays defined on both sides and central differences apply there), with n = 0 cutting
the path off. Gradients, jvp and hvp are checked against central differences (of the function,
or of grad_ for hvp), against the eager engine, and compiled against --pure.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fuzzing
from support import central_differences

SOURCE = """\
import math
import numpy as np


def cut_off_sqrt(x, n: int):
    r = math.sqrt((x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_guarded_sqrt(x, n: int):
    u = 1.0 - x
    if u >= 0.0:
        r = math.sqrt(u)
    else:
        r = math.sqrt(-u)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_asin(x, n: int):
    r = math.asin(1.0 - (x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_acos(x, n: int):
    r = math.acos((x - 1.0) ** 2 - 1.0)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_acosh(x, n: int):
    r = math.acosh(1.0 + (x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_power(x, n: int):
    r = ((x - 1.0) ** 2) ** 0.3
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_varying_power(x, n: int):
    r = ((x - 1.0) ** 2) ** (0.5 * x)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_hypot(x, n: int):
    u = (x - 1.0) ** 2
    r = math.hypot(u, u)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def zero_factor(x, c):
    return x * x + c * math.sqrt((x - 1.0) ** 2)


def array_sqrt(x: np.ndarray, c):
    r = np.sqrt((x - 1.0) ** 2)
    return np.sum(x * x + c * r)
"""

CUT_OFF = ["cut_off_sqrt", "cut_off_guarded_sqrt", "cut_off_asin", "cut_off_acos", "cut_off_acosh",
           "cut_off_power", "cut_off_varying_power", "cut_off_hypot"]

_BUILT = {}


def built(kind: str):
    if kind not in _BUILT:
        if kind == "pure":
            generated, module = fuzzing.pure_build(SOURCE, "infinite_partials.py")
        else:
            generated, module = fuzzing.compiled_build(SOURCE, "infinite_partials.py")
        assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
        _BUILT[kind] = module
    return _BUILT[kind]


def eager_gradient(name, args, positions):
    from srcgrad.eager import value_and_grad_of

    with np.errstate(all="ignore"):
        _, gradient = value_and_grad_of(fuzzing.run_source(SOURCE, name, eager=True), args, positions)
    return [np.asarray(g, dtype=float) for g in gradient]


def eager_hvp(name, args, positions, v):
    from srcgrad.eager import hvp_of

    with np.errstate(all="ignore"):
        return np.asarray(hvp_of(fuzzing.run_source(SOURCE, name, eager=True), args, positions, v), dtype=float)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name", CUT_OFF)
def test_cut_off_path_at_the_singular_point(kind, name):
    module, original = built(kind), fuzzing.run_source(SOURCE, name)
    args = (1.0, 0)
    expected = central_differences(lambda x: original(x, 0), (1.0,), [0])[0]
    assert math.isclose(expected, 2.0, rel_tol=1e-6)  # y * x = x * x
    gradient = getattr(module, "grad_" + name)(*args)
    assert math.isclose(gradient, expected, rel_tol=1e-6)
    assert math.isclose(gradient, float(eager_gradient(name, args, [0])[0]), rel_tol=1e-12)
    # forward mode: d_u = 2 (x - 1) d_x = 0 meets the infinite partial too
    assert math.isclose(getattr(module, "jvp_" + name)(*args, 0.5), 0.5 * expected, rel_tol=1e-6)
    # hvp: differences of grad_ along v = 0.75, and the eager engine's
    h = 1e-5
    grad = getattr(module, "grad_" + name)
    second = (grad(1.0 + h * 0.75, 0) - grad(1.0 - h * 0.75, 0)) / (2 * h)
    hvp = getattr(module, "hvp_" + name)(*args, 0.75)
    assert math.isclose(hvp, second, rel_tol=1e-6) and math.isclose(hvp, 1.5, rel_tol=1e-12)
    assert math.isclose(hvp, float(eager_hvp(name, args, [0], [0.75])[0]), rel_tol=1e-12)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name", CUT_OFF)
def test_path_taken_away_from_the_singular_point(kind, name):
    """Where the path is taken (n = 2) and the function smooth (x = 0.6), nothing changed."""
    module, original = built(kind), fuzzing.run_source(SOURCE, name)
    args = (0.6, 2)
    expected = central_differences(lambda x: original(x, 2), (0.6,), [0])[0]
    gradient = getattr(module, "grad_" + name)(*args)
    assert math.isclose(gradient, expected, rel_tol=1e-6)
    assert math.isclose(gradient, float(eager_gradient(name, args, [0])[0]), rel_tol=1e-12)
    assert math.isclose(getattr(module, "jvp_" + name)(*args, 0.5), 0.5 * gradient, rel_tol=1e-12)
    h = 1e-5
    grad = getattr(module, "grad_" + name)
    second = (grad(0.6 + h, 2) - grad(0.6 - h, 2)) / (2 * h)
    assert math.isclose(getattr(module, "hvp_" + name)(*args, 1.0), second, rel_tol=1e-5)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_zero_factor_at_the_singular_point(kind):
    """x * x + c * sqrt((x - 1) ** 2) at c = 0, x = 1: the cotangent of the sqrt is c = 0."""
    module, original = built(kind), fuzzing.run_source(SOURCE, "zero_factor")
    args = (1.0, 0.0)
    expected = central_differences(original, args, [0, 1])
    assert math.isclose(expected[0], 2.0, rel_tol=1e-6) and abs(expected[1]) < 1e-9
    gradient = module.grad_zero_factor(*args)
    assert math.isclose(gradient[0], expected[0], rel_tol=1e-6) and gradient[1] == 0.0
    engine = eager_gradient("zero_factor", args, [0, 1])
    assert math.isclose(gradient[0], float(engine[0]), rel_tol=1e-12) and float(engine[1]) == 0.0
    assert math.isclose(module.jvp_zero_factor(*args, (0.5, 0.0)), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_whole_array_sqrt_at_a_zero_element(kind):
    """np.sqrt of an array with a 0 element, times c = 0: np.where, not 0 * inf."""
    module, original = built(kind), fuzzing.run_source(SOURCE, "array_sqrt")
    x = np.array([1.0, 0.5, 2.0])
    expected = central_differences(original, (x.copy(), 0.0), [0, 1])
    np.testing.assert_allclose(expected[0], 2 * x, rtol=1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        gradient = module.grad_array_sqrt(x.copy(), 0.0)
        engine = eager_gradient("array_sqrt", (x.copy(), 0.0), [0, 1])
        np.testing.assert_allclose(gradient[0], expected[0], rtol=1e-6)
        assert math.isclose(gradient[1], expected[1], rel_tol=1e-6)
        np.testing.assert_allclose(gradient[0], engine[0], rtol=1e-12)
        assert math.isclose(gradient[1], float(engine[1]), rel_tol=1e-12)
        v = np.array([0.75, -0.5, 1.0])
        assert math.isclose(module.jvp_array_sqrt(x.copy(), 0.0, (v, 0.0)), float(np.dot(gradient[0], v)), rel_tol=1e-12)
