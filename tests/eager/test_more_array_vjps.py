"""The rearrangement entries of the array rule table (srcgrad.rules.rearrangements), called as
generated code calls them, against the eager engine and finite differences:

- each adjoint, for a random cotangent, equals the eager engine's VJP of the same NumPy call
  (np.reshape, np.roll, np.tile, np.repeat, np.sort, np.cumprod, joins) and a directional
  difference of the primitive;
- each JVP helper (np.sort's, np.cumprod's) equals a directional difference, and the JVP of
  cumprod's adjoint (what hvp of compiled code calls) equals a difference of the adjoint;
- every adjoint linear in g is linear (forward mode relies on it);
- the eager fallback reads dtype=float in traced code (float is its Tensor-keeping stand-in)."""

from __future__ import annotations

import numpy as np
import pytest

from srcgrad.eager import GradientTape, constant
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.rules import rearrangements as rules

RNG = np.random.default_rng(4112)
STEP = 1e-6


def eager_vjp(function, x, g):
    tensor = constant(x)
    with GradientTape() as tape:
        tape.watch(tensor)
        out = function(tensor)
    return np.asarray(tape.gradient(out, tensor, output_gradients=g))


def directional(function, x, d):
    return (function(x + STEP * d) - function(x - STEP * d)) / (2 * STEP)


