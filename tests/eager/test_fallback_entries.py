"""jvp_, hvp_ and hessian_ of a function left to the eager tape run it as grad_ does, its NumPy
rebound (srcgrad.eager.fallback.traceable): they ran the original, whose plain ndarray refused a
Tensor written into an element (`y[i] = t`: NumPy's float() of it would drop the derivative), and
raised ValueError where grad_ worked (the fuzzer's derandomized run). Compiled and --pure entries,
against central differences of the original."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build  # noqa: F401 (the fixture)
from support import PROGRAMS, assert_close, central_differences, generated_module, original_module

PATH = str(PROGRAMS / "fallback_element_writes.py")
X, W = 0.7, np.array([0.5, -1.5, 2.0])


def test_it_falls_back():
    assert not [r for r in generated_module(PATH, pure=True).reports if r.compiled]


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_every_entry_differentiates_it(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH).weighted_powers
    gradient = module.grad_weighted_powers(X, W)
    expected = central_differences(original, (X, W), [0, 1])
    assert_close(gradient, expected, 1e-6, 1e-7, "grad_")
    along = (0.3, np.array([1.0, -0.5, 0.25]))
    assert_close(module.jvp_weighted_powers(X, W, along), gradient[0] * 0.3 + float(np.dot(gradient[1], along[1])),
                 1e-10, 1e-12, "jvp_")
    step = 1e-5
    up = module.grad_weighted_powers(X + step * along[0], W + step * along[1])
    down = module.grad_weighted_powers(X - step * along[0], W - step * along[1])
    hvp = module.hvp_weighted_powers(X, W, along)
    assert_close(hvp, tuple((u - d) / (2 * step) for u, d in zip(up, down)), 1e-5, 1e-6, "hvp_")
    hessian = module.hessian_weighted_powers(X, W)
    assert_close(hessian[0][0], module.hvp_weighted_powers(X, W, (1.0, np.zeros(3)))[0], 1e-12, 1e-12, "hessian_")
