"""Gaps a blind corpus of NumPy functions found (tests/programs/array_gaps.py), each built once,
compiled and --pure: np.outer of operands that are not vectors (its adjoint returned the
flattened shape, which raised), np.array([x, y]) of arrays (filled element by element, which
raised at run time; now np.stack), an axis reduction made anew in a loop and reduced there
(compiled through the loop-reduction outlining; C[k] taken for a row there, and an argument of
other dimensions run on the eager tape), and a def inside a loop's body (read as a
module function). Every mode against central differences and the eager engine, at shapes of
length 1 and 0 where NumPy allows them; and what still falls back gives the eager tape's answer."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, compiled_functions, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, assert_close, central_differences, generated_module, original_module
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate

PATH = str(PROGRAMS / "array_gaps.py")
_RANDOM = np.random.default_rng(30)


def _r(*shape):
    return _RANDOM.normal(size=shape)


POINTS = {
    "outer_of_matrix": [((_r(2, 3), _r(4)), (_r(2, 3), _r(4))), ((_r(1, 1), _r(1)), (_r(1, 1), _r(1))),
                        ((_r(0, 3), _r(2)), (_r(0, 3), _r(2)))],
    "outer_of_matrices": [((_r(2, 2), _r(3, 1)), (_r(2, 2), _r(3, 1))), ((_r(3), _r(1, 2)), (_r(3), _r(1, 2)))],
    "outer_of_number": [((_r(3), _r(2, 2)), (_r(3), _r(2, 2))), ((_r(1), _r(1)), (_r(1), _r(1)))],
    "outer_of_rows": [((_r(3, 2), _r(4)), (_r(3, 2), _r(4))), ((_r(1, 1), _r(1)), (_r(1, 1), _r(1))),
                      ((_r(0, 2), _r(3)), (_r(0, 2), _r(3)))],
    "stacked_parameters": [((_r(3), _r(3)), (_r(3), _r(3))), ((_r(1), _r(1)), (_r(1), _r(1))),
                           ((_r(2, 2), _r(2, 2)), (_r(2, 2), _r(2, 2))), ((_r(0), _r(0)), (_r(0), _r(0)))],
    "stacked_expressions": [((_r(3), _r(3)), (_r(3), _r(3))), ((_r(1), _r(1)), (_r(1), _r(1))),
                            ((0.3, -1.2), (1.0, 0.5))],
    "stacked_inside_expression": [((_r(4), _r(4)), (_r(4), _r(4))), ((_r(2, 1), _r(2, 1)), (_r(2, 1), _r(2, 1)))],
    "stacked_rows": [((_r(3), _r(3)), (_r(3), _r(3))), ((0.7, -0.4), (1.0, 2.0))],
    "stacked_beside_a_matrix": [((0.3, -0.8, _r(4, 2)), (1.0, 0.5, _r(4, 2)))],
    "stacked_in_a_loop": [((0.3, -0.8, 3), (1.0, 0.5)), ((0.3, -0.8, 0), (1.0, 0.5))],
    "numbers_and_elements": [((_r(2),), (_r(2),))],
    "kmeans_kernel": [((_r(5, 2), _r(3, 2), 1.5), (_r(5, 2), _r(3, 2), 0.5)),
                      ((_r(1, 1), _r(1, 1), 0.8), (_r(1, 1), _r(1, 1), 1.0)),
                      ((_r(4, 2), _r(0, 2), 1.0), (_r(4, 2), _r(0, 2), 1.0))],
    "kmeans_rows_unsaid": [((_r(5, 2), _r(3, 2), 1.5), (_r(5, 2), _r(3, 2), 0.5)),
                           ((_r(2, 3), _r(1, 3), 0.7), (_r(2, 3), _r(1, 3), 1.0))],
    "outer_of_rows_unsaid": [((_r(3, 2), _r(4)), (_r(3, 2), _r(4))), ((_r(1, 1), _r(1)), (_r(1, 1), _r(1)))],
    "rk4_decay": [((0.8, 0.1, 4), (1.0, 0.5)), ((-0.3, 0.2, 0), (1.0, -1.0))],
}
test_gaps_compile_and_agree = each_point(PATH, POINTS)

FALLING_BACK = {
    "mixture_likelihood": (_r(5, 2), _r(3, 2), np.abs(_r(3)) + 0.1),
    "closure_in_loop": (0.5, 0.1, 3),
}


@pytest.mark.parametrize("name", sorted(FALLING_BACK))
def test_what_still_falls_back_gives_the_eager_answer(build, name):
    assert name not in compiled_functions(PATH)
    args = FALLING_BACK[name]
    positions = [k for k, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    original = getattr(original_module(PATH), name)
    gradient = getattr(build(PATH), "grad_" + name)(*args)
    gradient = gradient if len(positions) > 1 else (gradient,)
    assert_close(gradient, central_differences(original, args, positions), 1e-6, 1e-7, name)
    _, eager = eager_value_and_gradient(original, args, tuple(positions))
    assert_close(gradient, eager if len(positions) > 1 else (eager,), 1e-10, 1e-12, name)


ROWS_OF_VECTORS = {  # C[k] and X[i] taken for rows: of a vector they are numbers, which the eager tape runs
    "kmeans_rows_unsaid": (_r(5, 2), _r(3), 1.5),
    "outer_of_rows_unsaid": (_r(3), _r(2)),
    # numbers an np.array literal stores, compiled so (no array version: W is an array, or a loop)
    "stacked_beside_a_matrix": (_r(3), _r(3), _r(4, 2)),
    "stacked_in_a_loop": (_r(2), _r(2), 3),
}


@pytest.mark.parametrize("name", sorted(ROWS_OF_VECTORS))
def test_a_vector_for_a_guessed_matrix_runs_the_eager_tape(build, name):
    args = ROWS_OF_VECTORS[name]
    original = getattr(original_module(PATH), name)
    with pytest.warns(Warning, match="a guess"):
        value, gradient = getattr(build(PATH), "value_and_grad_" + name)(*args)
    positions = [k for k, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    assert_close(value, original(*args), 1e-12, 1e-12, name)
    assert_close(gradient, central_differences(original, args, positions), 1e-6, 1e-7, name)


def test_a_literal_of_arrays_is_a_stack_and_of_numbers_stays_typed_storage():
    text = generated_module(PATH, pure=True).text
    assert "np.concatenate(" in text and "np.expand_dims(" in text
    numbers = text[text.index("def _numbers_and_elements_primal"):]
    numbers = numbers[:numbers.index("\ndef ", 1)]
    assert "M = np.zeros((2, 2))" in numbers and "M[0, 0] = x[0]" in numbers
    assert "np.concatenate" not in numbers


def test_an_element_write_of_the_source_is_still_refused():
    """Only np.array literals are read again as stacks: `z[0] = x` of an array x written by the
    source itself raises in NumPy, and the compiler leaves it to the eager tape."""
    source = ("import numpy as np\n\n\ndef f(x):\n    z = np.zeros(2)\n    z[0] = x\n"
              "    return np.sum(z) + np.sum(x)\n")
    report = {r.name: r for r in generate(source, "written.py", pure=True).reports}["f"]
    assert not report.compiled
