"""A name in a range bound computed with + - * // (range(1, n + 1), range(n // 2)) is an integer,
as range takes it: an unannotated n there was a C double, and with an appended list sized from
the loop (range_length(1, n + 1, 1)) Cython refused the whole module. Each function of
tests/programs/integer_counts.py, compiled and --pure, against the original, central differences
and the eager engine. Cython's first error is what a failed build names, not a performance hint."""

from __future__ import annotations

import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.compile import _locate_cython_error

PATH = str(PROGRAMS / "integer_counts.py")
POINTS = {"alternating_series": [((0.4, 8), (1.0,)), ((-0.7, 1), (1.0,)), ((0.3, 0), (1.0,))],
          "halves": [((1.3, 5), (1.0,)), ((-0.2, 0), (1.0,))]}
test_counts_in_range_bounds_are_integers = each_point(PATH, POINTS)


def test_a_failed_cython_run_names_its_error_not_a_hint():
    output = ("performance hint: m_grad.pyx:548:5: Exception check on 'f' will always require the GIL\n"
              "warning: m_grad.pyx:10:2: the result of using negative indices is undefined\n\n"
              "Error compiling Cython file:\n---\nm_grad.pyx:5126:47: Cannot assign type 'double' to 'Py_ssize_t'\n")
    assert _locate_cython_error(output) == (5126, "Cannot assign type 'double' to 'Py_ssize_t'")
