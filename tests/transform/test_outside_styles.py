"""Styles of outside code (the held-out corpus, tests/corpus_outside/) the compiler compiles:
`x[:, None]`, `v[None, :]`, `pos[:, np.newaxis, :]`, `np.arange(n)[:, None]` and new axes beside
bounded slices (np.expand_dims at each new axis, counted in the result); np.eye (with M and k,
by position or keyword) and np.trace.

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
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_new_axes(build, name, args, direction):
    check_every_mode(build, STYLES, name, args, direction)
