"""A slice of a slice (`x[::2][:k]`) and len() of a slice (`len(x[1::2])`) compile: they fell
back to the eager tape ("indexing something other than a local array", "len() of something other
than a local array"). Each function of tests/programs/slices_of_slices.py, compiled and --pure,
against the original, central differences and the eager engine, jvp_ and hvp_, on vectors of
odd and even length, one element and none."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS

PATH = str(PROGRAMS / "slices_of_slices.py")
_RANDOM = np.random.default_rng(31)


def _vector(n):
    return (_RANDOM.normal(size=n),), (_RANDOM.normal(size=n),)


POINTS = {
    "even_head": [_vector(5), _vector(4), _vector(1), _vector(0)],
    "pairs_of_even_and_odd": [_vector(7), _vector(6), _vector(1), _vector(0)],
    "reversed_tail": [_vector(5), _vector(2), _vector(1)],
    "inner_block": [((_RANDOM.normal(size=(3, 4)),), (_RANDOM.normal(size=(3, 4)),)),
                    ((_RANDOM.normal(size=(1, 1)),), (_RANDOM.normal(size=(1, 1)),))],
}
test_slices_of_slices_compile_and_agree = each_point(PATH, POINTS)
