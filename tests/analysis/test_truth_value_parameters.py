"""An unannotated parameter used only as a truth value (`if same:`, `not clip`, `a and flag`, the
test of a conditional expression) is a bool, as the contract's "unannotated and used as a number"
leaves it: it gets no gradient entry and no tangent. One used as a number too stays a float
parameter. Each function of tests/programs/truth_values.py, compiled and --pure, against the
original, central differences and the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, generated_module

PATH = str(PROGRAMS / "truth_values.py")
A, B = np.array([0.3, -1.2, 0.8]), np.array([0.1, -0.7, 1.1])
X = np.array([0.4, -1.3, 2.2, 0.05])
POINTS = {"contrastive": [((A, B, True, 1.5), (A * 0 + 0.5, B * 0 - 1.0, 0.7)),
                          ((A, B, False, 1.5), (A * 0 + 0.5, B * 0 - 1.0, 0.7)),
                          ((A, B, 0, 1.5), (A * 0 + 0.5, B * 0 - 1.0, 0.7))],
          "clipped_step": [((X, 0.3, True, False), (X * 0 + 1.0, 0.5)),
                           ((X, 0.3, False, True), (X * 0 + 1.0, 0.5))],
          "damped": [((1.3, True, 4), (1.0,)), ((1.3, False, 3), (1.0,))],
          "threshold_as_number": [((1.3, 0.7), (1.0, -0.5)), ((1.3, -0.4), (1.0, -0.5))]}
test_truth_value_parameters_are_not_differentiated = each_point(PATH, POINTS)


def test_the_signatures_name_only_the_number_parameters():
    docs = {name: getattr(build_pure(), "grad_" + name).__doc__ for name in POINTS}
    assert docs["contrastive"].endswith("with respect to a, b, margin.")
    assert docs["clipped_step"].endswith("with respect to x, lr.")
    assert docs["damped"].endswith("with respect to x.")
    assert docs["threshold_as_number"].endswith("with respect to x, level.")  # also a factor
    stub = generated_module(PATH).stub
    assert "same: bool, margin: float) -> tuple[" in stub


def build_pure():
    from support import pure_module

    return pure_module(PATH)
