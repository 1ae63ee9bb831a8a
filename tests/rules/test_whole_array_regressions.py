"""Named regressions of whole-array code found by the outside-style corpus:

- a parameter read only in elementwise arithmetic with an array (`-y * z`, `lam * np.dot(w, w)`)
  was typed a C double, and compiled code raised "only 0-dimensional arrays can be converted to
  Python scalars" for an array; it is an array now (a number passed for it broadcasts);
- a helper whose parameter is a number (sigmoid(z)) called with a whole array did the same: the
  caller falls back to the eager tape, right, instead of crashing;
- x - P with P a 2-D module constant left x's adjoint un-summed over P's rows (hartmann3);
- np.dot with a 3-D second operand used matmul's adjoints (a wrong gradient); it has np.dot's own;
- a fallback function called without its defaulted parameter raised IndexError in grad_f.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from array_checks import BUILD_IDS, BUILDS, check_gradient, check_jvp_and_hvp, compiled_names

PATH = str(Path(__file__).resolve().parent / "programs" / "whole_array_regressions.py")
RNG = np.random.default_rng(12)
X = RNG.normal(size=(5, 3))
CASES = [
    ("logistic_loss", (RNG.normal(size=3), X, RNG.choice([-1.0, 1.0], size=5))),
    ("logistic_loss", (RNG.normal(size=3), X, 0.7)),  # a number for y broadcasts
    ("squared_hinge", (RNG.normal(size=3), X, RNG.choice([-1.0, 1.0], size=5))),
    ("ridge_loss", (RNG.normal(size=3), X, RNG.normal(size=5), 0.3)),
    ("mlp_loss", (RNG.normal(size=(3, 4)), RNG.normal(size=4), X, RNG.normal(size=5))),
    ("scaled_energy", (RNG.normal(size=4), RNG.normal(size=4))),
    ("scaled_energy", (RNG.normal(size=4), 1.5)),
    ("scalar_and_broadcast", (RNG.normal(size=3), X, 1.5)),
    ("sigmoid_regression", (RNG.normal(size=3), X, RNG.normal(size=5))),
    ("hartmann3", (np.array([0.2, 0.5, 0.8]),)),
    ("dot_of_stacks", (RNG.normal(size=(2, 3)), RNG.normal(size=(4, 3, 2)))),
    ("dot_of_stacks", (RNG.normal(size=(2, 2, 3)), RNG.normal(size=(3, 2)))),
    ("dot_matrix_vector", (RNG.normal(size=(2, 4, 3)), RNG.normal(size=3))),
]
IDS = [f"{name}-{k}" for k, (name, _) in enumerate(CASES)]


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
@pytest.mark.parametrize("build", BUILDS, ids=BUILD_IDS)
def test_gradient(build, name, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_gradient(build, PATH, name, args)


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_jvp_and_hvp(name, args):
    check_jvp_and_hvp(PATH, name, args)


def test_what_compiles():
    compiled = compiled_names(PATH)
    assert {"logistic_loss", "squared_hinge", "ridge_loss", "mlp_loss", "scaled_energy", "scalar_and_broadcast",
            "hartmann3", "dot_of_stacks", "dot_matrix_vector", "sigmoid_regression"} <= compiled
    assert "defaulted_fallback" not in compiled  # sigmoid(z) of an array compiles: the helper is inlined


def test_a_number_parameter_stays_a_number_where_it_is_read_as_one():
    from srcgrad.generate import generate

    reports = {r.name: r for r in generate(Path(PATH).read_text(), PATH, pure=True).reports}
    assert reports["scalar_and_broadcast"].types["a"] == "double"
    assert reports["logistic_loss"].types["y"] == "ndarray"


@pytest.mark.parametrize("build", BUILDS, ids=BUILD_IDS)
def test_fallback_gradient_fills_in_defaults(build):
    x = np.array([0.3, -1.2, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = build(PATH)
        gradient = module.grad_defaulted_fallback(x)
        spelled_out = module.grad_defaulted_fallback(x, 10.0)
    assert np.allclose(gradient[0], 2 * x * 10.0) and gradient[1] == pytest.approx(np.sum(x * x))
    assert np.allclose(gradient[0], spelled_out[0]) and gradient[1] == pytest.approx(spelled_out[1])
