"""Forward mode and second derivatives of compiled functions: jvp, hvp, hessian."""

from __future__ import annotations

import numpy as np
import pytest

from support import as_tuple, assert_close, compiled_module, copied, pure_module
from test_compiler_gradients import PARAMS, _case_id, _path

RNG = np.random.default_rng(11)


def _direction(args, positions):
    return tuple(RNG.normal(size=np.shape(args[i])) if isinstance(args[i], np.ndarray) else float(RNG.normal())
                 for i in positions)


def _dot(a, b) -> float:
    return float(sum(np.sum(np.asarray(x) * np.asarray(y)) for x, y in zip(a, b)))


def _positions(module, name, args):
    import inspect

    from support import original_module

    original = getattr(original_module(_path(module)), name)
    return [i for i, p in enumerate(inspect.signature(original).parameters.values()) if p.annotation not in (int, bool)]


@pytest.mark.parametrize("module,name,args", PARAMS, ids=[_case_id(*p) for p in PARAMS])
def test_forward_and_reverse_agree_and_hvp_matches_differences_of_gradients(module, name, args):
    compiled, pure = compiled_module(_path(module)), pure_module(_path(module))
    positions = _positions(module, name, args)
    n = len(positions)
    v = _direction(args, positions)
    packed = v[0] if n == 1 else v

    gradient = as_tuple(getattr(compiled, "grad_" + name)(*copied(args)), n)
    directional = getattr(compiled, "jvp_" + name)(*copied(args), packed)
    assert_close(np.sum(directional), _dot(gradient, v), 1e-9, 1e-9, f"jvp_{name} . v vs grad . v")
    assert_close(getattr(pure, "jvp_" + name)(*copied(args), packed), directional, 1e-12, 1e-12, "jvp pure")

    hv = as_tuple(getattr(compiled, "hvp_" + name)(*copied(args), packed), n)
    assert_close(as_tuple(getattr(pure, "hvp_" + name)(*copied(args), packed), n), hv, 1e-10, 1e-10, "hvp pure")
    h = 1e-5
    shifted_up, shifted_down = list(copied(args)), list(copied(args))
    for i, direction in zip(positions, v):
        shifted_up[i] = args[i] + h * direction
        shifted_down[i] = args[i] - h * direction
    up = as_tuple(getattr(compiled, "grad_" + name)(*shifted_up), n)
    down = as_tuple(getattr(compiled, "grad_" + name)(*shifted_down), n)
    numeric = tuple((np.asarray(a) - np.asarray(b)) / (2 * h) for a, b in zip(up, down))
    assert_close(hv, numeric, 2e-4, 2e-5, f"hvp_{name} vs differences of gradients")


SCALAR_CASES = [p for p in PARAMS if not any(isinstance(a, np.ndarray) for a in p[2])]


@pytest.mark.parametrize("module,name,args", SCALAR_CASES, ids=[_case_id(*p) for p in SCALAR_CASES])
def test_hessian_is_symmetric_and_built_from_hvp(module, name, args):
    compiled = compiled_module(_path(module))
    n = len(_positions(module, name, args))
    hessian = np.atleast_2d(getattr(compiled, "hessian_" + name)(*args))
    assert hessian.shape == (n, n)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-9, atol=1e-9)
    for k in range(n):
        unit = tuple(1.0 if j == k else 0.0 for j in range(n))
        column = as_tuple(getattr(compiled, "hvp_" + name)(*args, unit[0] if n == 1 else unit), n)
        np.testing.assert_allclose(hessian[:, k], column, rtol=1e-12, atol=1e-12)
