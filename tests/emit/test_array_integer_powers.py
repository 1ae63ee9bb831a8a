"""`a ** 3` and `a ** 4` of whole arrays print as _vector.integer_power (runtime/vector.py), which
multiplies instead of calling pow for each element as NumPy's power does (a hundred times the
cost): the generated code uses it, and every way of differentiating still agrees with the
original, central differences and the eager engine, compiled and --pure. An integer array keeps
NumPy's integer power."""

from __future__ import annotations

import numpy as np
import pytest

from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate
from srcgrad.runtime import vector

PATH = str(PROGRAMS / "array_integer_powers.py")
RNG = np.random.default_rng(12)
X = np.array([-1.7, -0.4, 0.3, 1.1, 2.6])
CASES = [
    ("quartic_well", (X,), (0,)),
    ("cubed_residuals", (RNG.normal(size=3), RNG.normal(size=(6, 3)), RNG.normal(size=6)), (0, 1, 2)),
    ("integer_weights_cubed", (X, 5), (0,)),
]


@pytest.fixture(scope="module", params=["compiled", "pure"])
def module(request):
    return compiled_module(PATH) if request.param == "compiled" else pure_module(PATH)


def test_the_generated_code_multiplies():
    text = generate(open(PATH).read(), PATH).text
    assert "_vector.integer_power(x, 4)" in text and "_vector.integer_power(x, 3)" in text
    assert "_vector.integer_power(r, 3.0)" in text and "_vector.integer_power(w, 4.0)" in text
    code = [line.split("#")[0] for line in text.splitlines()]
    assert not [line for line in code if "x ** 3" in line or "x ** 4" in line]


@pytest.mark.parametrize("name, args, positions", CASES)
def test_every_way_agrees(module, name, args, positions):
    original = getattr(original_module(PATH), name)
    assert_close(getattr(module, name)(*args), original(*args), 1e-12, 1e-12, f"{name} value")
    gradient = getattr(module, "grad_" + name)(*args)
    gradient = gradient if len(positions) > 1 else (gradient,)
    assert_close(gradient, central_differences(original, args, list(positions)), 1e-6, 1e-7, "differences")
    _, eager = eager_value_and_gradient(original, args, positions)
    assert_close(gradient, eager if len(positions) > 1 else (eager,), 1e-12, 1e-12, "eager engine")
    direction = tuple(np.cos(np.arange(np.size(args[p])) + p).reshape(np.shape(args[p])) for p in positions)
    tangents = direction if len(positions) > 1 else direction[0]
    along = sum(float(np.sum(g * d)) for g, d in zip(gradient, direction))
    assert_close(getattr(module, "jvp_" + name)(*args, tangents), along, 1e-12, 1e-12, "jvp")
    step = 1e-5

    def eager_gradient(sign):
        moved = list(args)
        for p, d in zip(positions, direction):
            moved[p] = args[p] + sign * step * d
        g = eager_value_and_gradient(original, tuple(moved), positions)[1]
        return g if len(positions) > 1 else (g,)

    expected = tuple((u - d) / (2 * step) for u, d in zip(eager_gradient(1), eager_gradient(-1)))
    hvp = getattr(module, "hvp_" + name)(*args, tangents)
    assert_close(hvp if len(positions) > 1 else (hvp,), expected, 1e-5, 1e-6, "hvp")


def test_integer_power_is_numpy_power():
    x = RNG.normal(size=200) * 3.0
    for exponent in (3, 4, 3.0, 4.0):
        got = vector.integer_power(x, exponent)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, np.power(x, exponent), rtol=4e-16 * 4, atol=0.0)
    assert vector.integer_power(x, 3) is not x
    whole = np.arange(-3, 4)
    for exponent in (3, 4.0):  # integers keep NumPy's dtype rules: int ** int is int, ** 4.0 float
        got = vector.integer_power(whole, exponent)
        assert got.dtype == (whole ** exponent).dtype and np.array_equal(got, whole ** exponent)
    assert vector.integer_power(np.array(1.5), 3) == 1.5 ** 3 and vector.integer_power(-2.0, 4) == 16.0
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0])
    np.testing.assert_array_equal(vector.integer_power(special, 3), special ** 3)
