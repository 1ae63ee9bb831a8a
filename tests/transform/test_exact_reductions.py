"""Reductions of elementwise expressions outside loops run as element loops where that computes
what NumPy does for every argument (srcgrad/transform/exact_reductions.py): reverse mode then
fuses value and adjoint into one pass. Each function of tests/programs/exact_reductions.py,
compiled and --pure, against the original, central differences and the eager engine; the
ones whose lengths may differ stay whole-array code, and keep NumPy's broadcasting."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
import srcgrad
from support import PROGRAMS, assert_close, central_differences, generated_module, original_module

PATH = str(PROGRAMS / "exact_reductions.py")
RNG = np.random.default_rng(12)


def normal(*shape):
    return RNG.standard_normal(shape)


def vectors(*lengths):
    return [((normal(n),), (normal(n),)) for n in lengths]


POINTS = {
    "rosenbrock": vectors(6, 2, 1, 0),
    "levy_middle": vectors(5, 1),
    "styblinski_tang": vectors(7, 1, 0) + [((normal(2, 3),), (normal(2, 3),)), ((normal(2, 1, 2),), (normal(2, 1, 2),)),
                                         ((0.7,), (0.3,))],
    "rastrigin": vectors(4, 1) + [((normal(3, 2),), (normal(3, 2),))],
    "mean_and_product": vectors(6, 3, 2),
    "rows_of_a_matrix": [((normal(4, 3),), (normal(4, 3),)), ((normal(1, 2),), (normal(1, 2),))],
    "reversed_and_stepped": vectors(7, 4, 1, 0),
    "clipped_slices": vectors(6, 3, 2, 1, 0),
    "broadcast_of_one_element": vectors(5, 2, 1),
    "two_vectors": [((normal(4), normal(4)), (normal(4), normal(4))),
                    ((normal(4), normal(1)), (normal(4), normal(1)))],
    "mismatched_steps": vectors(6, 3, 2),
    "nested_reductions": vectors(6, 2),
    "dixon_price": vectors(6, 2, 1),
    "weighted_by_position": vectors(5, 1),
    "positions_in_steps_of_two": vectors(7, 6, 1),
    "segment_energy": vectors(5),
    "energy_over_steps": [((normal(5), 3), (normal(5),)), ((normal(4), 0), (normal(4),))],
    "bead_spring": [((normal(4, 3),), (normal(4, 3),)), ((normal(5),), (normal(5),))],
}
test_reductions_as_loops_compute_what_numpy_does = each_point(PATH, POINTS)

LOOPS = ("rosenbrock", "levy_middle", "styblinski_tang", "rastrigin", "mean_and_product", "rows_of_a_matrix",
         "reversed_and_stepped", "clipped_slices", "nested_reductions", "dixon_price", "positions_in_steps_of_two")
WHOLE = ("broadcast_of_one_element", "two_vectors", "mismatched_steps", "segment_energy")


def _adjoint(name: str) -> str:
    text = generated_module(PATH).text
    adjoint = text[text.index(f"_{name}_adjoint("):]
    adjoint = adjoint[:adjoint.index("\n    return ")]
    return "\n".join(line.split("  # ")[0] for line in adjoint.splitlines())  # the code, not the source quoted


@pytest.mark.parametrize("name", LOOPS)
def test_a_reduction_whose_lengths_always_agree_is_an_element_loop(name):
    adjoint = _adjoint(name)
    assert "for k" in adjoint and "np.sum(" not in adjoint.split("# reverse sweep")[0]
    assert "operands of different shapes" not in adjoint  # proven equal: no check is written


@pytest.mark.parametrize("name", WHOLE)
def test_a_reduction_whose_lengths_may_differ_stays_whole(name):
    assert "for k" not in _adjoint(name)


def test_a_fourth_power_of_a_number_is_two_squarings():
    adjoint = _adjoint("styblinski_tang")
    assert "_scalar.square(_scalar.square(x_flat[k]))" in adjoint and "** 4" not in adjoint


def test_rosenbrock_is_one_fused_pass_with_nothing_taped():
    adjoint = _adjoint("rosenbrock")
    loop = adjoint[adjoint.index("for k in range("):]
    assert adjoint.count("for k in range(") == 1 and "sum_total = sum_total + " in loop and "b_x[k] += " in loop
    assert "nogil" in adjoint.splitlines()[0] and "_tape." not in adjoint.split("\n", 1)[1]


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_numpy_broadcasting_is_kept_where_the_loop_form_would_refuse(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH)
    x, y = normal(5), normal(1)
    assert_close(module.two_vectors(x, y), original.two_vectors(x, y), 1e-15, 0.0, "broadcast value")
    assert_close(module.grad_two_vectors(x, y)[1], np.array([-2.0 * np.sum(x - y)]), 1e-13, 0.0, "gradient")
    with pytest.raises(ValueError):
        original.mismatched_steps(normal(5))
    with pytest.raises(ValueError):
        module.mismatched_steps(normal(5))
    assert_close(module.mismatched_steps(normal(1)), 0.0, 0.0, 0.0, "a length 1 against 0")


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_a_matrix_where_slices_took_a_vector_runs_the_eager_tape(build):  # noqa: F811
    X = normal(4, 3)  # NumPy's x[1:] of a matrix is its rows: the loop over a vector would not be
    with pytest.warns(srcgrad.FallbackWarning, match="compiled as a 1-dimensional array, a guess"):
        value, gradient = build(PATH).value_and_grad_rosenbrock(X)
    original = original_module(PATH).rosenbrock
    assert_close(value, original(X), 1e-13, 0.0, "value")
    assert_close(gradient, central_differences(original, (X,), [0])[0], 1e-6, 1e-7, "gradient")


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_a_number_or_a_matrix_for_a_parameter_of_unknown_rank(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH)
    for x in (0.7, normal(3, 4), normal(2, 1, 3)):
        value, gradient = module.value_and_grad_styblinski_tang(x)
        assert_close(value, original.styblinski_tang(x), 1e-13, 0.0, "value")
        assert np.shape(gradient) == np.shape(x)
        assert_close(gradient, 0.5 * (4 * np.power(x, 3) - 32 * np.asarray(x) + 5), 1e-13, 1e-14, "gradient")
