"""Every rank an expression can meet: each function of tests/programs/shape_edges.py (one
whole-array expression of x and y) at every pair of shapes from 0-d to 3-D where NumPy computes
it, built --pure. Its value must be NumPy's and its gradient central differences' of the
original; or the call must fail loudly (a rank it was not compiled for, an operation the eager
tape has no rule for), never give another number. Wrong values this found: a copy inside an
expression had a gradient of 0, np.inner of a 3-D array and einsum broadcasting a row were
different numbers, max() of a (1, n) matrix was np.max."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from support import PROGRAMS, original_module, pure_module
from srcgrad.eager.errors import FallbackWarning

PATH = str(PROGRAMS / "shape_edges.py")
SHAPES = [(), (1,), (3,), (4,), (1, 3), (3, 1), (2, 3), (3, 3), (2, 3, 3), (2, 2, 3)]
NAMES = sorted(name for name, value in vars(original_module(PATH)).items()
               if callable(value) and getattr(value, "__module__", None) == original_module(PATH).__name__)
# failures that say what is wrong: a rank the function was compiled for, an eager rule missing
LOUD = (TypeError, ValueError, IndexError, ZeroDivisionError, ArithmeticError, NotImplementedError, LookupError)


def _argument(shape, rng):
    return float(rng.standard_normal()) if shape == () else rng.standard_normal(shape)


def _differences(f, x, y, step=1e-6):
    if np.ndim(x) == 0:
        return (f(x + step, y) - f(x - step, y)) / (2 * step)
    out = np.zeros(np.shape(x))
    for index in np.ndindex(np.shape(x)):
        moved = np.zeros(np.shape(x))
        moved[index] = step
        out[index] = (f(x + moved, y) - f(x - moved, y)) / (2 * step)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_rank_gives_numpys_value_and_gradient_or_a_loud_error(name):
    original, module = getattr(original_module(PATH), name), pure_module(PATH)
    rng = np.random.default_rng(len(name))
    checked = 0
    for x_shape, y_shape in itertools.product(SHAPES, SHAPES):
        x, y = _argument(x_shape, rng), _argument(y_shape, rng)
        try:
            with np.errstate(all="ignore"):
                expected = float(original(x, y))
        except Exception:  # noqa: BLE001 - NumPy refuses these shapes: nothing to compare
            continue
        if not np.isfinite(expected) or np.size(x) == 1 and name.startswith("var"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FallbackWarning)
            try:
                value = getattr(module, name)(x, y)
                gradient = getattr(module, "grad_" + name)(x, y)
            except LOUD:
                continue
        where = f"{name} at x {x_shape}, y {y_shape}"
        assert float(value) == pytest.approx(expected, rel=1e-10, abs=1e-12), where
        gradient_x = gradient[0] if isinstance(gradient, tuple) else gradient
        np.testing.assert_allclose(gradient_x, _differences(original, x, y), rtol=1e-5, atol=1e-6, err_msg=where)
        checked += 1
    assert checked >= 3, f"{name}: only {checked} shape pairs computed"
