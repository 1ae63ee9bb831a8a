"""np.linalg.solve (b a vector or a matrix), np.linalg.inv, np.linalg.det, np.linalg.slogdet and
np.linalg.cholesky compile (they fell back to the eager tape): entries of the array rule table
(srcgrad/rules/linalg.py) shared with the eager engine. Each function of tests/programs/linalg.py, compiled and --pure,
against the original, central differences and the eager engine, jvp_ and hvp_ (forward mode over
reverse mode, through the adjoints' own JVPs); matrices of one row too. The JVP helpers, which no
build checks alone (a tangent helper's JVP serves only third derivatives), against central
differences of the helpers they differentiate."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS
from srcgrad.generate import generate
from srcgrad.rules import linalg
from srcgrad.rules.arrays import HELPERS

PATH = str(PROGRAMS / "linalg.py")
_RANDOM = np.random.default_rng(12)


def _r(*shape):
    return _RANDOM.normal(size=shape)


def _posed(n):
    """A well-conditioned matrix (not symmetric)."""
    return _r(n, n) + 3.0 * np.eye(n)


def _covariance(n):
    m = _r(n, n)
    return m @ m.T + n * np.eye(n)


POINTS = {
    "gaussian_nll": [((_r(3), _posed(3), _r(3)), (_r(3), _r(3, 3), _r(3))),
                     ((_r(1), _posed(1), _r(1)), (_r(1), _r(1, 1), _r(1)))],
    "gp_log_marginal": [((0.3, _r(4), _r(4)), (1.0, _r(4), _r(4))), ((-0.5, _r(2), _r(2)), (1.0, _r(2), _r(2)))],
    "log_det_penalty": [((_posed(3), 0.5), (_r(3, 3), 1.0)), ((-_posed(2), 2.0), (_r(2, 2), -1.0))],
    "ridge_residual": [((0.5, _r(6, 3), _r(6)), (1.0, _r(6, 3), _r(6))),
                       ((2.0, _r(3, 1), _r(3)), (-1.0, _r(3, 1), _r(3)))],
    "crank_nicolson": [((_r(3, 3), _r(3), 0.1), (_r(3, 3), _r(3), 1.0)),
                       ((_r(1, 1), _r(1), 0.5), (_r(1, 1), _r(1), -1.0))],
    "mahalanobis": [((_r(3), _r(3), _covariance(3)), (_r(3), _r(3), _r(3, 3)))],
    "several_right_hand_sides": [((_posed(3), _r(3, 2)), (_r(3, 3), _r(3, 2))),
                                 ((_posed(2), _r(2, 4)), (_r(2, 2), _r(2, 4)))],
    "transposed_system": [((_posed(3), _r(3)), (_r(3, 3), _r(3)))],
    "kalman_update": [((_covariance(3), _r(2, 3), _covariance(2), _r(3), _r(2)),
                       (_r(3, 3), _r(2, 3), _r(2, 2), _r(3), _r(2)))],
    "determinant_lemma": [((_r(3), _r(3)), (_r(3), _r(3))), ((_r(1), _r(1)), (_r(1), _r(1)))],
    "log_det_path": [((_r(3, 3), np.array([0.5, 1.0, 2.0])), (_r(3, 3), _r(3))),
                     ((_r(2, 2), np.array([])), (_r(2, 2), np.array([])))],
    "solution_by_element": [((_posed(3), _r(3)), (_r(3, 3), _r(3))), ((_posed(2), _r(2)), (_r(2, 2), _r(2)))],
    "gp_cholesky": [((0.2, -1.0, _r(4), _r(4)), (1.0, -0.5, _r(4), _r(4))),
                    ((-0.3, 0.5, _r(1), _r(1)), (0.5, 1.0, _r(1), _r(1)))],
    # S need not be symmetric: its lower triangle is what cholesky reads, and the gradient is there
    "whitened": [((_covariance(3) + np.triu(_r(3, 3), 1), _r(3)), (_r(3, 3), _r(3)))],
    "two_by_two": [((2.0, 0.5, -0.3, 1.5), (1.0, -0.5, 0.25, 2.0)), ((-1.0, 2.0, 0.5, 3.0), (0.3, 1.0, -1.0, 0.5))],
}
test_linear_algebra_compiles_and_agrees = each_point(PATH, POINTS)


def test_generated_code_calls_numpy_and_the_tables_helpers():
    text = generate(open(PATH).read(), PATH, pure=True).text
    for spelled in ("np.linalg.solve(", "np.linalg.inv(", "np.linalg.det(", "_vector.logabsdet(",
                    "_vector.solve_adjoint_a(", "_vector.solve_tangent(", "_vector.det_adjoint_jvp("):
        assert spelled in text, spelled


def test_solve_in_a_loop_still_falls_back_with_its_name():
    """A whole-array value other than an elementwise one or a reduction to a number (np.linalg.det:
    log_det_path) inside a loop runs the eager tape; the message names NumPy's function as the
    source spells it."""
    source = ("import numpy as np\n\n\ndef f(A, y, n: int):\n    for k in range(n):\n"
              "        y = np.linalg.solve(A, y)\n    return np.sum(y)\n")
    generated = generate(source, "loop.py", pure=True)
    assert not {r.name: r for r in generated.reports}["f"].compiled
    assert any("'np.linalg.solve'" in d.message for d in generated.diagnostics)


# --- the JVP helpers ------------------------------------------------------------------------
_A = _posed(3)
JVP_EXAMPLES = {  # helper -> its arguments, by name
    "solve_adjoint_b": [dict(g=_r(3), a=_A), dict(g=_r(3, 2), a=_A)],
    "solve_adjoint_a": [dict(g=_r(3), ans=_r(3), a=_A), dict(g=_r(3, 2), ans=_r(3, 2), a=_A)],
    "solve_tangent": [dict(d_a=_r(3, 3), d_b=_r(3), a=_A, b=_r(3)), dict(d_a=_r(3, 3), d_b=_r(3, 2), a=_A, b=_r(3, 2))],
    "inv_adjoint": [dict(g=_r(3, 3), ans=_r(3, 3))],
    "cholesky_adjoint": [dict(g=_r(3, 3), ans=np.linalg.cholesky(_covariance(3)))],
    "cholesky_tangent": [dict(d_a=_r(3, 3), a=_covariance(3))],
    "inv_tangent": [dict(d_a=_r(3, 3), a=_A)],
    "det_adjoint": [dict(g=0.7, a=_A), dict(g=-1.3, a=-_A)],
    "det_tangent": [dict(d_a=_r(3, 3), a=_A)],
    "logabsdet_adjoint": [dict(g=0.7, a=_A), dict(g=2.0, a=-_A)],
    "logabsdet_tangent": [dict(d_a=_r(3, 3), a=_A), dict(d_a=_r(3, 3), a=-_A)],
}
JVP_CASES = [(name, k, zero) for name, examples in JVP_EXAMPLES.items() for k in range(len(examples))
             for zero in (None, 0)]


def test_every_jvp_helper_of_the_module_has_examples():
    with_jvps = {name for name, helper in HELPERS.items()
                 if helper.jvp is not None and helper.function.__module__ == linalg.__name__}
    assert with_jvps == set(JVP_EXAMPLES)


@pytest.mark.parametrize("name, k, zero", JVP_CASES,
                         ids=[f"{n}-{k}" + ("" if z is None else "-no-first-tangent") for n, k, z in JVP_CASES])
def test_jvp_helpers_match_central_differences(name, k, zero):
    """helper.jvp(arguments, tangents of `varying`) is the derivative of the helper along them, all
    arguments taken as independent; where zero names one, its tangent is the number 0.0, as forward
    mode passes for an operand with none."""
    helper, arguments = HELPERS[name], JVP_EXAMPLES[name][k]
    tangents = {p: _r(*np.shape(arguments[p])) if np.ndim(arguments[p]) else 0.9 for p in helper.varying}
    if zero is not None:
        tangents[helper.varying[zero]] = 0.0
    step = 1e-6

    def at(sign):
        moved = {p: v + sign * step * tangents[p] if p in tangents else v for p, v in arguments.items()}
        return np.asarray(helper.apply(moved))

    expected = (at(1) - at(-1)) / (2 * step)
    jvp = HELPERS[helper.jvp].function(*(arguments[p] for p in helper.params), *(tangents[p] for p in helper.varying))
    assert np.shape(jvp) == np.shape(expected)
    np.testing.assert_allclose(jvp, expected, rtol=1e-6, atol=1e-7)


def test_slogdet_parts_on_a_singular_matrix():
    """The sign of a singular matrix is 0.0 and its log |det| -inf, as NumPy gives them."""
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert HELPERS["slogdet_sign"].function(singular) == 0.0
    assert HELPERS["logabsdet"].function(singular) == -np.inf
