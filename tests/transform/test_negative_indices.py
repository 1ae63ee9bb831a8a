"""x[i - 1] at i = 0 reads x[-1], the last element, as Python does (transform/negative_indices.py):
it raised IndexError in compiled code. Each function of tests/programs/negative_indices.py,
compiled and --pure, against the original, central differences and the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, generated_module, original_module

PATH = str(PROGRAMS / "negative_indices.py")
RNG = np.random.default_rng(5)


def normal(n):
    return RNG.standard_normal(n)


POINTS = {
    "pinter": [((normal(5),), (normal(5),)), ((normal(2),), (normal(2),)), ((normal(1),), (normal(1),))],
    "ring_of_springs": [((normal(4), 2.0), (normal(4), 0.5)), ((normal(1), 1.5), (normal(1), -0.5))],
    "written_two_back": [((normal(5),), (normal(5),)), ((normal(2),), (normal(2),))],
    "periodic_laplacian": [((normal(6), 3), (normal(6),)), ((normal(3), 0), (normal(3),))],
    "starts_at_one": [((normal(4),), (normal(4),))],
}
test_indices_counting_from_the_end = each_point(PATH, POINTS)


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_below_minus_the_length_raises_as_python_does(build):  # noqa: F811
    with pytest.raises(IndexError):
        original_module(PATH).written_two_back(normal(1))  # y[-2] of one element
    with pytest.raises(IndexError):
        build(PATH).written_two_back(normal(1))


def test_only_indices_that_may_be_negative_get_the_select():
    text = generated_module(PATH).text
    starts_at_one = text[text.index("_starts_at_one_primal("):]
    assert " < 0 else " not in starts_at_one[:starts_at_one.index("return ")]
    pinter = text[text.index("_pinter_primal("):]
    assert "x[i - 1 + x.shape[0] if i - 1 < 0 else i - 1]" in pinter[:pinter.index("return ")]
