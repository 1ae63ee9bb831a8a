"""A literal array of numbers sliced where it is written (`w = np.array([1.0, 2.0, 3.0, 4.0])[:len(x)]`,
Shekel's rows `np.array([[...], ...])[:, :len(x)]`) compiles: the literal is a module array
constant of its own (one per value), sliced as module constants are; it fell back to the eager tape
(the literal was filled element by element, then used whole). `A.T[i, j]` reads A[j, i]; it fell
back ("indexing something other than a local array"). A local holding a 2-D slice and read by rows
has two dimensions (it was taken for a vector: ValueError at run time). Each function of
tests/programs/sliced_literals.py, compiled and --pure, against the original, central differences
and the eager engine, jvp_ and hvp_."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, generated_module
from srcgrad.generate import generate

PATH = str(PROGRAMS / "sliced_literals.py")
_RANDOM = np.random.default_rng(23)


def _point(*shapes):
    return tuple(_RANDOM.normal(size=s) for s in shapes), tuple(_RANDOM.normal(size=s) for s in shapes)


POINTS = {
    "weighted_squares": [_point(3), _point(4), _point(1)],
    "integer_weights": [_point(2)],
    "shekel": [_point(4), _point(2)],
    "weights_in_a_loop": [_point(5), _point(1)],
    "offsets_from_the_end": [_point(2), _point(4)],
    "every_other": [_point(3), _point(2)],
    "transposed_elements": [_point((3, 2)), _point((2, 2))],
    "transposed_reads_in_loops": [_point((3, 2)), _point((1, 1)), _point((4, 3))],
    "rows_of_a_sliced_matrix": [_point(2, (3, 4)), _point(1, (1, 1))],
}
test_sliced_literals_and_transposed_elements_compile_and_agree = each_point(PATH, POINTS)


def test_one_module_constant_per_literal_value():
    """weighted_squares' floats and integer_weights' integers are the same numbers: one constant,
    of floats, as a list literal's elements are."""
    text = generated_module(PATH, pure=True).text
    constants = [line for line in text.splitlines() if line.endswith("= np.array([1.0, 2.0, 3.0, 4.0])")]
    assert constants == ["WEIGHTED_SQUARES_LITERAL = np.array([1.0, 2.0, 3.0, 4.0])"]
    assert "WEIGHTED_SQUARES_LITERAL[:x.shape[0]]" in text
    assert "SHEKEL_LITERAL[:, :x.shape[0]]" in text


def test_a_transposed_element_of_an_array_of_three_dimensions_falls_back():
    """A.T[i, j] of a 3-D A is a vector (A[:, j, i]), not A[j, i]: refused, not misread."""
    source = ("import numpy as np\n\n\ndef f(A):\n    return np.sum(A.T[0, 1]) + A[0, 0, 0]\n")
    generated = generate(source, "three.py", pure=True)
    assert not {r.name: r for r in generated.reports}["f"].compiled
    assert any("A.T[i, j] of an array indexed with more than two indices" in d.message
               for d in generated.diagnostics)
