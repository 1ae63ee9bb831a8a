"""srcgrad.eager.mathlib: Python's math for Tensors, and tensor_math(fn)."""

from __future__ import annotations

import math
from math import sin as imported_sin

import numpy as np
import pytest

import srcgrad.eager.mathlib as tmath
from srcgrad.eager import Tensor, constant, gradients_function
from srcgrad.eager.mathlib import tensor_math


def helper(x):
    return math.exp(x) * 2.0


def uses_math(x, n: int):
    total = 0.0
    for k in range(math.floor(n)):
        total = total + math.sin(x) * imported_sin(x) + helper(x) * k + math.pi
    return total + math.log(x, 2.0) + math.sqrt(x) + math.hypot(x, 1.0) + math.pow(x, 3.0)


def test_same_results_as_math_on_plain_numbers():
    for name in ("sin", "cos", "tan", "exp", "sqrt", "log1p", "atan", "tanh", "fabs", "degrees"):
        assert getattr(tmath, name)(0.7) == getattr(math, name)(0.7)
    assert tmath.atan2(1.0, 2.0) == math.atan2(1.0, 2.0) and tmath.log(8.0, 2.0) == math.log(8.0, 2.0)
    assert tmath.floor(2.7) == 2 and isinstance(tmath.floor(constant(2.7)), int)
    assert tmath.pi == math.pi and tmath.inf == math.inf


def test_tensors_are_recorded():
    y = tmath.sin(constant(0.5))
    assert isinstance(y, Tensor) and y.numpy() == pytest.approx(math.sin(0.5))
    with pytest.raises(AttributeError, match="fsum"):
        tmath.fsum


def test_math_on_a_tensor_would_drop_the_gradient_but_tensor_math_keeps_it():
    x = 0.8
    grad = tensor_math(uses_math)
    (dx, dn) = gradients_function(grad, params=[0, 1])(x, 3)
    h = 1e-6
    numeric = (uses_math(x + h, 3) - uses_math(x - h, 3)) / (2 * h)
    assert dx.numpy() == pytest.approx(numeric, rel=1e-6)
    assert dn is None
    assert tensor_math(uses_math)(x, 3) == pytest.approx(uses_math(x, 3))
    assert uses_math.__globals__["math"] is math  # the original is untouched
    assert np.isfinite(numeric)
