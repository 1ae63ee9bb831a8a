"""One function checked every way a user can differentiate it: the Cython and the --pure build's
value, gradient, jvp and hvp against the original Python, central finite differences and the
eager engine (tests/transform/test_sequences.py, test_mixing.py)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from support import (assert_close, central_differences, compiled_module, generated_module, original_module,
                     pure_module)
from srcgrad.eager.fallback import eager_value_and_gradient


@functools.lru_cache(maxsize=None)
def compiled_functions(path: str) -> frozenset:
    """The functions of a file the compiler compiles (the others fall back to the eager tape), from
    the generation pure_module(path) makes too."""
    return frozenset(r.name for r in generated_module(path, pure=True).reports if r.compiled)


@pytest.fixture(scope="module", params=["compiled", "pure"])
def build(request):
    """A test file's modules built once per way, Cython and --pure (import it as a fixture)."""
    return compiled_module if request.param == "compiled" else pure_module


def cases(points: dict) -> tuple:
    """(name, k) for each point k of each function of points, and their test ids."""
    found = [(name, k) for name in sorted(points) for k in range(len(points[name]))]
    return found, [f"{name}-{k}" for name, k in found]


def each_point(path: str, points: dict):
    """The test of a file's functions at their points ({name: [(args, direction), ...]}): every
    mode at each (name, k), with the `build` fixture (import it beside this). Bind it to a
    test_ name: `test_linspace_endpoints = each_point(PATH, POINTS)`."""
    found, ids = cases(points)

    @pytest.mark.parametrize("name, k", found, ids=ids)
    def test(build, name, k):
        args, direction = points[name][k]
        check_every_mode(build, path, name, args, direction)

    return test


def check_every_mode(build, path: str, name: str, args: tuple, direction: tuple, step: float = 1e-5) -> None:
    """args: the point; direction: one tangent per float parameter (in order), for jvp and hvp."""
    module, original = build(path), getattr(original_module(path), name)
    positions = [k for k, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    assert name in compiled_functions(path), f"{name} falls back to the eager tape"
    report = {f: getattr(module, f) for f in (name, "grad_" + name, "jvp_" + name, "hvp_" + name)}
    assert_close(report[name](*args), original(*args), 1e-12, 1e-12, f"{name} value")
    gradient = report["grad_" + name](*args)
    gradient = gradient if len(positions) > 1 else (gradient,)
    expected = central_differences(original, args, positions)
    assert_close(gradient, expected, 1e-6, 1e-7, f"grad_{name} against finite differences")
    _, eager = eager_value_and_gradient(original, args, tuple(positions))
    eager = eager if len(positions) > 1 else (eager,)
    assert_close(gradient, eager, 1e-10, 1e-12, f"grad_{name} against the eager engine")
    tangents = direction if len(positions) > 1 else direction[0]
    along = sum(float(np.sum(g * d)) for g, d in zip(gradient, direction))
    assert_close(report["jvp_" + name](*args, tangents), along, 1e-10, 1e-12, f"jvp_{name}")

    def moved(sign):
        shifted = list(args)
        for position, d in zip(positions, direction):
            shifted[position] = args[position] + sign * step * d
        _, g = eager_value_and_gradient(original, tuple(shifted), tuple(positions))
        return g if len(positions) > 1 else (g,)

    up, down = moved(1), moved(-1)
    expected_hvp = tuple((u - d) / (2 * step) for u, d in zip(up, down))
    hvp = report["hvp_" + name](*args, tangents)
    hvp = hvp if len(positions) > 1 else (hvp,)
    assert_close(hvp, expected_hvp, 1e-5, 1e-6, f"hvp_{name} against differences of eager gradients")
