"""np.matmul(a, b) reads as a @ b, and np.diag is one entry of the array rule table shared by
both engines: each function of tests/programs/matrix_calls.py compiles (no eager fallback) and its
value, gradient, jvp_ and hvp_ agree with the original, central differences and the eager engine,
compiled and --pure (test_corpus.check_function)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import PROGRAMS
from tests.test_corpus import check_function

_RANDOM = np.random.default_rng(21)
POINTS = {
    "chained_matmul": (_RANDOM.normal(size=(3, 2)), _RANDOM.normal(size=(2, 4)), _RANDOM.normal(size=4)),
    "recurrent_matmul": (0.5 * _RANDOM.normal(size=(3, 3)), _RANDOM.normal(size=3), 4),
    "scaled_quadratic": (_RANDOM.normal(size=3), _RANDOM.uniform(0.5, 2.0, 3)),
    "diagonal_of_product": (_RANDOM.normal(size=(3, 2)), _RANDOM.normal(size=(2, 3))),
    "wide_diagonal": (_RANDOM.normal(size=(2, 4)),),  # not square: the diagonal has 2 elements
    "off_diagonals": (_RANDOM.normal(size=(3, 3)),),  # k = 1 read, k = -1 read and put back
}


def _points(name: str) -> tuple:
    return (POINTS[name],)


@pytest.mark.parametrize("name", sorted(POINTS))
def test_matrix_call_compiles_and_agrees(name):
    # whole_folder=False: this file alone of tests/programs is built, not every program in the folder
    assert check_function("matrix_calls.py", name, PROGRAMS, _points, whole_folder=False) is None  # None: compiled


def test_diag_rule_matches_numpy_adjoint_by_hand():
    from srcgrad.rules.rearrangements import diag_adjoint

    g = np.arange(9.0).reshape(3, 3)
    assert diag_adjoint(g, np.ones(3)).tolist() == [0.0, 4.0, 8.0]
    back = diag_adjoint(np.array([1.5, -2.0]), np.ones((2, 4)))
    assert back.tolist() == [[1.5, 0.0, 0.0, 0.0], [0.0, -2.0, 0.0, 0.0]]
