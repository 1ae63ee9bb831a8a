"""np.einsum of the specifications people write and np.vdot are read as the products and sums
that compile already, np.inner is a primitive of any dimensions (srcgrad/frontend/lowered_calls.py), and math.factorial, math.comb
and math.perm of integers are integer-valued functions with no derivative: each function of
tests/programs/lowered_calls.py compiles (no eager fallback), compiled and --pure, and its value,
gradient, jvp_ and hvp_ agree with the original, central differences and the eager engine. The
lowering's text is checked against np.einsum itself for each specification, and one it cannot
write falls back with the specification named."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.frontend.lowered_calls import einsum_text
from srcgrad.generate import generate

PATH = str(PROGRAMS / "lowered_calls.py")
_RANDOM = np.random.default_rng(12)


def _normal(*shape):
    return _RANDOM.normal(size=shape)


def _both(*shapes):
    """A point and a direction of the same shapes."""
    return tuple(_normal(*s) for s in shapes), tuple(_normal(*s) for s in shapes)


POINTS = {
    "einsum_dot": [_both((4,), (4,)), _both((1,), (1,))],
    "einsum_matvec": [_both((3, 4), (4,)), _both((1, 1), (1,))],
    "einsum_matmul": [_both((3, 2), (2, 4))],
    "einsum_frobenius": [_both((3, 3), (3, 3)), ((np.zeros((2, 2)), -np.ones((2, 2))), (np.ones((2, 2)),) * 2)],
    "einsum_rearranged": [_both((3, 3), (3,), (3,))],
    "einsum_quadratic_form": [_both((3,), (3, 3)), ((np.zeros(2), -np.eye(2)), (np.ones(2), np.ones((2, 2))))],
    "einsum_batched": [_both((2, 3, 2), (2, 2, 4))],
    "einsum_weighted_rows": [_both((3,), (2, 3))],
    "inner_products": [_both((3,), (3,), (2, 3)), _both((1,), (1,), (1, 1))],
    "inner_of_stacks": [_both((2, 3), (4, 3, 3)), _both((2, 2, 3), (5, 3)), _both((3,), (2, 4, 3))],
    "vdot_of_matrices": [_both((2, 3), (2, 3)), _both((3, 1), (1, 3))],  # vdot flattens: (3, 1) with (1, 3)
    "taylor_exp": [((0.7,), (1.0,)), ((0.0,), (1.0,)), ((-2.5,), (1.0,))],
    "taylor_sin": [((-1.3,), (1.0,)), ((0.0,), (1.0,))],
    "bernstein": [((0.3, _normal(5)), (1.0, _normal(5))), ((0.6, _normal(1)), (1.0, _normal(1)))],
    "poisson_log_likelihood": [((1.7,), (1.0,))],
}
test_lowered_call_compiles_and_agrees = each_point(PATH, POINTS)


SPECIFICATIONS = [
    ("i,i->", [(4,), (4,)]), ("i,i", [(4,), (4,)]), ("ij,j->i", [(3, 4), (4,)]), ("j,ij->i", [(4,), (3, 4)]),
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]), ("ii->", [(3, 3)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("ij->ji", [(2, 3)]), ("ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]), ("i,j->ji", [(2,), (3,)]),
    ("ij->i", [(2, 3)]), ("ij->j", [(2, 3)]), ("ij->", [(2, 3)]), ("i->", [(3,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,ij,j->", [(3,), (3, 4), (4,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("ij,j->ij", [(2, 3), (3,)]), ("ij,i->ij", [(2, 3), (2,)]),
    ("i,i->i", [(3,), (3,)]), ("ij,ij->i", [(2, 3), (2, 3)]), ("ij,ji->", [(2, 3), (3, 2)]),
    ("ij,j->", [(2, 3), (3,)]), ("ijk,k->ij", [(2, 3, 4), (4,)]), ("ij,jk->ki", [(2, 3), (3, 4)]),
    # einsum broadcasts an axis of length 1: ij,ij->i was diag(a @ b.T), one element for a b of one row
    ("ij,ij->i", [(2, 3), (1, 3)]), ("ij,ij->j", [(2, 3), (2, 1)]), ("ij,ij->", [(1, 3), (2, 3)]),
]


@pytest.mark.parametrize("spec, shapes", SPECIFICATIONS, ids=[s for s, _ in SPECIFICATIONS])
def test_lowered_text_computes_what_einsum_does(spec, shapes):
    operands = [_normal(*s) for s in shapes]
    text = einsum_text(spec, len(operands), "np")
    assert text is not None, spec
    value = eval(text, {"np": np, **{f"_{k}": o for k, o in enumerate(operands)}})  # noqa: S307 - our own text
    np.testing.assert_allclose(value, np.einsum(spec, *operands), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("spec, count", [("ijk->kji", 1), ("...i,i->...", 2), ("iij->j", 1), ("i,i", 1)])
def test_specification_without_a_lowering_is_none(spec, count):
    assert einsum_text(spec, count, "np") is None


def test_unlowered_einsum_falls_back_naming_the_specification():
    source = ("import numpy as np\n\n\ndef f(T):\n    return np.sum(np.einsum('ijk->kji', T))\n\n\n"
              "def g(x, spec):\n    return np.einsum(spec, x)\n")
    generated = generate(source, "einsums.py", pure=True)
    reports = {r.name: r for r in generated.reports}
    assert not reports["f"].compiled and not reports["g"].compiled
    messages = [d.message for d in generated.diagnostics]
    assert any("np.einsum('ijk->kji')" in m and m.startswith("f:") for m in messages), messages
    assert any("not a string literal" in m and m.startswith("g:") for m in messages), messages
