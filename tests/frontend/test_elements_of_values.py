"""An element of a whole-array value (`np.sort(x)[0]`, `np.cumsum(x)[-1]`, `(A @ x)[0]`)
compiles: the value is computed into a new local before the statement, whose element is read
as x[i] is; it fell back to the eager tape ("indexing something other than a local array").
Each function of tests/programs/elements_of_values.py, compiled and --pure, against the
original, central differences and the eager engine, jvp_ and hvp_."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.generate import generate

PATH = str(PROGRAMS / "elements_of_values.py")
_RANDOM = np.random.default_rng(41)


def _point(*shapes):
    return tuple(_RANDOM.normal(size=s) for s in shapes), tuple(_RANDOM.normal(size=s) for s in shapes)


POINTS = {
    "ends": [_point(4), _point(2)],
    "matrix_element": [_point((3, 2), 2), _point((2, 2), 2)],
    "median_of_three": [_point(3), _point(5)],
}
test_elements_of_values_compile_and_agree = each_point(PATH, POINTS)


def test_an_element_under_a_condition_still_falls_back():
    """Python evaluates np.sort(x)[0] only where c holds: it is not computed before the statement."""
    source = "import numpy as np\n\n\ndef f(x, c: bool):\n    return np.sort(x)[0] if c else x[1]\n"
    generated = generate(source, "conditional.py", pure=True)
    assert not {r.name: r for r in generated.reports}["f"].compiled
    assert any("indexing something other than a local array" in d.message for d in generated.diagnostics)
