"""len(x) and x.shape[k] of an array whose dimensions nothing says read the shape tuple of the
NumPy array given. Compiled, that tuple was indexed without a bounds check: a number for x (a
0-d array) read past the end of () and crashed the interpreter (a segmentation fault) where
Python raises. Compiled and --pure, against the original."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build  # noqa: F401 (the fixture)
from support import PROGRAMS, assert_close, original_module

PATH = str(PROGRAMS / "lengths_of_numbers.py")


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_a_number_where_a_length_is_read_raises_as_python_does(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH)
    with pytest.raises(TypeError):
        original.scaled_by_length(0.7)
    for call in (module.scaled_by_length, module.grad_scaled_by_length, module.value_and_grad_scaled_by_length):
        with pytest.raises((IndexError, TypeError)):
            call(0.7)
    with pytest.raises(IndexError):
        original.columns_times_total(np.ones(3))
    for call in (module.columns_times_total, module.grad_columns_times_total):
        with pytest.raises(IndexError):
            call(np.ones(3))


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_arrays_of_every_rank_the_code_allows_still_work(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH)
    for x in (np.linspace(-1.0, 1.0, 5), np.ones((2, 3))):
        assert_close(module.scaled_by_length(x), original.scaled_by_length(x), 1e-14, 0.0, "value")
        assert_close(module.grad_scaled_by_length(x), -np.sin(x), 1e-14, 0.0, "gradient")
    X = np.arange(6.0).reshape(2, 3)
    assert_close(module.columns_times_total(X), 45.0, 0.0, 0.0, "value")
    assert_close(module.grad_columns_times_total(X), np.full((2, 3), 3.0), 0.0, 0.0, "gradient")