# name: (the primitive on NumPy values, the table's adjoint of it, the argument's shape)
UNARY = {
    "reshape": (lambda x: np.reshape(x, (3, -1)), lambda g, x: rules.reshape_adjoint(g, x), (2, 3)),
    "ravel": (lambda x: np.reshape(x, (-1,)), lambda g, x: rules.reshape_adjoint(g, x), (2, 2, 2)),
    "flip": (lambda x: np.flip(x), lambda g, x: rules.flip_adjoint(g), (2, 3)),
    "flip-axis": (lambda x: np.flip(x, 1), lambda g, x: rules.flip_adjoint(g, 1), (2, 3)),
    "roll": (lambda x: np.roll(x, 2), lambda g, x: rules.roll_adjoint(g, 2), (5,)),
    "roll-axis": (lambda x: np.roll(x, -1, axis=1), lambda g, x: rules.roll_adjoint(g, -1, 1), (2, 3)),
    "roll-flat": (lambda x: np.roll(x, 4), lambda g, x: rules.roll_adjoint(g, 4), (2, 3)),
    "roll-tuple": (lambda x: np.roll(x, (1, 2), axis=(0, 1)), lambda g, x: rules.roll_adjoint(g, (1, 2), (0, 1)),
                   (3, 3)),
    "tile": (lambda x: np.tile(x, 3), lambda g, x: rules.tile_adjoint(g, x, 3), (4,)),
    "tile-2d": (lambda x: np.tile(x, (2, 2)), lambda g, x: rules.tile_adjoint(g, x, (2, 2)), (2, 3)),
    "repeat": (lambda x: np.repeat(x, 2), lambda g, x: rules.repeat_adjoint(g, x, 2), (2, 3)),
    "repeat-axis": (lambda x: np.repeat(x, 3, axis=1), lambda g, x: rules.repeat_adjoint(g, x, 3, 1), (2, 3)),
    "sort": (lambda x: np.sort(x), lambda g, x: rules.sort_adjoint(g, x), (6,)),
    "sort-axis0": (lambda x: np.sort(x, axis=0), lambda g, x: rules.sort_adjoint(g, x, 0), (4, 3)),
    "sort-flat": (lambda x: np.sort(x, axis=None), lambda g, x: rules.sort_adjoint(g, x, None), (2, 3)),
    "cumprod": (lambda x: np.cumprod(x), lambda g, x: rules.cumprod_adjoint_exact(g, x), (5,)),
    "cumprod-flat": (lambda x: np.cumprod(x), lambda g, x: rules.cumprod_adjoint_exact(g, x), (2, 3)),
    "cumprod-axis0": (lambda x: np.cumprod(x, axis=0), lambda g, x: rules.cumprod_adjoint_exact(g, x, 0), (3, 2, 2)),
    "expand_dims": (lambda x: np.expand_dims(x, 1), lambda g, x: rules.reshape_adjoint(g, x), (3,)),
    "atleast_2d": (lambda x: np.atleast_2d(x), lambda g, x: rules.reshape_adjoint(g, x), (3,)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_adjoint_is_the_eager_vjp_and_the_transposed_difference(name):
    function, adjoint, shape = UNARY[name]
    x = RNG.normal(size=shape)
    g = RNG.normal(size=np.shape(function(x)))
    gradient = adjoint(g, x)
    assert np.shape(gradient) == shape
    assert np.allclose(gradient, eager_vjp(function, x, g), rtol=1e-12, atol=1e-12)
    d = RNG.normal(size=shape)  # <g, J d> = <J^T g, d>
    assert np.sum(g * directional(function, x, d)) == pytest.approx(np.sum(gradient * d), rel=1e-6, abs=1e-8)
    h = RNG.normal(size=np.shape(g))  # linear in g
    assert np.allclose(adjoint(2.0 * g - h, x), 2.0 * gradient - adjoint(h, x), rtol=1e-12, atol=1e-12)


def test_cumprod_adjoint_with_zeros_is_exact():
    x = np.array([0.7, 0.0, -1.2, 0.0, 0.4])
    g = RNG.normal(size=5)
    jacobian = np.array([directional(np.cumprod, x, e) for e in np.eye(5)]).T
    assert np.allclose(rules.cumprod_adjoint_exact(g, x), jacobian.T @ g, rtol=1e-7, atol=1e-9)
    assert np.allclose(rules.cumprod_adjoint_exact(g, x), eager_vjp(np.cumprod, x, g), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("axis,shape", [(None, (5,)), (None, (2, 3)), (0, (3, 2)), (1, (2, 4)), (-1, (2, 2, 3))])
def test_cumprod_tangent_and_the_jvp_of_its_adjoint(axis, shape):
    x, t = RNG.normal(size=shape), RNG.normal(size=shape)
    expected = directional(lambda v: np.cumprod(v, axis=axis), x, t)
    assert np.allclose(rules.cumprod_tangent(t, x, axis), expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(rules.cumprod_tangent(0.0, x, axis), 0.0)
    g = RNG.normal(size=np.shape(np.cumprod(x, axis=axis)))
    d_g = RNG.normal(size=np.shape(g))

    def adjoint(shift):
        return rules.cumprod_adjoint_exact(g + shift * d_g, x + shift * t, axis)

    numeric = (adjoint(STEP) - adjoint(-STEP)) / (2 * STEP)
    assert np.allclose(rules.cumprod_adjoint_jvp(g, x, axis, d_g, t), numeric, rtol=1e-6, atol=1e-8)
    assert np.allclose(rules.cumprod_adjoint_jvp(g, x, axis, 0.0, t),
                       rules.cumprod_adjoint_jvp(g, x, axis, np.zeros(np.shape(g)), t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("axis,shape", [(-1, (6,)), (0, (4, 3)), (1, (3, 4)), (None, (2, 3))])
def test_sort_tangent_is_a_directional_difference(axis, shape):
    x, t = RNG.normal(size=shape), RNG.normal(size=shape)
    expected = directional(lambda v: np.sort(v, axis=axis), x, t)
    assert np.allclose(rules.sort_tangent(t, x, axis), expected, rtol=1e-6, atol=1e-8)


JOINS = {
    "concatenate": (lambda a, b: np.concatenate((a, b)), rules.concatenate_adjoint_left,
                    rules.concatenate_adjoint_right, (2, 3), (1, 3), {}),
    "concatenate-axis1": (lambda a, b: np.concatenate((a, b), axis=1), rules.concatenate_adjoint_left,
                          rules.concatenate_adjoint_right, (2, 3), (2, 2), {"axis": 1}),
    "concatenate-last": (lambda a, b: np.concatenate((a, b), axis=-1), rules.concatenate_adjoint_left,
                         rules.concatenate_adjoint_right, (2, 1, 2), (2, 1, 3), {"axis": -1}),
    "hstack": (lambda a, b: np.hstack((a, b)), rules.hstack_adjoint_left, rules.hstack_adjoint_right, (3,), (2,), {}),
    "hstack-2d": (lambda a, b: np.hstack((a, b)), rules.hstack_adjoint_left, rules.hstack_adjoint_right,
                  (2, 3), (2, 1), {}),
    "hstack-numbers": (lambda a, b: np.hstack((a, b)), rules.hstack_adjoint_left, rules.hstack_adjoint_right,
                       (), (3,), {}),
    "vstack": (lambda a, b: np.vstack((a, b)), rules.vstack_adjoint_left, rules.vstack_adjoint_right, (3,), (2, 3), {}),
    "vstack-rows": (lambda a, b: np.vstack((a, b)), rules.vstack_adjoint_left, rules.vstack_adjoint_right,
                    (3,), (3,), {}),
}


@pytest.mark.parametrize("name", sorted(JOINS))
def test_join_adjoints_are_the_eager_vjps(name):
    function, left, right, a_shape, b_shape, options = JOINS[name]
    a, b = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    g = RNG.normal(size=np.shape(function(a, b)))
    ta, tb = constant(np.asarray(a)), constant(np.asarray(b))
    with GradientTape() as tape:
        tape.watch(ta)
        tape.watch(tb)
        out = function(ta, tb)
    expected_a, expected_b = tape.gradient(out, [ta, tb], output_gradients=g)
    assert np.allclose(left(g, a, **options), np.asarray(expected_a), rtol=1e-12, atol=1e-12)
    assert np.allclose(right(g, b, **options), np.asarray(expected_b), rtol=1e-12, atol=1e-12)
    assert np.shape(left(g, a, **options)) == a_shape and np.shape(right(g, b, **options)) == b_shape


def test_one_dimensional_refuses_a_matrix():
    x = RNG.normal(size=4)
    assert rules.one_dimensional(x) is x
    with pytest.raises(TypeError, match="1-dimensional"):
        rules.one_dimensional(RNG.normal(size=(2, 2)))


def _copied_as_float(x):
    y = np.array(x, dtype=float)
    z = np.zeros(3, dtype=float)
    z[0] = x[0] * x[1]
    return np.sum(y ** 2) + z[0] + np.sum(np.asarray(x, dtype=np.float64))


def test_the_fallback_reads_dtype_float():
    x = np.array([0.5, -1.5, 2.0])
    value, gradient = eager_value_and_gradient(_copied_as_float, (x,), (0,))
    assert value == pytest.approx(np.sum(x ** 2) + x[0] * x[1] + np.sum(x), abs=1e-14)
    assert np.allclose(gradient, 2 * x + np.array([x[1], x[0], 0.0]) + 1.0, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("join", [lambda x: np.concatenate(([0.0], x, [1.0, 2.0])),
                                  lambda x: np.stack([x, [1.0, 2.0, 3.0]], axis=1),
                                  lambda x: np.hstack([[0.5], x]), lambda x: np.vstack([x, (1.0, 2.0, 3.0)])],
                         ids=["concatenate", "stack", "hstack", "vstack"])
def test_joins_of_tensors_and_lists(join):
    x, d = RNG.normal(size=3), RNG.normal(size=3)
    g = RNG.normal(size=np.shape(join(x)))
    gradient = eager_vjp(join, x, g)
    assert np.sum(g * directional(join, x, d)) == pytest.approx(np.sum(gradient * d), rel=1e-6, abs=1e-8)


def test_cumprod_tangent_and_adjoint_jvp_with_zeros():
    x, t = np.array([[0.7, 0.0, -1.2], [0.0, 0.4, 2.0]]), RNG.normal(size=(2, 3))
    expected = directional(lambda v: np.cumprod(v, axis=1), x, t)
    assert np.allclose(rules.cumprod_tangent(t, x, 1), expected, rtol=1e-6, atol=1e-8)
    g, d_g = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    numeric = (rules.cumprod_adjoint_exact(g + STEP * d_g, x + STEP * t, 1)
               - rules.cumprod_adjoint_exact(g - STEP * d_g, x - STEP * t, 1)) / (2 * STEP)
    assert np.allclose(rules.cumprod_adjoint_jvp(g, x, 1, d_g, t), numeric, rtol=1e-6, atol=1e-8)
