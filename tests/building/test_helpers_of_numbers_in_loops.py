"""A helper of numbers called with rows inside a loop (issue 12): `def sigmoid(z): return 1 / (1 +
np.exp(-z))`, then `for k in range(n): total += np.sum(sigmoid(X[k] * w))`, fell back to the eager
tape. Where a loop reduces what such a helper returns, the call is inlined before lowering
(transform/inline_helpers.py), X[k] beside an unknown parameter in a reduction is a row, and the
parameter beside rows is taken for weights of the row's dimensions (analysis/ranks.py); the body
is then element loops. Arguments of other dimensions than guessed (a number for w, a 1-D X) run
the eager tape (tests/building/test_rank_fallback.py covers that path).

One module, tests/programs/number_helpers_in_loops.py, built once each way (compiled and
--pure); value, gradient, jvp_ and hvp_ against the original, central differences and the eager
engine (tests/every_mode.py), at edge shapes too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import srcgrad
from every_mode import check_every_mode, compiled_functions
from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "number_helpers_in_loops.py")
BUILDS = {"compiled": compiled_module, "pure": pure_module}

W3 = np.array([0.4, -0.3, 0.8])
X23 = np.array([[0.3, -0.2, 0.7], [0.5, 0.8, -0.1]])


def like(value, phase=0.0):
    return np.cos(1.3 * np.arange(value.size) + phase).reshape(value.shape)


CASES = [
    ("summed_sigmoids", (W3, X23)),
    ("summed_sigmoids", (W3, X23[:1].copy())),
    ("summed_sigmoids", (np.array([0.2]), np.array([[0.9]]))),
    ("summed_sigmoids", (W3, np.zeros((0, 3)))),
    ("mean_softplus_of_shifted_rows", (W3, X23)),
    ("mean_softplus_of_shifted_rows", (np.array([0.2]), np.array([[0.9]]))),
    ("weighted_row_terms", (X23, W3)),
    ("weighted_row_terms", (X23[:1].copy(), W3)),
]


@pytest.fixture(scope="module", params=sorted(BUILDS))
def build(request):
    return BUILDS[request.param]


def test_the_loops_compile():
    assert {name for name, _ in CASES} <= compiled_functions(PATH)


@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{'x'.join(str(np.shape(a)) for a in args)}"
                                                    for n, args in CASES])
def test_value_gradient_jvp_hvp(build, name, args):
    check_every_mode(build, PATH, name, args, tuple(like(a, k) for k, a in enumerate(args)))


def test_a_number_for_the_weights_runs_the_eager_tape(build):
    module, original = build(PATH), original_module(PATH).summed_sigmoids
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = module.summed_sigmoids(0.7, X23)
        gradient = module.grad_summed_sigmoids(0.7, X23)
    assert_close(value, original(0.7, X23), 1e-12, 1e-12, "a number for w")
    assert_close(gradient, central_differences(original, (0.7, X23), [0, 1]), 1e-6, 1e-8, "its gradient")
    assert any(issubclass(w.category, srcgrad.FallbackWarning) and "parameter 'w'" in str(w.message)
               for w in caught), [str(w.message) for w in caught]
