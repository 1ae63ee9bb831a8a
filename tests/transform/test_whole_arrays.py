"""Vectorised NumPy in compiled functions: broadcasting, reductions, products, array outputs."""

from __future__ import annotations

import numpy as np
import pytest

from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "arrays.py")
RNG = np.random.default_rng(7)

CASES = [
    ("shared_adjoint", (RNG.normal(size=4), RNG.normal(size=4))),
    ("broadcasting", (RNG.normal(size=(3, 4)), RNG.normal(size=4), 0.3)),
    ("reductions", (RNG.normal(size=(3, 5)),)),
    ("matrix_vector", (RNG.normal(size=(3, 4)), RNG.normal(size=4))),
    ("selects", (np.array([-1.0, 0.2, 0.7, 2.0]),)),
]


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_whole_array_gradients(build, name, args):
    module, original = build(PATH), getattr(original_module(PATH), name)
    assert_close(getattr(module, name)(*args), original(*args), 1e-12, 1e-12, f"{name} value")
    gradient = getattr(module, "grad_" + name)(*args)
    gradient = gradient if isinstance(gradient, tuple) else (gradient,)
    expected = central_differences(original, args, list(range(len(args))))
    assert_close(gradient, expected, 1e-6, 1e-7, f"grad_{name}")
    assert len({id(g) for g in gradient}) == len(gradient)  # no two gradients share an array


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_array_output_differentiates_the_sum_and_takes_any_cotangent(build):
    module, original = build(PATH), original_module(PATH)
    x, scale = np.array([0.1, 0.7, -1.2]), 1.7
    np.testing.assert_allclose(module.array_output(x, scale), original.array_output(x, scale))
    gx, gscale = module.grad_array_output(x, scale)
    np.testing.assert_allclose(gx, np.cos(x) * scale)
    assert gscale == pytest.approx(np.sum(np.sin(x)))
    dout = np.array([1.0, -2.0, 0.5])
    vx, vscale = module.vjp_array_output(x, scale, dout)
    np.testing.assert_allclose(vx, dout * np.cos(x) * scale)
    assert vscale == pytest.approx(np.sum(dout * np.sin(x)))
    with pytest.raises(ValueError, match="dout has shape"):
        module.vjp_array_output(x, scale, np.ones(2))
