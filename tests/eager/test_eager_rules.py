"""Finite-difference checks of the eager engine's gradients, first and second order.

Every VJP rule of the eager engine is checked here against central finite differences, at first
and at second order (the backward pass recorded by an outer tape and differentiated again).
The elementwise cases are generated from the shared table `srcgrad.rules.elementwise`, so a new
rule there is tested without touching this file.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from srcgrad.eager import GradientTape, MissingRuleError, Tensor, constant
from srcgrad.eager.core import _UFUNC_PRIMS
from srcgrad.rules.elementwise import ELEMENTWISE, SPECIAL

EPS = 1e-6


def _numeric(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x, dtype=np.float64)


def _directional_fd(fun, args, directions):
    """Central difference of fun along `directions` (one per arg): (f(x+εd) - f(x-εd)) / 2ε."""
    plus = fun(*[a + EPS * d for a, d in zip(args, directions)])
    minus = fun(*[a - EPS * d for a, d in zip(args, directions)])
    return (_numeric(plus) - _numeric(minus)) / (2 * EPS)


def _vjp(fun, args, cotangent):
    """Gradients of <cotangent, fun(args)> w.r.t. each arg, computed on a tape (Tensors)."""
    tensors = [a if isinstance(a, Tensor) else constant(a) for a in args]
    with GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = fun(*tensors)
    return tape.gradient(out, tensors, output_gradients=cotangent, unconnected_gradients="zero")


def check_first_order(fun, args, rng, rtol=1e-5, atol=1e-6):
    args = [np.asarray(a, dtype=np.float64) for a in args]
    out = _numeric(fun(*[constant(a) for a in args]))
    assert np.allclose(out, _numeric(fun(*args)), rtol=1e-12, atol=1e-12), "Tensor and NumPy results differ"
    v = rng.standard_normal(np.shape(out))
    directions = [rng.standard_normal(np.shape(a)) for a in args]
    grads = _vjp(fun, args, v)
    analytic = sum(float(np.sum(g.numpy() * d)) for g, d in zip(grads, directions))
    numeric = float(np.sum(v * _directional_fd(fun, args, directions)))
    assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), f"VJP {analytic!r} vs finite differences {numeric!r}"
    for g, a in zip(grads, args):
        assert g.shape == a.shape, f"gradient shape {g.shape} != argument shape {a.shape}"


def check_second_order(fun, args, rng, rtol=1e-4, atol=1e-5):
    """Differentiate s(x) = <d1, vjp(v)(x)> with an outer tape (the VJPs recorded as Tensor
    operations) and compare with central differences of s."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    out = _numeric(fun(*args))
    v = rng.standard_normal(np.shape(out))
    d1 = [rng.standard_normal(np.shape(a)) for a in args]
    d2 = [rng.standard_normal(np.shape(a)) for a in args]

    def s(*xs):
        return sum(np.sum(g * d) for g, d in zip(_vjp(fun, xs, v), d1))

    tensors = [constant(a) for a in args]
    with GradientTape() as outer:
        for t in tensors:
            outer.watch(t)
        value = s(*tensors)
    assert np.isclose(float(value), float(s(*args)), rtol=1e-10, atol=1e-12), "recorded backward pass differs"
    grads = outer.gradient(value, tensors, unconnected_gradients="zero")
    analytic = sum(float(np.sum(g.numpy() * d)) for g, d in zip(grads, d2))
    numeric = float(_directional_fd(s, args, d2))
    assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), f"second order {analytic!r} vs finite differences {numeric!r}"


# --- elementwise ufuncs: every entry of the shared table -----------------------------------------
DOMAIN = {"arccosh": (1.5, 3.0), "rint": (0.6, 0.9)}  # default (0.3, 0.9): inside every other domain
SHAPES = {1: [((2, 3),), ((),)], 2: [((2, 3), (2, 3)), ((3, 2), (2,)), ((), (2, 2))]}
UFUNC_NAMES = sorted(name for name in ELEMENTWISE if isinstance(getattr(np, name, None), np.ufunc))


def _uniform(rng, shape, name=""):
    lo, hi = DOMAIN.get(name, (0.3, 0.9))
    return rng.uniform(lo, hi, size=shape)


