"""A function of numbers gets an array version only when some parameter stays an array once its
body is typed with them taken whole. Below, inference takes the only candidate, the keyword-only
y, for a number again (it is rebound by `y *= -1.25` and returned beside a constant), so there is
nothing to dispatch on: the build must carry no array version and no dispatch. Found by the
fuzzer: the entries read `if  and has_dimensions():`, a syntax error in both builds."""

from __future__ import annotations

import pytest

from tests import fuzzing

SOURCE = """\
import numpy as np


def scaled_or_half(x: float, *, y):
    y *= -1.25
    return 0.5 if x <= np.tanh(x) else y
"""


@pytest.mark.parametrize("how", ["pure", "compiled"])
def test_no_array_version_when_no_parameter_stays_an_array(how):
    build = fuzzing.pure_build if how == "pure" else fuzzing.compiled_build
    generated, module = build(SOURCE, "numbers_only.py")
    assert "has_dimensions" not in generated.text and "_on_arrays" not in generated.text
    for x in (-0.7, 0.0, 0.4):  # tanh(x) >= x for x <= 0: both arms are taken
        fuzzing.check_source(SOURCE, "scaled_or_half", (x, 1.5), [0, 1], module, what=how, keyword_only=("y",))
