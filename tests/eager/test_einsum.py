"""np.einsum on Tensors (srcgrad/eager/einsum.py): gradients against central differences for
explicit and implicit outputs, batched products, an index one operand alone sums over, second
order against the exact Hessian of a quadratic form, the refusals, and a compiled build whose
function falls back to this engine for it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad import GradientTape
from srcgrad.eager import MissingRuleError
from tests import fuzzing

RANDOM = np.random.default_rng(8)
CASES = [
    ("i,ij,j->", [(3,), (3, 4), (4,)]),
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),  # implicit output: ik
    ("ij->", [(2, 3)]),
    ("ji->j", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ijk,k->i", [(2, 3, 4), (4,)]),  # j: summed in the first operand alone
]


def _loss(spec):
    return lambda *operands: np.sum(np.sin(np.einsum(spec, *operands)))


@pytest.mark.parametrize("spec, shapes", CASES, ids=[c[0] for c in CASES])
def test_einsum_gradients_match_central_differences(spec, shapes):
    operands = [RANDOM.normal(size=s) for s in shapes]
    loss = _loss(spec)
    watched = [srcgrad.Tensor(o) for o in operands]
    with GradientTape(persistent=True) as tape:
        for t in watched:
            tape.watch(t)
        value = loss(*watched)
    assert float(value) == pytest.approx(loss(*operands), rel=1e-14)
    for k, t in enumerate(watched):
        gradient = np.asarray(tape.gradient(value, t))
        direction, step = RANDOM.normal(size=shapes[k]), 1e-6
        up, down = list(operands), list(operands)
        up[k], down[k] = operands[k] + step * direction, operands[k] - step * direction
        expected = (loss(*up) - loss(*down)) / (2 * step)
        assert np.sum(gradient * direction) == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_einsum_second_order_is_the_quadratic_forms_hessian():
    A = RANDOM.normal(size=(3, 3))
    x0 = RANDOM.normal(size=3)
    x = srcgrad.Tensor(x0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = np.einsum("i,ij,j->", x, A, x)
        g = inner.gradient(y, x)
        total = np.sum(g)
    assert np.allclose(np.asarray(g), (A + A.T) @ x0, rtol=1e-13)
    assert np.allclose(np.asarray(outer.gradient(total, x)), (A + A.T).sum(axis=0), rtol=1e-13)


@pytest.mark.parametrize("spec, shapes", [("...i,i->...", [(2, 3), (3,)])])
def test_einsum_without_a_rule_says_so(spec, shapes):
    operands = [srcgrad.Tensor(RANDOM.normal(size=s)) for s in shapes]
    with GradientTape() as tape:
        tape.watch(operands[0])
        with pytest.raises(MissingRuleError, match="numpy.einsum"):
            np.einsum(spec, *operands)


def test_a_compiled_build_falls_back_to_the_eager_einsum():
    # a three-dimensional transpose has no lowering to products and sums (frontend/lowered_calls.py)
    source = "import numpy as np\n\n\ndef energy(T):\n    return np.sum(np.sin(np.einsum('ijk->kij', T)))\n"
    T = RANDOM.normal(size=(2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.FallbackWarning)
        generated, module = fuzzing.pure_build(source, "einsum_model.py")
        gradient = module.grad_energy(T)
    assert not generated.reports[0].compiled
    assert np.allclose(gradient, np.cos(T), rtol=1e-13)


def test_a_trace_and_a_diagonal_have_gradients_to_second_order():
    A0 = RANDOM.normal(size=(3, 3))
    A = srcgrad.Tensor(A0)
    with GradientTape() as outer:
        outer.watch(A)
        with GradientTape() as inner:
            inner.watch(A)
            y = np.einsum("ii->", A * A) + np.sum(np.einsum("ii->i", A) ** 3)
        g = inner.gradient(y, A)
        total = np.sum(g * g)
    expected = 2.0 * A0 * np.eye(3) + np.diag(3.0 * np.diag(A0) ** 2)
    assert np.allclose(np.asarray(g), expected, rtol=1e-13)
    # d/dA of sum(g * g): 2 g dg/dA, nonzero on the diagonal only
    diagonal = np.diag(A0)
    second = np.diag(2.0 * expected.diagonal() * (2.0 + 6.0 * diagonal))
    assert np.allclose(np.asarray(outer.gradient(total, A)), second, rtol=1e-12)
