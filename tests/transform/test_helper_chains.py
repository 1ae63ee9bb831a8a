"""A helper of numbers that calls other helpers, given a whole array, calls their array versions
instead of inlining their bodies, whose calls were inlined in turn: a file of 300 helpers each
calling the one before took 2,500 s to generate (cubic in the chain's length), now seconds
(tests/test_bad_inputs.py's test_many_functions_in_one_file). The functions of
tests/programs/helper_chains.py, compiled and --pure, against the original, central differences
and the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, generated_module

PATH = str(PROGRAMS / "helper_chains.py")
X = np.array([0.3, -1.2, 0.7, 2.1])
POINTS = {"loss": [((X, 0.8), (X[::-1], 0.5))], "deep": [((X,), (X[::-1],)), ((X[:1],), (X[:1],))]}
test_helper_chains_on_arrays = each_point(PATH, POINTS)


def test_a_helper_calling_helpers_calls_their_array_versions():
    text = generated_module(PATH, pure=True).function_sources["model"]
    assert "_layer_on_arrays" in text
