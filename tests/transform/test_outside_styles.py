"""Styles of outside code (the held-out corpus, tests/corpus_outside/) the compiler compiles:
`x[:, None]`, `v[None, :]`, `pos[:, np.newaxis, :]`, `np.arange(n)[:, None]` and new axes beside
bounded slices (np.expand_dims at each new axis, counted in the result); np.eye (with M and k,
by position or keyword) and np.trace; forward mode of np.stack and np.hstack with an operand that
varies with nothing (np.ones_like(t): its tangent, the number 0.0, is spread to the operand's shape);
a scalar helper with comparisons as masks (`k * (x - a) ** m * (x > a)`) inlined where it is
passed an array, and called as compiled where it is passed a number; a local the top level
assigns again (`Z = Z - Z.max(axis=1, keepdims=True)`, `p = np.clip(p, ...)`) renamed at each
assignment, so each whole-array value is kept once.

Each function is checked compiled and --pure: value, gradient against central differences and
the eager engine, jvp against the gradient, hvp against differences of eager gradients.
"""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, compiled_module, pure_module

STYLES = str(PROGRAMS / "outside_styles.py")
RNG = np.random.default_rng(11)
X4 = np.array([0.3, -0.7, 1.1, 0.45])
D4 = np.array([0.5, 1.0, -0.25, 0.8])

CASES = [
    ("column_times_row", (X4[:3].copy(), X4, RNG.normal(size=(3, 4))), (D4[:3].copy(), -D4, RNG.normal(size=(3, 4)))),
    ("kernel_from_norms", (X4, RNG.normal(size=(4, 3)) * 0.5, 0.7), (D4, RNG.normal(size=(4, 3)), -0.2)),
    ("pair_differences", (RNG.normal(size=(3, 2)),), (RNG.normal(size=(3, 2)),)),
    ("powers_by_column", (X4,), (D4,)),
    ("sliced_new_axes", (X4,), (D4,)),
    ("frequencies", (X4, 0.6), (D4, 0.3)),
    ("laplacian_energy", (X4, 0.3), (D4, -0.1)),
    ("masked_pair_energy", (np.array([[0.0, 0.0, 0.0], [1.1, 0.1, -0.1], [0.4, 1.0, 0.3]]), np.array([1.0, -1.0, 0.5])),
     (RNG.normal(size=(3, 3)), RNG.normal(size=3))),
    ("gram_trace", (RNG.normal(size=(4, 4)),), (RNG.normal(size=(4, 4)),)),
    ("stacked_features", (X4[:3].copy(), X4 * 2.0, D4), (D4[:3].copy(), -D4, X4)),
    ("penalized", (np.array([1.7, -0.3, -2.2, 0.9]),), (D4,)),  # entries past a = 1 on both sides, and inside
    ("softmax_rebound", (RNG.normal(size=(3, 3)), RNG.normal(size=(5, 3)), np.eye(3)[[0, 2, 1, 1, 0]]),
     (RNG.normal(size=(3, 3)), np.zeros((5, 3)), np.zeros((5, 3)))),
    # probabilities inside the clip, and one below it (the third row)
    ("clipped_probabilities", (np.array([0.4, -0.8, 0.25]), np.array([[1.0, 0.2, -0.5], [0.3, -1.0, 0.8],
                                                                      [-5.0, 1.5, 0.0], [0.5, 0.5, 0.5]]),
                               np.array([1.0, 0.0, 1.0, 0.0])), (np.array([1.0, 0.5, -0.3]), np.zeros((4, 3)), np.zeros(4))),
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_new_axes(build, name, args, direction):
    check_every_mode(build, STYLES, name, args, direction)
