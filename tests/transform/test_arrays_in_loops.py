"""Whole-array values inside element loops compile: `A @ x`, `x @ B`, `A @ B`, `u @ v` and
np.dot of a matrix in time loops, rows `X[i]` / `X[i, :]` of 2-D arrays read as vectors (pair
loops over positions, np.linalg.norm of a row difference, zip over rows), rows written
(`H[t + 1] = ...`), elementwise arithmetic and reductions of rows, in branches and while loops.
Each is checked compiled and --pure (value, gradient, jvp, hvp) against central differences and
the eager engine, at trip counts 0, 1 and 2 and at 1x1 and non-square shapes."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "arrays_in_loops.py")
RNG = np.random.default_rng(20261129)


def normal(*shape, scale=0.6):
    return RNG.normal(size=shape) * scale


A33, A11, A22 = normal(3, 3), np.array([[0.7]]), normal(2, 2)
X43, V3, V2, V1 = normal(4, 3), normal(3), normal(2), np.array([0.4])
POS32 = np.array([[0.0, 0.1], [1.2, -0.3], [0.4, 0.9]])
POS23 = np.array([[0.3, -0.2, 1.0], [-0.5, 0.8, 0.1]])

CASES = [
    ("recurrent_cell", (A33, normal(3, 2), normal(2, 2))),  # non-square input weights, two steps
    ("recurrent_cell", (A33, normal(3, 2), normal(1, 2))),
    ("recurrent_cell", (A33, normal(3, 2), np.zeros((0, 2)))),  # no step
    ("recurrent_cell", (A11, np.array([[1.3]]), normal(2, 1))),
    ("euler_steps", (A33, V3, 2)),
    ("euler_steps", (A33, V3, 1)),
    ("euler_steps", (A33, V3, 0)),
    ("euler_steps", (A11, V1, 2)),
    ("vector_times_matrix", (V3, A33, 2)),
    ("vector_times_matrix", (V1, A11, 1)),
    ("vector_times_matrix", (V3, A33, 0)),
    ("non_square_map", (V2, normal(2, 3))),
    ("non_square_map", (V1, normal(1, 1))),
    ("matrix_power", (normal(2, 3), A33, 2)),
    ("matrix_power", (normal(2, 3), A33, 0)),
    ("matrix_power", (A11, A11, 1)),
    ("transpose_update", (V3, X43, normal(4), 2)),
    ("transpose_update", (V3, X43, normal(4), 1)),
    ("transpose_update", (V3, X43, normal(4), 0)),
    ("dot_of_matrix", (A33, V3, 2)),
    ("dot_of_matrix", (A11, V1, 1)),
    ("pair_distances", (POS32, np.array([1.0, 2.0, 0.5]))),
    ("pair_distances", (POS23, np.array([0.3, 1.5]))),
    ("pair_distances", (np.array([[0.2, 0.4]]), np.array([1.0]))),  # one row: no pair
    ("pair_sum_of_squares", (POS32,)),
    ("pair_sum_of_squares", (np.array([[0.3], [-0.6]]),)),
    ("pair_norms", (POS32, np.array([1.0, 2.0, 0.5]))),
    ("pair_norms", (POS23, np.array([0.3, 1.5]))),
    ("pair_dots", (POS32 * 2.0,)),  # np.dot(d, d) of rows, as Lennard-Jones codes write it
    ("pair_dots", (POS23 * 2.0,)),
    ("rows_of_products", (normal(3, 2), normal(2, 3))),  # W unannotated: a matrix, for the row written
    ("rows_of_products", (normal(1, 1), normal(1, 2))),
    ("row_slices", (X43, V3)),
    ("row_slices", (np.array([[0.9]]), V1)),
    ("rows_zipped", (V3, X43, normal(4))),
    ("rows_zipped", (V1, np.array([[0.5]]), np.array([0.2]))),
    ("row_of_matrix_times_vector", (A33, V3)),
    ("row_of_matrix_times_vector", (A11, V1)),
    ("trajectory_rows", (A33, V3, 2)),
    ("trajectory_rows", (A33, V3, 1)),
    ("trajectory_rows", (A33, V3, 0)),
    ("trajectory_rows", (A11, V1, 2)),
    ("products_in_branches", (A33 * 2.0, V3, 3)),
    ("products_in_branches", (A33, V3 * 3.0, 2)),
    ("products_in_branches", (A33, V3, 0)),
    ("product_in_while", (A22, V2)),
    ("product_in_while", (A11, V1)),
    ("constant_matrix", (V2, 2)),
    ("constant_matrix", (V2, 0)),
    ("vector_on_the_left", (V3, X43)),
    ("vector_on_the_left", (V1, np.zeros((0, 1)))),
    ("difference_kept", (POS32,)),
    ("difference_kept", (POS23,)),
    ("stacked_weights", (normal(2, 3, 3), X43, normal(4))),  # three dimensions, two layers
    ("stacked_weights", (normal(1, 2, 2), normal(3, 2), normal(3))),
    ("stacked_weights", (np.zeros((0, 2, 2)), normal(3, 2), normal(3))),
    ("nested_products", (A33, normal(3, 3), V3, 2)),
    ("nested_products", (normal(3, 2), normal(2, 3), V3, 1)),  # A @ (B @ x) through a narrower product
    ("quadratic_form", (A33, X43)),
    ("quadratic_form", (A11, normal(2, 1))),
    ("sliced_operands", (normal(2, 3), V3)),
    ("written_and_multiplied", (A33, V3)),
    ("recurrent_cell_with_bias", (A33, normal(3, 2), V3, normal(2, 2))),
    ("recurrent_cell_with_bias", (A11, np.array([[0.8]]), V1, np.zeros((0, 1)))),
    ("dot_plus_offset", (V3, X43, 0.3)),
    ("recurrent_cell_rows", (normal(2, 3), A33, normal(2, 2))),  # rows times matrices
    ("recurrent_cell_rows", (normal(2, 3), A33, np.zeros((0, 2)))),
    ("distances_to_the_last_row", (POS32,)),
    ("distances_to_the_last_row", (np.array([[0.1, 0.2, 0.3]]),)),  # one row: no distance
    ("sum_of_fixed_elements", (V2,)),  # np.sum of numbers: x stays a vector
]


def _direction(args):
    return tuple(normal(*np.shape(a), scale=1.0) if isinstance(a, np.ndarray) else 0.7
                 for a in args if isinstance(a, (float, np.ndarray)))


@pytest.mark.parametrize("name,args", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_arrays_in_loops(build, name, args):
    check_every_mode(build, PATH, name, args, _direction(args))


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_inner_dimensions_that_differ_raise_as_numpy_does(build):
    module, original = build(PATH), original_module(PATH)
    A, x = normal(3, 2), V3  # A @ x: (3, 2) @ (3,)
    with pytest.raises(ValueError):
        original.euler_steps(A, x, 1)
    for entry in (module.euler_steps, module.grad_euler_steps):
        with pytest.raises(ValueError, match="inner dimensions"):
            entry(A, x, 1)
    # no step: nothing is multiplied, in Python or compiled
    assert module.euler_steps(A, x, 0) == pytest.approx(original.euler_steps(A, x, 0), rel=1e-14)


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_a_product_that_changes_the_shape_of_what_it_updates_raises(build):
    module = build(PATH)
    A, x = normal(2, 3), V3  # (2, 3) @ (3,) is a (2,) that x + ... cannot take: NumPy refuses too
    with pytest.raises(ValueError):
        original_module(PATH).euler_steps(A, x, 1)
    # the bounds checks made before the loop find product[k] beyond x's length first: loud either way
    for entry in (module.euler_steps, module.grad_euler_steps):
        with pytest.raises((ValueError, IndexError)):
            entry(A, x, 1)