def test_every_elementwise_rule_is_wired():
    # every rule names a NumPy ufunc, but math's integer functions of integers (math.factorial):
    # no derivative, and their arguments are never Tensors
    integer_functions = {"factorial", "comb", "perm"}
    assert all(callable(getattr(math, name)) for name in integer_functions)
    assert sorted(UFUNC_NAMES) == sorted(set(ELEMENTWISE) - integer_functions - set(SPECIAL))
    for name in UFUNC_NAMES:
        assert getattr(np, name) in _UFUNC_PRIMS, name
    for name, function in SPECIAL.items():  # math.erf, math.lgamma, ...: tests/rules/test_special_functions.py
        assert function in _UFUNC_PRIMS, name


ELEMENTWISE_CASES = [
    pytest.param(name, shapes, id=f"{name}-{'x'.join(map(str, shapes[0])) or 'scalar'}-{len(shapes)}")
    for name in UFUNC_NAMES
    for shapes in SHAPES[ELEMENTWISE[name].arity]
]


@pytest.mark.parametrize("name, shapes", ELEMENTWISE_CASES)
def test_elementwise_rule(name, shapes):
    rng = np.random.default_rng(sum(map(ord, name)))
    fun = getattr(np, name)
    args = [_uniform(rng, s, name) for s in shapes]
    check_first_order(fun, args, rng)
    check_second_order(fun, args, rng)


# --- the other rules and the NumPy functions mapped onto them -----------------------------------
def _spd(n, batch=()):
    rng = np.random.default_rng(n)
    a = rng.uniform(-1, 1, size=batch + (n, n))
    return a + 3 * np.eye(n)


CLIP_X = np.array([0.2, 0.55, 0.8, 0.65, 0.1, 0.9])

