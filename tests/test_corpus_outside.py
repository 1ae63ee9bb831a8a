"""The held-out corpus (tests/corpus_outside/): numerical NumPy written in the styles of public
code that srcgrad's own corpus (tests/corpus/) was not written against — benchmark collections
that unpack, rescale and clip their argument, machine-learning losses with keepdims softmaxes,
logaddexp and recurrent cells, simulation kernels that read rows of a positions array in pair
loops or broadcast with `[:, None, :]`, and everyday numerics (Horner over coefficient arrays,
comprehensions of nested helpers, boolean masks). It measures how general the compiler is, so
nothing in it is chosen to compile.

The checks are tests/test_corpus.py's, function by function, on both builds: the primal equals
the original; grad_ and value_and_grad_ agree; the gradient equals central differences of the
original and the eager engine's gradient; a compiled function's jvp_ and hvp_ are checked too. A
function that falls back to the eager tape passes when its gradient is right (the report counts it
by construct); a wrong gradient or a crash fails; known-open causes are strict xfails.

`python tests/test_corpus_outside.py --report` prints the counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_corpus import check_function, public_functions, report  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus_outside"
FILES = sorted(p.name for p in CORPUS.glob("*.py"))

# ---------------------------------------------------------------- points

NEG4 = np.array([-0.7, -1.3, -0.4, -2.1])
MIX4 = np.array([0.3, -1.1, 1.7, 0.45])
POS4 = np.array([0.9, 1.2, 0.35, 0.6])
NEG2, MIX2, POS2 = np.array([-1.2, -0.6]), np.array([0.8, -1.4]), np.array([1.3, 0.7])
Q4 = np.array([0.1, 0.2, 0.3, 0.4])

RNG = np.random.default_rng(8675309)
X = RNG.normal(size=(5, 3))
Y_SIGNS = np.array([1.0, -1.0, 1.0, 1.0, -1.0])
Y = RNG.normal(size=5)
T01 = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
Y_ONE_HOT = np.eye(3)[[0, 2, 1, 1, 0]]
W3 = np.array([0.4, -0.8, 0.25])
W4 = RNG.normal(size=4)
W33 = RNG.normal(size=(3, 3))
W34 = RNG.normal(size=(3, 4)) * 0.5
W32 = RNG.normal(size=(3, 2))
W_STACK = RNG.normal(size=(2, 3, 3)) * 0.7
XS = RNG.normal(size=(4, 2))
A_SYM = W33 + W33.T
SAMPLES = np.array([-1.4, -0.2, 0.3, 0.9, 1.6, 2.2])
ATOMS = np.array([[0.0, 0.0, 0.0], [1.1, 0.1, -0.1], [0.4, 1.0, 0.3]])
ATOMS_B = np.array([[0.2, -0.1, 0.3], [-0.9, 0.5, 0.0], [0.6, 0.8, -1.0]])
M3, M3_B = np.array([1.0, 2.0, 0.5]), np.array([0.3, 1.5, 1.0])
CHARGES, CHARGES_B = np.array([1.0, -1.0, 0.5]), np.array([-0.3, 2.0, -1.0])
FLAT = np.array([0.0, 0.0, 1.1, 0.2, 1.9, 1.0, 3.0, 0.7])
FLAT_B = np.array([0.3, -0.2, -0.5, 0.9, 0.4, 1.6, 1.2, 2.0])
HEAT = np.array([0.0, 0.5, 1.0, -0.3, 0.8, 0.0])
TARGET = np.array([0.28, 0.25, 0.2, 0.12, 0.05])

_DATA_POINTS = {
    ("logistic_logaddexp", "logistic_log1p", "hinge_mean"): (
        (W3, X, Y_SIGNS), (-W3, X, Y_SIGNS), (np.zeros(3), X, -Y_SIGNS)),
    ("softmax_cross_entropy_keepdims",): ((W33, X, Y_ONE_HOT), (-W33, -X, Y_ONE_HOT), (np.zeros((3, 3)), X, Y_ONE_HOT)),
    ("mlp_two_layer",): ((W34, W4, W4 * 0.5, 0.1, X, Y), (-W34, np.zeros(4), W4, -0.3, X, Y)),
    ("relu_network",): ((W34, W4, X, Y), (-W34, W4, X, Y)),
    ("leaky_relu_loss", "mse_per_sample_loop"): ((W3, X, Y), (-W3, X, Y)),
    ("elastic_net",): ((W3, X, Y), (-W3, X, Y, 0.3, 0.2)),
    ("gradient_descent_unrolled",): ((W3, X, Y), (np.zeros(3), X, Y, 0.05, 3)),
    ("focal_loss",): ((W3, X, T01), (-W3, X, T01)),
    ("pinball_loss", "smooth_l1", "cosine_similarity", "normalized_direction", "weighted_sum_loop"): (
        (MIX4, POS4), (NEG4, 2 * MIX4)),
    ("kl_to_softmax",): ((MIX4, Q4), (NEG4, Q4[::-1].copy())),
    ("mixture_nll",): ((np.array([-1.0, 0.0, 1.5]), np.array([0.0, -0.3, 0.2]), SAMPLES),
                       (np.array([0.5, -0.7, 2.0]), np.array([0.4, 0.1, -0.2]), -SAMPLES)),
    ("kernel_ridge",): ((0.3 * Y, X, Y), (np.zeros(5), X, Y, 0.2)),
    ("batch_norm_output",): ((X, W3, 0.5 * W3), (-X, -W3, np.zeros(3))),
    ("stacked_layers",): ((W_STACK, X, Y), (-W_STACK, X, Y)),
    ("rnn_final_state",): ((0.5 * W33, W32, XS), (-0.5 * W33, -W32, XS)),
    ("relu", "sigmoid", "relu_pos"): ((np.array([0.7, -2.0, 0.3]),), (1.3,), (-0.4,)),
    ("pair_energy_rows", "gravity_norm_rows"): ((ATOMS, M3), (ATOMS_B, M3_B)),
    ("coulomb_newaxis",): ((ATOMS, CHARGES), (ATOMS_B, CHARGES_B)),
    ("lennard_jones_broadcast", "chain_bond_lengths", "bead_spring"): ((ATOMS,), (ATOMS_B,)),
    ("spring_network_flat",): ((FLAT,), (FLAT_B, 0.8)),
    ("linear_ode_euler",): ((W33, W3), (A_SYM, -W3, 0.02, 10)),
    ("damped_oscillator_rk4",): ((np.array([2.0, 0.3]), np.array([1.0, 0.0])),
                                 (np.array([0.5, 0.1]), np.array([-0.3, 0.8]), 0.1, 10)),
    ("lorenz_euler",): ((np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])),
                        (np.array([9.0, 20.0, 2.0]), np.array([-0.5, 0.3, 2.0]), 0.01, 10)),
    ("heat_matrix",): ((HEAT, 0.2), (-HEAT, 0.1, 3)),
    ("pendulum_trajectory_misfit",): ((0.3, 0.0, TARGET), (-0.5, 0.4, TARGET, 0.1)),
    ("harmonic_verlet",): ((W3, -W3, 2.0), (np.zeros(3), W3, 0.5, 0.1, 10)),
    ("projectile_drag",): ((10.0, 0.8, 0.1), (5.0, 0.3, 0.02, 0.05, 20)),
    ("sir_model",): ((0.3, 0.1, np.array([0.99, 0.01, 0.0])), (0.5, 0.2, np.array([0.9, 0.08, 0.02]), 0.05, 20)),
    ("kinetic_plus_potential",): ((ATOMS, ATOMS_B, M3), (ATOMS_B, -ATOMS, M3_B)),
    ("trapezoid_work",): ((MIX4, np.cumsum(POS4)), (NEG4, np.array([0.0, 0.4, 1.1, 1.5]))),
    ("horner", "poly_enumerate"): ((W4, 0.7), (MIX4, -1.3)),
    ("second_difference_energy",): ((HEAT,), (-HEAT, 0.2)),
    ("quadratic_rows", "matrix_power_loop"): ((W33, W3), (A_SYM * 0.5, -W3)),
    ("outer_broadcast_fit",): ((W3, W4, W34), (-W3, np.ones(4), -W34)),
    ("gram_trace", "pairwise_sq_distances"): ((X,), (-0.5 * X,)),
    ("quadratic_features_fit",): ((W3, SAMPLES[:5], Y), (-W3, -SAMPLES[1:], Y)),
    ("vector_of_list",): ((0.5, 1.2), (-0.3, 2.0)),
    ("ackley_2d", "beale_scaled", "mishra_bird", "schaffer_f6"): ((NEG2,), (MIX2,), (POS2,)),
    ("rastrigin_clipped",): ((MIX4,), (NEG4,), (np.array([6.0, -7.0, 0.3, 1.0]),)),
}
POINTS = {name: chosen for names, chosen in _DATA_POINTS.items() for name in names}


def points(name: str) -> tuple:
    """The argument tuples `name` is checked at; a length-4 vector (no zero entry: abs, sqrt and
    hinges have kinks there) unless listed."""
    return POINTS.get(name, ((NEG4,), (MIX4,), (POS4,)))


# ---------------------------------------------------------------- known-open causes

# "file::function" -> the cause; each is xfail(strict=True)
KNOWN_OPEN: dict[str, str] = {
}

# ---------------------------------------------------------------- the test


def _cases():
    for filename in FILES:
        for name in public_functions(CORPUS / filename):
            key = f"{filename}::{name}"
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_OPEN[key])] if key in KNOWN_OPEN else []
            yield pytest.param(filename, name, id=key, marks=marks)


def test_the_outside_corpus_is_broad_enough():
    names = [n for f in FILES for n in public_functions(CORPUS / f)]
    assert len(names) >= 60 and len(set(names)) == len(names)
    assert all(key.split("::")[1] in public_functions(CORPUS / key.split("::")[0]) for key in KNOWN_OPEN)
    assert set(POINTS) <= set(names), sorted(set(POINTS) - set(names))


@pytest.mark.filterwarnings("ignore::srcgrad.FallbackWarning")
@pytest.mark.parametrize("filename, name", list(_cases()))
def test_outside_corpus_function(filename, name):
    check_function(filename, name, CORPUS, points)


if __name__ == "__main__":
    if sys.argv[1:] != ["--report"]:
        sys.exit("usage: python tests/test_corpus_outside.py --report")
    sys.exit(report(CORPUS, points, KNOWN_OPEN))
