"""np.prod, np.max/min/amax/amin (axis; methods), np.argmax/argmin (integers), np.diff, x.sum()/x.mean()/x.dot(y)/x.cumsum(),
np.var, np.std (axis None or 0) and np.linalg.norm (2-norm) in those primitives, and the
constants np.arange, np.linspace, np.full, each one entry of srcgrad.rules.arrays:
compiled and --pure gradients, jvp and hvp against finite differences and the eager engine.

max/min take the subgradient JAX and the eager engine take at ties: the cotangent is shared
equally among the elements equal to the result (test_ties_share_the_cotangent). prod's adjoint
divides by nothing, so zeros give the exact products of the others (test_prod_with_zeros)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from array_checks import BUILD_IDS, BUILDS, check_gradient, check_jvp_and_hvp, compiled_names
from support import compiled_module, pure_module

PATH = str(Path(__file__).resolve().parent / "programs" / "reductions.py")
RNG = np.random.default_rng(21)
CASES = [
    ("product", (RNG.uniform(0.5, 1.5, size=5),)),
    ("product", (np.array([0.7, 0.0, -1.2, 0.4]),)),  # one zero
    ("product", (np.array([0.7, 0.0, -1.2, 0.0]),)),  # two zeros
    ("product_rows", (RNG.normal(size=(3, 4)),)),
    ("product_columns", (RNG.normal(size=(3, 4)), RNG.normal(size=4))),
    ("product_columns", (np.array([[1.0, 0.0], [2.0, 3.0], [0.5, 0.0]]), RNG.normal(size=2))),
    ("largest", (RNG.normal(size=(3, 4)),)),
    ("largest_row", (RNG.normal(size=(3, 4)),)),
    ("sup_norm", (RNG.normal(size=6),)),
    ("differences", (RNG.normal(size=6),)),
    ("column_differences", (RNG.normal(size=(4, 3)),)),
    ("methods", (RNG.normal(size=5), RNG.normal(size=5))),
    ("perm_beta", (RNG.normal(size=4), 10.0)),
    ("weighted_by_index", (RNG.normal(size=5),)),
    ("grid_weights", (RNG.normal(size=5),)),
    ("filled", (RNG.normal(size=4),)),
    ("spread", (RNG.normal(size=5),)),
    ("column_spread", (RNG.normal(size=(4, 3)),)),
    ("pick", (RNG.normal(size=5), RNG.normal(size=5))),
]
IDS = [f"{name}-{k}" for k, (name, _) in enumerate(CASES)]


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
@pytest.mark.parametrize("build", BUILDS, ids=BUILD_IDS)
def test_gradient(build, name, args):
    check_gradient(build, PATH, name, args)


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_jvp_and_hvp(name, args):
    check_jvp_and_hvp(PATH, name, args)


def test_all_compile_but_a_constant_with_a_derivative():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = compiled_names(PATH)
    assert {name for name, _ in CASES} <= compiled
    assert "filled_with_derivative" not in compiled  # np.full(3, x[0]): falls back, right


@pytest.mark.parametrize("build", BUILDS, ids=BUILD_IDS)
def test_constant_with_a_derivative_falls_back_right(build):
    x = np.array([0.5, -1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = build(PATH).grad_filled_with_derivative(x)
    assert np.allclose(gradient, [x[0] + np.sum(x), x[0], x[0]])


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=BUILD_IDS)
def test_ties_share_the_cotangent(build):
    x = np.array([1.0, 3.0, -2.0, 3.0])
    assert np.allclose(build(PATH).grad_sup_norm(x), [0.0, 1.5, 0.0, 1.5])


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=BUILD_IDS)
def test_prod_with_zeros(build):
    gradient = build(PATH).grad_product(np.array([2.0, 0.0, 3.0, 0.0]))
    assert np.array_equal(gradient, np.zeros(4))
    gradient = build(PATH).grad_product(np.array([2.0, 0.0, 3.0]))
    assert np.allclose(gradient, 1.5 * np.array([0.0, 6.0, 0.0]))
    assert np.all(np.isfinite(gradient))
