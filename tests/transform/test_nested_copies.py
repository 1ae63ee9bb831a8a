"""A copy inside an expression (np.sin(x.copy()), np.copy(x) * w) passes its cotangent back to the
array it copies: it was read as a new array no derivative reaches, so the gradient was 0 and
nothing said so. Each function of tests/programs/nested_copies.py, compiled and --pure, against
the original, central differences and the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS

PATH = str(PROGRAMS / "nested_copies.py")
X = np.array([0.3, -0.2, 1.0, 2.5])
W = np.array([1.5, -2.0, 0.25, 3.0])
M = np.array([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]])
POINTS = {"sine_of_a_copy": [((X,), (W,)), ((X[:1],), (W[:1],))],
          "weighted_np_copy": [((X, W), (W, X))],
          "dot_with_a_copy": [((X,), (W,))],
          "copy_then_element_write": [((X,), (W,))],
          "copies_in_a_loop": [((X, 3), (W,)), ((X, 0), (W,))],
          "normalised_copy": [((M,), (M[::-1],))]}
test_copies_inside_expressions_pass_their_gradient_back = each_point(PATH, POINTS)


def test_the_gradient_of_a_sine_of_a_copy_is_the_cosine(build):
    np.testing.assert_allclose(build(PATH).grad_sine_of_a_copy(X), np.cos(X), rtol=1e-15)
