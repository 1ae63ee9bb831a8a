"""Checks shared by the array-primitive test modules of tests/rules: one program file holds many
small functions (it compiles once); each case is a function name and its arguments.

- the compiled and --pure primal equal the original Python;
- compiled and --pure gradients equal central differences of the original and the eager engine;
- jvp equals a directional difference of the original, hvp a difference of gradients, and the
  --pure builds agree with the compiled ones."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/support.py

from support import assert_close, central_differences, compiled_module, original_module, pure_module  # noqa: E402

from srcgrad.eager import GradientTape, constant  # noqa: E402

BUILDS = [compiled_module, pure_module]
BUILD_IDS = ["compiled", "pure"]


def as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def differentiable_positions(args) -> list:
    return [k for k, a in enumerate(args) if not isinstance(a, (bool, int))]


def eager_gradient(path, name, args):
    function = getattr(original_module(path), name)
    positions = differentiable_positions(args)
    tensors = list(args)
    for k in positions:
        tensors[k] = constant(np.asarray(args[k], dtype=np.float64))
    with GradientTape() as tape:
        for k in positions:
            tape.watch(tensors[k])
        out = function(*tensors)
    return tuple(np.asarray(g) for g in tape.gradient(out, [tensors[k] for k in positions]))


def check_gradient(build, path, name, args, engines=True):
    module, original = build(path), getattr(original_module(path), name)
    assert_close(getattr(module, name)(*args), original(*args), 1e-12, 1e-12, f"{name} value")
    positions = differentiable_positions(args)
    gradient = as_tuple(getattr(module, "grad_" + name)(*args))
    expected = central_differences(original, args, positions)
    assert_close(gradient, expected, 2e-5, 2e-6, f"grad_{name} vs central differences")
    if engines:
        assert_close(gradient, eager_gradient(path, name, args), 1e-9, 1e-11, f"grad_{name} vs the eager engine")


def check_jvp_and_hvp(path, name, args, seed=7):
    rng = np.random.default_rng(seed)
    compiled, pure, original = compiled_module(path), pure_module(path), getattr(original_module(path), name)
    positions = differentiable_positions(args)
    direction = {k: rng.normal(size=np.shape(args[k])) if isinstance(args[k], np.ndarray) else float(rng.normal())
                 for k in positions}
    packed = tuple(direction[k] for k in positions)
    packed = packed if len(packed) > 1 else packed[0]
    step = 1e-6

    def shifted(sign):
        return tuple(a + sign * step * direction[k] if k in direction else a for k, a in enumerate(args))

    tangent = getattr(compiled, "jvp_" + name)(*args, packed)
    expected = (original(*shifted(1)) - original(*shifted(-1))) / (2 * step)
    assert tangent == pytest.approx(expected, rel=1e-5, abs=1e-6), f"jvp_{name}"
    assert_close(getattr(pure, "jvp_" + name)(*args, packed), tangent, 1e-10, 1e-12, f"jvp_{name} pure")
    hv = as_tuple(getattr(compiled, "hvp_" + name)(*args, packed))
    gradient = getattr(compiled, "grad_" + name)
    up, down = as_tuple(gradient(*shifted(1))), as_tuple(gradient(*shifted(-1)))
    numeric = tuple((u - d) / (2 * step) for u, d in zip(up, down))
    assert_close(hv, numeric, 2e-5, 2e-6, f"hvp_{name} vs differences of gradients")
    assert_close(as_tuple(getattr(pure, "hvp_" + name)(*args, packed)), hv, 1e-9, 1e-10, f"hvp_{name} pure")


def compiled_names(path) -> set:
    """The functions of the program that compile (no fallback)."""
    from srcgrad.generate import generate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generated = generate(Path(path).read_text(), str(path), pure=True)
    return {r.name for r in generated.reports if r.compiled}
