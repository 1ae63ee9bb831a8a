"""Hessians where a rule with an unbounded partial meets a zero cotangent (found by the fuzzer,
seed 7007): `w * arccos(u)` at w = 0. Its gradient's u-entry `w * arccos'(u)` is guarded, `0 if
w == 0` (never 0 * inf), but the guard must not stop it moving with w: d/dw of that entry is
arccos'(u) = -1 at u = 0. Forward over reverse (compiled, --pure) and reverse over reverse (the
eager engine) each lost it at exactly w = 0 and gave 0."""

from __future__ import annotations

import numpy as np
import pytest

import fuzzing
import srcgrad

SOURCE = """
import math
import numpy as np


def weighted_arccos(w, u):
    return np.arccos(u) * w


def weighted_sqrt(w, u):
    return w * math.sqrt(u)


def through_a_minimum(w, u):
    s = u
    r = 1.0
    if -1.0 < min(s, s) < 1.0:
        r = np.arccos(min(s, s))
    return r * w - 2.0 * s
"""


def hessian(name: str, w: float, u: float) -> np.ndarray:
    if name == "weighted_sqrt":
        cross, second = 0.5 / np.sqrt(u), w * -0.25 * u ** -1.5
    else:  # w * arccos(u), both
        cross, second = -1.0 / np.sqrt(1.0 - u * u), w * -u / (1.0 - u * u) ** 1.5
    return np.array([[0.0, cross], [cross, second]])


@pytest.fixture(scope="module")
def builds():
    return {"pure": fuzzing.pure_build(SOURCE, "zero_cotangent.py")[1],
            "compiled": fuzzing.compiled_build(SOURCE, "zero_cotangent.py")[1]}


POINTS = [("weighted_arccos", 0.0, 0.0), ("weighted_arccos", 0.0, 0.5), ("weighted_arccos", 1.5, 0.5),
          ("through_a_minimum", 0.0, 0.0), ("weighted_sqrt", 0.0, 0.25), ("weighted_sqrt", 2.0, 0.25)]


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name, w, u", POINTS)
def test_hvp_at_a_zero_cotangent(builds, kind, name, w, u):
    direction = (0.75, -0.25)
    hvp = builds[kind].__dict__["hvp_" + name](w, u, direction)
    expected = hessian(name, w, u) @ np.array(direction)
    np.testing.assert_allclose(hvp, expected, rtol=1e-12, atol=1e-15)
    # and against central differences of the compiled gradient along the direction
    grad = builds[kind].__dict__["grad_" + name]
    step = 1e-6
    ahead = np.array(grad(w + step * direction[0], u + step * direction[1]))
    behind = np.array(grad(w - step * direction[0], u - step * direction[1]))
    np.testing.assert_allclose(hvp, (ahead - behind) / (2 * step), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, w, u", POINTS)
def test_eager_hvp_at_a_zero_cotangent(name, w, u):
    function = fuzzing.run_source(SOURCE, name, eager=True)
    direction = (0.75, -0.25)
    with pytest.warns(srcgrad.FallbackWarning):
        hvp = srcgrad.hvp(function)(w, u, direction)
    np.testing.assert_allclose(hvp, hessian(name, w, u) @ np.array(direction), rtol=1e-12, atol=1e-15)


def test_the_guard_still_keeps_infinity_out():
    """At u = 0, sqrt's partial is infinite: a zero w still gives a finite gradient, and the
    Hessian's u-column (its true value is infinite) is only asked along w here."""
    _, module = fuzzing.pure_build(SOURCE, "zero_cotangent.py")
    assert module.grad_weighted_sqrt(0.0, 0.0) == (0.0, 0.0)
    assert module.hvp_weighted_sqrt(0.0, 0.0, (0.0, 0.0)) == (0.0, 0.0)
    value = module.hvp_weighted_sqrt(0.0, 1e-300, (1.0, 0.0))
    assert value[0] == 0.0 and value[1] == pytest.approx(0.5 / np.sqrt(1e-300))
