"""Whole-array expressions inside loops compile (no eager fallback): each function of
tests/programs/whole_arrays_in_loops.py, compiled and --pure, agrees with the original, central
differences and the eager engine in value, gradient, jvp_ and hvp_, for trip counts 0, 1 and
several, and for empty and one-element arrays. A reduction of a whole array made anew on each
trip is a call of a module function of its own (srcgrad/frontend/loop_reductions.py)."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.generate import generate

PATH = str(PROGRAMS / "whole_arrays_in_loops.py")
_RANDOM = np.random.default_rng(7)


def _normal(*shape):
    return _RANDOM.normal(size=shape)


def _vectors(n: int, steps: int, count: int = 1):
    """A point of `count` vectors of n elements and a trip count, and a direction."""
    return tuple(_normal(n) for _ in range(count)) + (steps,), tuple(_normal(n) for _ in range(count))


POINTS = {
    "summed_sines": [_vectors(4, 3), _vectors(4, 0), _vectors(1, 1), _vectors(0, 2)],
    "cubed_grids": [((0.7, 3), (1.0,)), ((-0.4, 0), (1.0,)), ((1.3, 1), (1.0,))],
    "statistics_per_step": [_vectors(4, 3, 2), _vectors(1, 1, 2), _vectors(3, 0, 2)],
    "slices_and_scans": [_vectors(5, 3), _vectors(2, 1), _vectors(3, 0)],
    "rolled_products": [((_normal(4), _normal(4), 4), (_normal(4), _normal(4))), _vectors(1, 2, 2),
                        _vectors(0, 2, 2)],
    "carried_and_reduced": [((_normal(3), 0.8, 3), (_normal(3), 1.0)), ((_normal(3), 0.8, 0), (_normal(3), 1.0)),
                            ((_normal(1), -1.2, 1), (_normal(1), 1.0)), ((_normal(0), 0.5, 2), (_normal(0), 1.0))],
    "relaxes_until_small": [((_normal(3), 0.5), (_normal(3), 1.0)), ((np.array([0.02, -0.01, 0.015]), 0.3), (_normal(3), 1.0)),
                            ((np.array([0.3]), 0.2), (np.ones(1), 1.0))],
    "diffuses": [((_normal(5), 0.2, 4), (_normal(5), 1.0)), ((_normal(5), 0.2, 0), (_normal(5), 1.0)),
                 ((_normal(1), 0.3, 1), (_normal(1), 1.0)), ((_normal(0), 0.3, 2), (_normal(0), 1.0))],
    "rolled_and_weighted": [_vectors(4, 3, 2), _vectors(4, 0, 2), _vectors(1, 2, 2), _vectors(3, 1, 2)],
    "differences_and_scans": [((_normal(4), 0.6, 3), (_normal(4), 1.0)), ((_normal(1), -0.3, 1), (_normal(1), 1.0)),
                              ((_normal(3), 0.4, 0), (_normal(3), 1.0))],
    "carried_then_differenced": [((_normal(4), 0.3, 3), (_normal(4), 1.0)), ((_normal(2), 0.5, 0), (_normal(2), 1.0)),
                                 ((_normal(1), 0.2, 1), (_normal(1), 1.0))],
    "temporaries_per_trip": [_vectors(4, 3), _vectors(1, 1), _vectors(3, 0)],
    "rolled_times_weights": [_vectors(4, 3, 2), _vectors(1, 1, 2), _vectors(3, 0, 2)],
    "column_sums_per_step": [((_normal(3, 2), 3), (_normal(3, 2),)), ((_normal(1, 1), 1), (_normal(1, 1),)),
                             ((_normal(2, 3), 0), (_normal(2, 3),))],
    "nested_reductions": [_vectors(3, 3), _vectors(1, 1), _vectors(2, 0)],
}
test_whole_arrays_in_loops_compile_and_agree = each_point(PATH, POINTS)


def test_a_loop_without_reductions_is_not_rewritten():
    """Only a function that falls back is read again: one that compiles keeps its text."""
    source = "import numpy as np\n\ndef f(x, n):\n    t = 0.0\n    for k in range(n):\n        t += x[0] * k\n" \
             "    return t\n"
    generated = generate(source, "plain.py", pure=True)
    assert "_f_reduced" not in generated.text
    assert [r.name for r in generated.reports if r.compiled] == ["f"]
