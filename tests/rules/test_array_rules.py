"""The array rule table (srcgrad.rules.arrays), entry by entry, against finite differences.

Every primitive needs examples here (a new entry without them fails the first test); for each,
the table's adjoints are checked against central differences of NumPy itself, its declared
linearity (which forward mode relies on) is checked, every runtime adjoint is checked to be
linear where it says so, the spelling generated code uses is evaluated against NumPy, and the
eager engine's gradient (which takes its VJPs from the same table) is checked too.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from srcgrad import ir
from srcgrad.eager import GradientTape, constant
from srcgrad.rules import symbolic
from srcgrad.rules.arrays import HELPERS, RULES, unbroadcast, unbroadcast_like
from srcgrad.runtime import vector

RNG = np.random.default_rng(3)


def _r(*shape):
    return RNG.normal(size=shape)


# primitive -> [(operands, options)]
EXAMPLES = {
    "sum": [((_r(3, 4),), (None,)), ((_r(3, 4),), (0,)), ((_r(3, 4),), (-1,)), ((_r(5),), (None,))],
    "mean": [((_r(3, 4),), (None,)), ((_r(3, 4),), (1,)), ((_r(5),), (0,))],
    "cumsum": [((_r(3, 4),), (None,)), ((_r(3, 4),), (0,)), ((_r(3, 4),), (-1,)), ((_r(5),), (None,))],
    "transpose": [((_r(3, 4),), ()), ((_r(2, 3, 4),), ())],
    "matmul": [((_r(3, 4), _r(4, 2)), ()), ((_r(3, 4), _r(4)), ()), ((_r(3), _r(3, 4)), ()),
               ((_r(4), _r(4)), ()), ((_r(2, 3, 4), _r(4, 2)), ()), ((_r(3), _r(2, 3, 4)), ())],
    "dot": [((_r(3, 4), _r(4, 2)), ()), ((_r(3, 4), _r(4)), ()), ((_r(3), _r(3, 4)), ()), ((_r(4), _r(4)), ())],
    "outer": [((_r(3), _r(4)), ())],
    "inner": [((_r(3), _r(3)), ()), ((_r(2, 3), _r(4, 3)), ()), ((_r(2, 3), _r(4, 3, 3)), ()), ((_r(3), _r(2, 3)), ())],
    "getitem": [((_r(5),), (np.s_[1:],)), ((_r(5),), (np.s_[::-2],)), ((_r(5),), (np.s_[3:1],)),
                ((_r(3, 4),), (np.s_[:, 1],)), ((_r(3, 4),), (np.s_[1:, :-1],)), ((_r(3, 4),), (np.s_[-1, 7::-3],))],
}
EXAMPLES.update({
    "prod": [((_r(3, 4),), (None,)), ((_r(3, 4),), (1,)), ((np.array([1.5, 0.0, -2.0]),), (None,))],
    "max": [((_r(3, 4),), (None,)), ((_r(3, 4),), (0,))],
    "min": [((_r(3, 4),), (None,)), ((_r(3, 4),), (-1,))],
    "amax": [((_r(5),), (None,))],
    "amin": [((_r(3, 4),), (1,))],
    "diff": [((_r(5),), (-1,)), ((_r(3, 4),), (0,))],  # (np.diff(x) has no axis None: printed without)
    "argmax": [((_r(5),), (None,)), ((_r(3, 4),), (1,))],  # integers: no adjoint
    "argmin": [((_r(3, 4),), (None,))],
    # start and stop are numbers: num is an option
    "linspace": [((0.3, -1.2), (5,)), ((0.3, -1.2), (1,)), ((0.3, -1.2), (0,))],
    # constants: no operand has an adjoint
    "arange": [((1.0, 6, 1), ())],
    "full": [((4, 2.5), ())],
    "eye": [((3, None, 0), ()), ((3, 4, 1), ()), ((4, 3, -1), ())],
    "trace": [((_r(3, 3),), ()), ((_r(3, 4),), ()), ((_r(4, 2),), ())],
})
EXAMPLES.update({  # rearrangements (srcgrad.rules.rearrangements)
    "reshape": [((_r(2, 3),), ((3, 2),)), ((_r(2, 3),), ((-1,),)), ((_r(6),), ((2, -1),))],
    "atleast_1d": [((_r(3),), ()), ((_r(2, 2),), ())],
    "atleast_2d": [((_r(3),), ()), ((_r(2, 2),), ())],
    "expand_dims": [((_r(3),), (0,)), ((_r(2, 3),), (-1,))],
    "roll": [((_r(5),), (2, None)), ((_r(2, 3),), (-1, 1)), ((_r(2, 3),), (4, None)), ((_r(3, 3),), ((1, 2), (0, 1)))],
    "flip": [((_r(5),), (None,)), ((_r(2, 3),), (1,)), ((_r(2, 3),), (None,))],
    "tile": [((_r(3),), (2,)), ((_r(2, 3),), ((2, 1),))],
    "diag": [((_r(3),), (0,)), ((_r(3),), (-2,)), ((_r(2, 4),), (0,)), ((_r(4, 2),), (-1,)), ((_r(3, 3),), (2,))],
    "tril": [((_r(3, 3),), (0,)), ((_r(3, 4),), (-1,)), ((_r(4),), (1,))],  # a vector: its rows stretched
    "triu": [((_r(3, 3),), (0,)), ((_r(4, 3),), (1,)), ((_r(3),), (-1,))],
    "repeat": [((_r(3),), (2, None)), ((_r(2, 3),), (3, 0)), ((_r(2, 3),), (2, None))],
    "sort": [((_r(6),), (-1,)), ((_r(4, 3),), (0,))],
    "cumprod": [((_r(5),), (None,)), ((_r(3, 4),), (1,)), ((np.array([0.5, 0.0, -2.0, 1.5]),), (0,))],
    "concatenate": [((_r(2, 3), _r(1, 3)), (0,)), ((_r(2, 3), _r(2, 2)), (1,)), ((_r(3), _r(2)), (-1,))],
    "hstack": [((_r(3), _r(2)), ()), ((_r(2, 3), _r(2, 1)), ()), ((np.float64(0.5), _r(3)), ())],
    "vstack": [((_r(3), _r(2, 3)), ()), ((_r(3), _r(3)), ())],
    "size": [((_r(2, 3),), ())],  # an integer: no adjoint
    "one_dimensional": [((_r(4),), ())],
    "dot_of_vectors": [((_r(4), _r(4)), ())],  # np.dot of vectors, checked to be vectors: a number
    "whole_copy": [((_r(3),), ()), ((_r(2, 3),), ())],
    "filled_like": [((_r(3),), (0.0,)), ((_r(2, 3),), (1.0,))],  # no adjoint: the values do not vary
})
_WELL_POSED = _r(3, 3) + 3.0 * np.eye(3)
EXAMPLES.update({  # linear algebra (srcgrad.rules.linalg; realistic functions: tests/rules/test_linalg.py)
    "solve": [((_WELL_POSED, _r(3)), ()), ((_WELL_POSED, _r(3, 2)), ())],
    "inv": [((_WELL_POSED,), ()), ((_r(2, 3, 3) + 3.0 * np.eye(3),), ())],
    # its lower triangle is what cholesky reads: the upper holds anything
    "cholesky": [((_WELL_POSED @ _WELL_POSED.T + np.triu(_r(3, 3), 1),), ())],
    "det": [((_WELL_POSED,), ()), ((-_WELL_POSED,), ())],
    "logabsdet": [((_WELL_POSED,), ()), ((-_WELL_POSED,), ())],  # a negative determinant too
    "slogdet_sign": [((_WELL_POSED,), ()), ((-_WELL_POSED,), ())],  # piecewise constant: no adjoint
})
CASES = [(name, operands, options) for name, examples in EXAMPLES.items() for operands, options in examples]
IDS = [f"{name}-{'x'.join(str(np.shape(o)) for o in operands)}-{options}" for name, operands, options in CASES]


def _forward(name, operands, options):
    rule = RULES[name]
    if name == "getitem":  # x[index]: an operator, not a NumPy function
        return operands[0][options[0]]
    if rule.spelling.startswith("_vector."):  # a runtime check (one_dimensional), not a NumPy function
        return getattr(vector, rule.spelling[len("_vector."):])(*operands)
    if rule.sequence:  # np.concatenate((a, b), axis=0)
        operands = (tuple(operands),)
    # whole_copy: np.copy; solve: np.linalg.solve
    function = getattr(np, name) if hasattr(np, name) else functools.reduce(getattr, rule.spelling[3:].split("."), np)
    return function(*operands, **dict(zip(rule.params[rule.operands:], options)))


def _bound(name, operands, options, g):
    rule = RULES[name]
    return dict(zip(rule.params, tuple(operands) + tuple(options)), g=g, ans=_forward(name, operands, options))


def test_every_primitive_has_examples():
    assert set(EXAMPLES) == set(RULES)


@pytest.mark.parametrize("name,operands,options", CASES, ids=IDS)
def test_adjoints_match_central_differences(name, operands, options):
    rule = RULES[name]
    g = _r(*np.shape(_forward(name, operands, options)))
    for i, vjp in enumerate(rule.vjps):
        if vjp is None:  # a constant's operand
            continue
        direction = _r(*np.shape(operands[i]))
        step = 1e-6
        moved = [list(operands), list(operands)]
        moved[0][i], moved[1][i] = operands[i] + step * direction, operands[i] - step * direction
        numeric = np.sum(g * (_forward(name, moved[0], options) - _forward(name, moved[1], options))) / (2 * step)
        cotangent = vjp.apply(_bound(name, operands, options, g))
        assert np.shape(cotangent) == np.shape(operands[i])
        assert np.sum(cotangent * direction) == pytest.approx(numeric, rel=1e-7, abs=1e-8)


def _check_multilinear(function, args, linear):
    """f is linear in each listed argument with the others held: f(.., a u + v, ..) = a f(u) + f(v)."""
    for i in linear:
        u, v = _r(*np.shape(args[i])), _r(*np.shape(args[i]))
        at = lambda value: function(*(args[:i] + (value,) + args[i + 1:]))  # noqa: E731
        np.testing.assert_allclose(at(2.5 * u + v), 2.5 * np.asarray(at(u)) + at(v), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,operands,options", CASES, ids=IDS)
def test_declared_linearity_holds(name, operands, options):
    rule = RULES[name]
    _check_multilinear(lambda *xs: _forward(name, xs, options), tuple(operands), rule.linear)
    g = _r(*np.shape(_forward(name, operands, options)))
    for vjp in (v for v in rule.vjps if v is not None):  # each adjoint is linear where it says
        bound = _bound(name, operands, options, g)
        args = tuple(bound[p] for p in vjp.params if p in bound)
        _check_multilinear(lambda *xs: vjp.function(*xs), args, [i for i in vjp.linear if i < len(args)])


@pytest.mark.parametrize("like,g", [(_r(3, 4), _r(3, 4)), (_r(1, 4), _r(3, 4)), (_r(4), _r(2, 3, 4)), (0.5, _r(3)),
                                    (_r(3), np.float64(1.5))])
def test_unbroadcast_sums_what_broadcasting_spread(like, g):
    reduced = unbroadcast_like(g, like)
    assert np.shape(reduced) == np.shape(like) and (type(reduced) is float) == (np.ndim(like) == 0)
    direction = _r(*np.shape(like))  # <g, broadcast(d)> = <unbroadcast(g), d>
    assert np.sum(g * np.broadcast_to(direction, np.broadcast_shapes(np.shape(g), np.shape(like)))) \
        == pytest.approx(np.sum(reduced * direction) if np.ndim(g) else np.sum(reduced * direction))
    if np.ndim(g):
        np.testing.assert_allclose(unbroadcast(g, np.shape(like)), reduced)
    _check_multilinear(lambda x: unbroadcast_like(x, like), (g,), HELPERS["unbroadcast"].linear)


def test_every_runtime_adjoint_is_reached_by_a_rule_or_checked():
    used = {v.name for rule in RULES.values() for v in rule.vjps if v is not None}
    used |= {rule.tangent.name for rule in RULES.values() if rule.tangent is not None}  # np.sort's JVP
    used |= {name for name in RULES if name in HELPERS}  # one_dimensional: a rule spelt as its runtime check
    # the JVPs of adjoints and JVP helpers that are not linear (cumprod's: tests/eager/test_more_array_vjps.py;
    # np.linalg's: tests/rules/test_linalg.py)
    used |= {helper.jvp for helper in HELPERS.values() if helper.jvp is not None}
    assert set(HELPERS) - used == {"unbroadcast", "cotangent_like"}

    for name, helper in HELPERS.items():
        assert getattr(vector, name) is helper.function


# (x[index]'s spelling is checked where slices are read: tests/transform/test_slicing.py)
@pytest.mark.parametrize("name,operands,options", [c for c in CASES if RULES[c[0]].spelling not in ("@", "[]")],
                         ids=[i for c, i in zip(CASES, IDS) if RULES[c[0]].spelling not in ("@", "[]")])
def test_spelling_in_generated_code_computes_the_primitive(name, operands, options):
    names = [f"x{i}" for i in range(len(operands))]
    call = ir.Call(name, tuple(ir.Name(n) for n in names) + tuple(ir.Const(o) for o in options))
    text = symbolic.spelled(call, lambda e: e.id, lambda e: e.id)
    np.testing.assert_array_equal(eval(text, {"np": np, "_vector": vector, **dict(zip(names, operands))}),
                                  _forward(name, operands, options))


@pytest.mark.parametrize("name,operands,options", CASES, ids=IDS)
def test_eager_engine_gradient_matches_the_table(name, operands, options):
    rule = RULES[name]
    if all(v is None for v in rule.vjps):  # a constant: nothing to differentiate
        return
    g = _r(*np.shape(_forward(name, operands, options)))
    tensors = [constant(o) for o in operands]
    with GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = (tensors[0] @ tensors[1]) if name == "matmul" else _forward(name, tensors, options)
    gradients = tape.gradient(out, tensors, output_gradients=g)
    for i, vjp in enumerate(rule.vjps):
        np.testing.assert_allclose(np.asarray(gradients[i]), vjp.apply(_bound(name, operands, options, g)),
                                   rtol=1e-12, atol=1e-12)