WITH_ZERO = np.array([[0.7, 0.0, 0.4], [0.5, 0.8, 0.6]])  # products through zeros: no division
WITH_ZEROS = np.array([[0.7, 0.0, 0.4, 0.0], [0.5, 0.8, 0.0, 0.6], [0.3, 0.9, 0.2, 0.5]])
CASES = {
    # reductions
    "sum": (np.sum, [(2, 3, 4)]),
    "sum-axis0": (lambda x: np.sum(x, axis=0), [(2, 3, 4)]),
    "sum-axes02": (lambda x: np.sum(x, axis=(0, 2)), [(2, 3, 4)]),
    "sum-keepdims": (lambda x: np.sum(x, axis=-1, keepdims=True), [(2, 3, 4)]),
    "sum-method": (lambda x: x.sum(axis=1), [(2, 3)]),
    "mean": (np.mean, [(2, 3)]),
    "mean-axis": (lambda x: np.mean(x, axis=(0, 1), keepdims=True), [(2, 3, 2)]),
    "mean-method": (lambda x: x.mean(0), [(4, 3)]),
    "max": (np.max, [(3, 4)]),
    "max-axis": (lambda x: np.max(x, axis=1), [(3, 4)]),
    "amax-keepdims": (lambda x: np.amax(x, axis=0, keepdims=True), [(3, 4)]),
    "min": (np.min, [(3, 4)]),
    "min-axis": (lambda x: x.min(axis=-1), [(2, 3, 4)]),
    "amin": (lambda x: np.amin(x, axis=(0, 2)), [(2, 3, 4)]),
    "add.reduce": (lambda x: np.add.reduce(x, axis=1), [(3, 4)]),
    "maximum.reduce": (lambda x: np.maximum.reduce(x), [(3, 4)]),
    "minimum.reduce": (lambda x: np.minimum.reduce(x, axis=1), [(3, 4)]),
    "cumsum": (np.cumsum, [(2, 3)]),
    "cumsum-axis": (lambda x: np.cumsum(x, axis=1), [(2, 3)]),
    "add.accumulate": (lambda x: np.add.accumulate(x, axis=0), [(2, 3)]),
    "var": (np.var, [(3, 4)]),
    "var-axis-ddof": (lambda x: np.var(x, axis=0, ddof=1), [(3, 4)]),
    "std": (lambda x: np.std(x, axis=1, keepdims=True), [(3, 4)]),
    "average": (lambda x, w: np.average(x, axis=0, weights=w), [(3, 2), (3, 2)]),
    "average-plain": (lambda x: np.average(x), [(3, 2)]),
    # shapes
    "reshape": (lambda x: np.reshape(x, (3, 2)), [(2, 3)]),
    "reshape-method": (lambda x: x.reshape(6, 1) * x.reshape(-1), [(2, 3)]),
    "ravel": (lambda x: np.ravel(x) * np.arange(6.0), [(2, 3)]),
    "transpose": (lambda x: np.transpose(x) * np.arange(6.0).reshape(3, 2), [(2, 3)]),
    "transpose-axes": (lambda x: np.transpose(x, (1, 2, 0)) ** 2, [(2, 3, 4)]),
    "T": (lambda x: x.T @ x, [(2, 3)]),
    "swapaxes": (lambda x: np.swapaxes(x, 0, -1) ** 2, [(2, 3, 4)]),
    "moveaxis": (lambda x: np.moveaxis(x, 0, -1) ** 2, [(2, 3, 4)]),
    "expand_dims": (lambda x: np.expand_dims(x, 1) * np.ones((2, 2, 3)), [(2, 3)]),
    "squeeze": (lambda x: np.squeeze(x) ** 2, [(2, 1, 3)]),
    "broadcast_to": (lambda x: np.broadcast_to(x, (4, 2, 3)) * np.arange(24.0).reshape(4, 2, 3), [(2, 3)]),
    "broadcast_to-ones": (lambda x: np.broadcast_to(x, (3, 4)) ** 2, [(3, 1)]),
    "copy": (lambda x: np.copy(x) * x, [(3,)]),
    "flip": (lambda x: np.flip(x) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    "flip-axis": (lambda x: np.flip(x, 1) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    "diff": (lambda x: np.diff(x) ** 2, [(5,)]),
    "diff-2": (lambda x: np.diff(x, n=2, axis=0) ** 2, [(5, 2)]),
    "atleast_2d": (lambda x: np.atleast_2d(x) ** 2, [(3,)]),
    "atleast_3d": (lambda x: np.atleast_3d(x) ** 2, [(2, 3)]),
    # selection and joining
    "where": (lambda x, y: np.where(x > 0.6, x * x, y), [(3, 4), (4,)]),
    "where-scalar": (lambda x: np.where(x > 0.6, np.sin(x), 0.0), [(3, 4)]),
    "clip": (lambda x: np.clip(x, 0.5, 0.7) ** 2, [CLIP_X]),
    "clip-bounds": (lambda x, lo, hi: np.clip(x, lo, hi) ** 2, [CLIP_X, np.array(0.5), np.array(0.7)]),
    "clip-min-only": (lambda x: np.clip(x, 0.5, None), [CLIP_X]),
    "clip-method": (lambda x: x.clip(max=0.7), [CLIP_X]),
    "concatenate": (lambda x, y: np.concatenate([x, y]) ** 2, [(2, 3), (1, 3)]),
    "concatenate-axis1": (lambda x, y: np.concatenate((x, y, x), axis=1) ** 2, [(2, 3), (2, 1)]),
    "concatenate-None": (lambda x, y: np.concatenate([x, y], axis=None) ** 2, [(2, 3), (2,)]),
    "concatenate-mixed": (lambda x: np.concatenate([x, np.ones(2)]) ** 2, [(3,)]),
    "stack": (lambda x, y: np.stack([x, y]) ** 2, [(2, 3), (2, 3)]),
    "stack-last": (lambda x, y: np.stack((x, y, x), axis=-1) ** 2, [(2, 3), (2, 3)]),
    "hstack": (lambda x, y: np.hstack([x, y]) ** 2, [(3,), (2,)]),
    "hstack-2d": (lambda x, y: np.hstack([x, y]) ** 2, [(2, 3), (2, 2)]),
    "vstack": (lambda x, y: np.vstack([x, y]) ** 2, [(3,), (2, 3)]),
    "column_stack": (lambda x, y: np.column_stack([x, y]) ** 2, [(3,), (3, 2)]),
    "append": (lambda x, y: np.append(x, y) ** 2, [(2, 2), (3,)]),
    "trace": (np.trace, [(3, 3)]),
    "trace-offset": (lambda x: np.trace(x * x, offset=1), [(3, 4)]),
    # indexing
    "getitem-int": (lambda x: x[1] ** 2, [(3, 2)]),
    "getitem-slice": (lambda x: x[:, 1:] ** 2, [(3, 4)]),
    "getitem-step": (lambda x: x[::-2] ** 2, [(5,)]),
    "getitem-fancy-repeated": (lambda x: x[[0, 0, 2, 1, 0]] ** 2, [(3,)]),
    "getitem-fancy-2d": (lambda x: x[np.array([1, 0, 1]), np.array([2, 2, 2])] ** 2, [(2, 3)]),
    "getitem-mask": (lambda x: x[x > 0.5] ** 2, [(3, 4)]),
    "getitem-newaxis": (lambda x: x[None, ..., 0] ** 2, [(2, 3)]),
    "getitem-tensor-index": (lambda x: x[constant(1.0)] ** 2, [(3,)]),
    "iterate": (lambda x: sum(row * row for row in x), [(3, 2)]),
    # products
    "dot-scalar": (np.dot, [(), (2, 3)]),
    "dot-scalar-right": (np.dot, [(3,), ()]),
    "dot-1d-1d": (np.dot, [(3,), (3,)]),
    "dot-2d-1d": (np.dot, [(2, 3), (3,)]),
    "dot-1d-2d": (np.dot, [(3,), (3, 2)]),
    "dot-2d-2d": (np.dot, [(2, 3), (3, 4)]),
    "dot-3d-2d": (np.dot, [(2, 2, 3), (3, 4)]),
    "dot-3d-3d": (np.dot, [(2, 2, 3), (2, 3, 2)]),
    "dot-3d-1d": (np.dot, [(2, 2, 3), (3,)]),
    "dot-method": (lambda a, b: a.dot(b), [(2, 3), (3,)]),
    "vdot": (np.vdot, [(2, 3), (3, 2)]),
    "inner": (np.inner, [(2, 3), (4, 3)]),
    "inner-1d": (np.inner, [(3,), (3,)]),
    "outer": (np.outer, [(3,), (2, 2)]),
    "multiply.outer": (np.multiply.outer, [(3,), (2, 2)]),
    "subtract.outer": (np.subtract.outer, [(2,), (3,)]),
    "tensordot-1": (lambda a, b: np.tensordot(a, b, axes=1), [(2, 3), (3, 4)]),
    "tensordot-2": (np.tensordot, [(2, 3, 4), (3, 4, 2)]),
    "tensordot-lists": (lambda a, b: np.tensordot(a, b, axes=([1, 0], [0, 2])), [(2, 3, 4), (3, 5, 2)]),
    "tensordot-0": (lambda a, b: np.tensordot(a, b, axes=0), [(2,), (3,)]),
    "matmul-1d-1d": (np.matmul, [(3,), (3,)]),
    "matmul-2d-1d": (np.matmul, [(2, 3), (3,)]),
    "matmul-1d-2d": (np.matmul, [(3,), (3, 2)]),
    "matmul-2d-2d": (np.matmul, [(2, 3), (3, 4)]),
    "matmul-batch": (np.matmul, [(5, 2, 3), (5, 3, 4)]),
    "matmul-broadcast": (np.matmul, [(5, 2, 3), (1, 3, 4)]),
    "matmul-broadcast-2d": (np.matmul, [(2, 3), (5, 3, 4)]),
    "matmul-1d-batch": (np.matmul, [(3,), (5, 3, 4)]),
    "matmul-batch-1d": (np.matmul, [(5, 2, 3), (3,)]),
    "matmul-operator": (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    "matmul-operator-ndarray-left": (lambda a: np.arange(6.0).reshape(2, 3) @ a, [(3, 2)]),
    # linear algebra
    "inv": (np.linalg.inv, [_spd(3)]),
    "inv-batch": (np.linalg.inv, [_spd(2, (3,))]),
    "det": (np.linalg.det, [_spd(3)]),
    "det-batch": (np.linalg.det, [_spd(2, (3,))]),
    "solve-vector": (np.linalg.solve, [_spd(3), (3,)]),
    "solve-matrix": (np.linalg.solve, [_spd(3), (3, 2)]),
    "norm": (np.linalg.norm, [(4,)]),
    "norm-fro": (np.linalg.norm, [(2, 3)]),
    "norm-axis": (lambda x: np.linalg.norm(x, axis=1, keepdims=True), [(2, 3)]),
    "norm-1": (lambda x: np.linalg.norm(x - 0.6, ord=1), [(5,)]),
    "norm-inf": (lambda x: np.linalg.norm(x - 0.6, ord=np.inf), [(5,)]),
    "norm-minus-inf": (lambda x: np.linalg.norm(x - 0.6, ord=-np.inf), [(5,)]),
    "norm-p3-axis": (lambda x: np.linalg.norm(x, ord=3, axis=0), [(3, 2)]),
    "norm-p-half": (lambda x: np.linalg.norm(x, ord=0.5), [(4,)]),
    "norm-matrix-1": (lambda x: np.linalg.norm(x, ord=1), [(3, 4)]),
    "norm-matrix-minus-1": (lambda x: np.linalg.norm(x - 0.6, ord=-1), [(3, 4)]),
    "norm-matrix-inf": (lambda x: np.linalg.norm(x, ord=np.inf), [(3, 4)]),
    "norm-matrix-minus-inf-axes": (lambda x: np.linalg.norm(x, ord=-np.inf, axis=(2, 0), keepdims=True), [(3, 2, 4)]),
    "norm-fro-axes": (lambda x: np.linalg.norm(x, ord="fro", axis=(0, 1)), [(3, 2, 2)]),
    # products and rearrangements
    "prod": (np.prod, [(2, 3)]),
    "prod-axis": (lambda x: np.prod(x, axis=0), [(3, 4)]),
    "prod-axes-keepdims": (lambda x: np.prod(x, axis=(0, 2), keepdims=True), [(2, 3, 2)]),
    "prod-one-zero": (np.prod, [WITH_ZERO]),
    "prod-two-zeros-axis": (lambda x: np.prod(x, axis=1), [WITH_ZEROS]),
    "prod-two-zeros": (np.prod, [WITH_ZEROS]),
    "prod-method": (lambda x: x.prod(axis=-1), [WITH_ZERO]),
    "multiply.reduce": (lambda x: np.multiply.reduce(x, axis=1), [(3, 4)]),
    "cumprod": (np.cumprod, [(2, 3)]),
    "cumprod-axis": (lambda x: np.cumprod(x, axis=1), [(3, 4)]),
    "cumprod-zeros": (lambda x: np.cumprod(x, axis=1), [WITH_ZEROS]),
    "cumprod-zeros-flat": (np.cumprod, [WITH_ZERO]),
    "multiply.accumulate": (lambda x: np.multiply.accumulate(x, axis=0), [WITH_ZERO]),
    "sort": (np.sort, [(5,)]),
    "sort-axis0": (lambda x: np.sort(x, axis=0) * np.arange(12.0).reshape(3, 4), [(3, 4)]),
    "sort-None": (lambda x: np.sort(x, axis=None) * np.arange(12.0), [(3, 4)]),
    "roll": (lambda x: np.roll(x, 2) * np.arange(12.0).reshape(3, 4), [(3, 4)]),
    "roll-axis": (lambda x: np.roll(x, -1, axis=1) * np.arange(12.0).reshape(3, 4), [(3, 4)]),
    "roll-axes": (lambda x: np.roll(x, (1, 2), axis=(0, 1)) * np.arange(12.0).reshape(3, 4), [(3, 4)]),
    "repeat": (lambda x: np.repeat(x, 2) ** 2, [(2, 3)]),
    "repeat-counts-axis": (lambda x: np.repeat(x, [1, 0, 3], axis=0) ** 2, [(3, 2)]),
    "repeat-method": (lambda x: x.repeat(3, axis=1) ** 2, [(2, 2)]),
    "tile": (lambda x: np.tile(x, 3) ** 2, [(2,)]),
    "tile-more-axes": (lambda x: np.tile(x, (2, 1, 2)) ** 2, [(2, 3)]),
    "take": (lambda x: np.take(x, [0, 2, 2], axis=1) ** 2, [(2, 3)]),
    "take_along_axis": (lambda x: np.take_along_axis(x, np.array([[1, 0], [0, 0]]), axis=1) ** 2, [(2, 3)]),
    "linspace": (lambda a, b: np.linspace(a, b, 5) ** 2, [(), ()]),
    "linspace-open-arrays": (lambda a, b: np.linspace(a, b, 4, endpoint=False) ** 2, [(2,), (2,)]),
    # Python operators and builtins
    "operators": (lambda x, y: (2.0 - x) * (3.0 / y) + x ** 2 - (-y) ** 3 + 2.0 ** x + x / y, [(3,), (3,)]),
    "operators-broadcast": (lambda x, y: x * y + x / y - y, [(2, 3), (3, 1, 1)]),
    "abs-neg-pos": (lambda x: abs(x - 0.6) + (+x) * (-x), [(4,)]),
    "floordiv-mod": (lambda x, y: (x // 0.25) * x + x % y + 3.0 % y + 1.7 // y, [(4,), (4,)]),
    "sum-builtin": (lambda x: sum([x, x * x, 1.0]), [(2,)]),
    "power-integer-exponent-negative-base": (lambda x: (x - 1.0) ** 3, [(3,)]),
}


def _make_args(specs, rng):
    return [np.array(s, dtype=np.float64) if isinstance(s, np.ndarray) else rng.uniform(0.3, 0.9, size=s) for s in specs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule(name):
    fun, specs = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    args = _make_args(specs, rng)
    check_first_order(fun, args, rng)
    check_second_order(fun, args, rng)


def test_maximum_splits_ties_evenly():
    x = constant([1.0, 3.0, 3.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = np.max(x)
    assert tape.gradient(y, x).numpy().tolist() == [0.0, 0.5, 0.5, 0.0]


def test_unbroadcast_sums_over_stretched_axes():
    x, y = constant(np.ones((2, 1))), constant(np.arange(3.0))
    with GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = x * y  # shape (2, 3)
    dx, dy = tape.gradient(z, [x, y])
    assert dx.shape == (2, 1) and dx.numpy().tolist() == [[3.0], [3.0]]
    assert dy.shape == (3,) and dy.numpy().tolist() == [2.0, 2.0, 2.0]


def test_piecewise_constant_rules_give_zero_gradients():
    x = constant([0.3, 1.7])
    with GradientTape() as tape:
        tape.watch(x)
        y = np.floor(x) + np.sign(x)
    assert tape.gradient(y, x).numpy().tolist() == [0.0, 0.0]


# --- no rule: a clear error naming the function, never a silent zero gradient -------------------
MISSING = {
    "numpy.partition": lambda t: np.partition(t, 1),
    "numpy.einsum(... with an ellipsis)": lambda t: np.einsum("...->", t),
    "numpy.logaddexp2": lambda t: np.logaddexp2(t, t),
    "numpy.heaviside": lambda t: np.heaviside(t, 0.5),
    "numpy.maximum.accumulate": lambda t: np.maximum.accumulate(t),
    "numpy.sum(..., where=...)": lambda t: np.sum(t, where=t > 0),
    "numpy.linalg.norm(..., ord='nuc')": lambda t: np.linalg.norm(np.reshape(t, (1, 2)), ord="nuc"),
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_missing_rule_names_the_function(name):
    x = constant([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(MissingRuleError) as info:
            MISSING[name](x)
    assert name.split("(")[0] in str(info.value)


def test_ufunc_out_into_a_tensor_is_refused_but_index_assignment_works():
    with pytest.raises(TypeError, match="immutable"):
        np.add(constant([1.0]), 1.0, out=np.zeros(1))
    t = constant([1.0, 2.0])
    t[0] = 3.0  # recorded when a tape tracks t (tests/eager/test_eager_writes.py)
    assert t.numpy().tolist() == [3.0, 2.0]


def test_converting_a_recorded_tensor_to_an_array_is_refused():
    x = constant([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(TypeError, match="drop its gradient"):
            np.asarray(x * 2.0)
        assert np.asarray(constant([3.0])).tolist() == [3.0]  # a constant is not recorded
    assert np.asarray(x).tolist() == [1.0, 2.0]  # outside the tape it is fine
