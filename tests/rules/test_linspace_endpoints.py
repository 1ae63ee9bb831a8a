"""np.linspace(start, stop, num) with a derivative in start or stop compiles (it was refused as
a constant with a derivative and fell back to the eager tape): point k is start (1 - k/(num-1))
+ stop k/(num-1), so its adjoints are sums of the cotangent weighted that way, and its JVP is
np.linspace of the endpoints' tangents. Each function of tests/programs/linspace_endpoints.py,
compiled and --pure, against the original, central differences and the eager engine, jvp_ and
hvp_, including grids of one and of no point."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.rules.arrays import linspace_adjoint_start, linspace_adjoint_stop

PATH = str(PROGRAMS / "linspace_endpoints.py")

POINTS = {
    "trapezoid_area": [((-0.3, 1.4, 20), (1.0, -0.5)), ((0.5, 0.5, 1), (0.3, 1.0))],
    "simpson": [((2.0, 6), (1.0,)), ((-1.5, 1), (1.0,))],
    "stretched_grid": [((1.3, np.array([0.5, -1.0, 2.0, 0.25])), (1.0, np.array([1.0, 0.0, -1.0, 0.5]))),
                       ((0.7, np.array([2.0])), (1.0, np.array([-1.0])))],
    "both_ends": [((0.8,), (1.0,)), ((0.0,), (1.0,)), ((-2.0,), (1.0,))],
    "simpson_of_a_count": [((2.0, 6), (1.0,)), ((-0.5, 1), (1.0,))],
    "half_as_many": [((0.3, 9), (1.0,)), ((0.3, 2), (1.0,))],
    "grid_of": [((0.2, 1.1, 5), (1.0, -1.0)), ((0.2, 1.1, 1), (1.0, 1.0)), ((0.2, 1.1, 0), (1.0, 1.0))],
}
test_linspace_with_differentiable_endpoints = each_point(PATH, POINTS)


@pytest.mark.parametrize("num", [0, 1, 2, 7])
def test_adjoints_are_the_transposed_linear_map(num):
    """<g, d linspace(start, stop)> = b_start d_start + b_stop d_stop, by the definition of adjoint."""
    rng = np.random.default_rng(num)
    g, d_start, d_stop = rng.normal(size=num), 0.3, -1.7
    forward = np.linspace(d_start, d_stop, num)
    back = linspace_adjoint_start(g, 1.0, 2.0, num) * d_start + linspace_adjoint_stop(g, 1.0, 2.0, num) * d_stop
    np.testing.assert_allclose(back, np.dot(g, forward), rtol=1e-13, atol=1e-14)
