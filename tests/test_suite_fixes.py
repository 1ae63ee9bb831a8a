"""Regression tests for compiler bugs the test suite found after the array, slicing and
reduction work landed. Each compares the compiled and --pure builds with central finite
differences and the eager engine (fuzzing.check_source), and checks forward mode explicitly."""

from __future__ import annotations

import numpy as np
import pytest

import fuzzing
from support import central_differences

BUILDS = {"pure": lambda source, name: fuzzing.pure_build(source)[1],
          "compiled": lambda source, name: fuzzing.compiled_build(source, name)[1]}

CONSTRUCTED_THEN_WRITTEN = """\
import numpy as np


def constructed_then_written(x):
    n = len(x)
    t = np.linspace(0.0, 1.0, n)
    r = np.arange(0.0, n)
    for i in range(n):
        t[i] = t[i] * x[i]
        r[i] += x[i] ** 2
    return np.sum(t * r)
"""


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_tangent_of_a_constructed_array_later_written(build):
    # np.linspace's value does not vary, but t's elements do later: its tangent in forward mode
    # is an array of zeros, not the number 0.0 (Cython refused `d_t = 0.0` for a memoryview)
    module = BUILDS[build](CONSTRUCTED_THEN_WRITTEN, "suite_fix_constructed_then_written.py")
    x = np.array([0.3, -1.2, 0.7, 2.0])
    fuzzing.check_source(CONSTRUCTED_THEN_WRITTEN, "constructed_then_written", (x,), [0], module, what=build)
    direction = np.array([1.0, 0.5, -2.0, 0.25])
    f = fuzzing.run_source(CONSTRUCTED_THEN_WRITTEN, "constructed_then_written")
    (gradient,) = central_differences(f, (x,), [0])
    tangent = module.jvp_constructed_then_written(x.copy(), direction)
    assert tangent == pytest.approx(float(np.dot(gradient, direction)), rel=1e-6)


ONE_NORM = """\
import numpy as np


def one_norm(x: np.ndarray):
    return np.linalg.norm(x, 3)
"""


def test_a_norm_outside_the_subset_is_named_as_written_and_falls_back():
    # the warning named it "np.norm", a function NumPy does not have (ord 3 is outside the subset)
    generated, module = fuzzing.pure_build(ONE_NORM, "m.py")
    assert [d.format() for d in generated.diagnostics] == [
        "m.py:5:12: warning: one_norm: np.linalg.norm with an ord other than None, 1, 2 or inf is not "
        "supported by the compiler; grad_one_norm uses the eager tape"]
    x = np.array([0.6, -0.8, 1.2])
    f = fuzzing.run_source(ONE_NORM, "one_norm")
    norm = (0.6 ** 3 + 0.8 ** 3 + 1.2 ** 3) ** (1 / 3)
    assert module.one_norm(x) == f(x) == pytest.approx(norm, abs=1e-14)
    (expected,) = central_differences(f, (x,), [0])
    assert module.grad_one_norm(x) == pytest.approx(expected, rel=1e-6)
    assert module.grad_one_norm(x) == pytest.approx(np.sign(x) * x ** 2 / norm ** 2, abs=1e-14)
