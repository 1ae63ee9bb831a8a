"""NumPy reductions of Python lists and tuples of Tensors, as code the eager engine runs writes
them (`np.prod([np.cos(v / np.sqrt(i + 1)) for i, v in enumerate(x)])`, `np.mean([...])` of a
nested helper's results): NumPy would convert the list to a plain array and lose the gradient
(DroppedGradientError); numpylib stacks it first, so the reduction is recorded. Values against
NumPy, gradients against central differences."""

from __future__ import annotations

import numpy as np
import pytest

from support import assert_close, central_differences
from srcgrad.eager.fallback import eager_value_and_gradient

X = np.array([0.3, -1.1, 1.7, 0.45])


def griewank_product(x):
    return 1 + sum(v ** 2 for v in x) / 4000 - np.prod([np.cos(v / np.sqrt(i + 1)) for i, v in enumerate(x)])


def mean_of_nested_helper(x):
    def pair_norm(a, b):
        return np.sqrt(a * a + b * b)

    return np.mean([pair_norm(a, b) for a, b in zip(x[::2], x[1::2])])


def mixed_reductions(x):
    rows = np.sum([x, 2.0 * x], axis=0)
    return np.max([x[0], x[2]]) + np.std((x[1], x[3])) + rows[1] + np.cumprod([x[0], x[1], 3.0])[-1] \
        + np.var([x[0], 1.5]) + np.average([x[1], x[2]], weights=[1.0, 3.0]) + np.amin((x[0], x[3]))


def numbers_only(x):
    return np.sum([1.0, 2.0]) * np.sum(x)  # a list of plain numbers stays NumPy's


@pytest.mark.parametrize("function", [griewank_product, mean_of_nested_helper, mixed_reductions, numbers_only])
def test_reductions_of_lists_of_tensors_are_recorded(function):
    value, gradient = eager_value_and_gradient(function, (X.copy(),), (0,))
    assert_close(float(value), function(X.copy()), 1e-14, 1e-14, "value")
    assert_close(np.asarray(gradient), central_differences(function, (X.copy(),), [0])[0], 1e-7, 1e-8, "gradient")
