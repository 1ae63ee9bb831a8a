"""Slice assignment (`y[1:] = ...`, `y[a:b] += ...`, `Y[:, j] = ...`, `y[::2] = ...`), slices and
whole-array NumPy inside loops (`np.sum(x[i:i + 3])`, `y = y * 0.5 + x`), arrays allocated inside
loops, 3-D arrays in element loops: each compiled and --pure, its value against the original
Python, its gradient against central differences and the eager engine, its jvp against the
gradient and its hvp against differences of eager gradients (tests/every_mode.py)."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode, compiled_functions
from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "slices_and_loops.py")
RNG = np.random.default_rng(1212)


def _v(*shape):
    return RNG.normal(size=shape)


CASES = [
    ("shift_into_zeros", (_v(5),)),
    ("shift_into_zeros", (_v(1),)),  # x[:-1] and y[1:] are empty
    ("add_into_window", (_v(6), 1, 4)),
    ("add_into_window", (_v(6), -4, -1)),
    ("add_into_window", (_v(6), 0, 0)),  # empty
    ("every_other_of_a_copy", (_v(6),)),
    ("every_other_of_a_copy", (_v(5),)),
    ("reversed_into_itself", (_v(5),)),
    ("columns_written", (_v(3, 4),)),
    ("rows_written", (_v(3, 4),)),
    ("scalar_into_every_other", (_v(5),)),
    ("vector_into_a_column", (_v(4),)),
    ("backwards_every_other_target", (_v(5),)),
    ("backwards_every_other_target", (_v(4),)),
    ("heat_stencil", (_v(6), 0.2, 4)),
    ("heat_stencil", (_v(2), 0.3, 2)),  # u[1:-1] is empty
    ("moving_window", (_v(6),)),
    ("row_products_in_a_loop", (_v(3, 4), _v(4))),
    ("prefix_and_suffix_sums", (_v(5),)),
    ("windows_written_in_a_loop", (_v(5),)),
    ("negative_bounds_in_a_loop", (_v(6), 4)),
    ("negative_bounds_in_a_loop", (_v(3), 5)),  # bounds past the start clip
    ("window_kept_in_a_variable", (_v(5),)),
    ("window_kept_in_a_variable", (_v(5), 2)),
    ("allocated_in_a_loop", (_v(4),)),
    ("copied_in_a_loop", (_v(4),)),
    ("reassigned_in_a_loop", (_v(4),)),
    ("gradient_steps", (_v(4), 0.3)),
    ("new_array_each_iteration", (_v(4),)),
    ("whole_then_elements_in_a_loop", (_v(4), _v(4))),
    ("written_whole_written_again", (_v(4),)),
    ("parameter_updated_in_a_loop", (_v(4), 0.3)),
    ("parameter_given_a_new_value", (_v(3),)),
    ("cube_filled", (_v(3),)),
    ("cube_parameter", (_v(2, 3, 4), _v(4))),
    ("cube_used_whole", (_v(4),)),
]


def _direction(args):
    return tuple(RNG.normal(size=np.shape(a)) for a in args if isinstance(a, (float, np.ndarray)))


@pytest.mark.parametrize("name,args", CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode(build, name, args):
    check_every_mode(build, PATH, name, args, _direction(args))


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_a_slice_assigned_a_value_of_another_length_raises_as_numpy_does(build):
    x = _v(6)
    with pytest.raises(ValueError):  # y[2:9] clips to 4 elements, x[:7] to 6
        original_module(PATH).add_into_window(x, 2, 9)
    for function in ("add_into_window", "grad_add_into_window"):
        with pytest.raises(ValueError, match="operands of different shapes at line"):
            getattr(build(PATH), function)(x, 2, 9)


def test_a_parameter_updated_in_place_is_not_the_callers_array():
    x = _v(4)
    kept = x.copy()
    for build in (compiled_module, pure_module):
        module = build(PATH)
        for function in ("parameter_updated_in_a_loop", "grad_parameter_updated_in_a_loop"):
            getattr(module, function)(x, 0.3)
            np.testing.assert_array_equal(x, kept)


VIEWS = ["slice_seen_after_a_write", "slice_of_a_parameter_written", "slice_seen_after_a_write_in_a_loop"]


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_a_slice_that_is_a_view_of_a_written_array_is_not_compiled(build, name):
    # a copy would not see the write that Python's view sees: the compiler refuses (the value is
    # the original's, run by the eager fallback)
    assert name not in compiled_functions(PATH)
    x = _v(4)
    assert_close(getattr(build(PATH), name)(x.copy()), getattr(original_module(PATH), name)(x.copy()), 1e-12, 1e-12,
                 name)


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_the_eager_gradient_of_a_view_of_a_written_array_raises(build, name):
    """The eager engine's slices are copies, not views: its gradient of a slice used after the array
    was written, or written through, would silently miss the write, so it raises, saying why, instead."""
    with pytest.raises(ValueError, match="NumPy's slice is a view that sees the write|NumPy writes through the view"):
        getattr(build(PATH), "grad_" + name)(_v(4))
