"""More failures the fuzzer (tests/fuzzing.py) found or drew as fallbacks, each reduced to a
minimal program (the first set: tests/test_fuzz_regressions.py).

Every check runs fuzzing.check_source: the primal against the original Python, the gradient
against central differences and the eager engine, jvp_ against the gradient, hvp_ against
differences of grad_, compiled and --pure alike; and asserts the values themselves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fuzzing
from support import central_differences

BUILDS = {"pure": lambda source, name: fuzzing.pure_build(source),
          "compiled": lambda source, name: fuzzing.compiled_build(source, name)}


def _built(build: str, source: str, name: str):
    """The module built from source, which must compile every function (no fallback)."""
    generated, module = BUILDS[build](source, name)
    assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
    return module


MODULE_ARRAY_REDUCED_IN_AND_AFTER_A_LOOP = """\
import numpy as np

A0 = np.array([0.5, -1.0, 1.5])
C = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 0.25]])


def in_and_after(x, n: int):
    s = 0.0
    for i in range(n):
        s += np.sum(A0) * x
    return s + np.sum(A0) * x * x


def matrix_in_and_after(x: float, n: int):
    s = 0.0
    for i in range(n):
        s += np.sum(C * x) + np.sum(C[:, 1] * x)
    return s * np.sum(C)
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_module_array_reduced_inside_and_after_a_loop(build):
    # np.sum(A0) inside the loop is written element by element, and read A0 itself by element (a
    # NumPy object indexed from compiled code), so np.sum(A0) after the loop found A0 "used as a
    # whole value" and the function fell back. The loop reads the constant's typed view now.
    module = _built(build, MODULE_ARRAY_REDUCED_IN_AND_AFTER_A_LOOP, "fuzz2_module_array_in_and_after.py")
    for x, n in ((0.7, 3), (-1.3, 0)):
        fuzzing.check_source(MODULE_ARRAY_REDUCED_IN_AND_AFTER_A_LOOP, "in_and_after", (x, n), [0], module,
                             what=build)
        fuzzing.check_source(MODULE_ARRAY_REDUCED_IN_AND_AFTER_A_LOOP, "matrix_in_and_after", (x, n), [0], module,
                             what=build)
        # sum(A0) = 1: s = n x + x^2; sum(C) = 2.75, sum(C[:, 1]) = -1.75: s = 2.75 n x
        assert math.isclose(module.in_and_after(x, n), n * x + x * x, rel_tol=1e-12)
        assert math.isclose(module.grad_in_and_after(x, n), n + 2 * x, rel_tol=1e-12)
        assert math.isclose(module.matrix_in_and_after(x, n), 2.75 * n * x, rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(module.grad_matrix_in_and_after(x, n), 2.75 * n, rel_tol=1e-12)


SWAP_AFTER_A_FOLDED_BRANCH = """\
import math

S0 = "exact"


def dead_after_return(x0, x1):
    if S0 == "fast":
        s3 = x0 * 0.5
    else:
        return x0 * math.sin(x1)
    x0_new = s3
    x0 += x0_new
    return x0 * x1


def swap_after_return(x0, x1, n: int):
    if S0 == "fast":
        s3 = x0 * 0.5
    else:
        return x0 * x0 * x1
    for i in range(n):
        s3, x0 = x0, s3 * 0.5
    return x0 * x1 + s3
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_code_after_a_folded_branch_that_returns(build):
    # S0 == "fast" folds to False, so the function returns in the else arm; what follows never
    # runs and reads s3, which only the folded-away arm assigns: its type (and that of a tuple
    # swap's temporary x0_new) could not be inferred, and the function fell back. Unreachable
    # statements are dropped now.
    module = _built(build, SWAP_AFTER_A_FOLDED_BRANCH, "fuzz2_swap_after_a_folded_branch.py")
    x0, x1 = 0.8, -1.1
    fuzzing.check_source(SWAP_AFTER_A_FOLDED_BRANCH, "dead_after_return", (x0, x1), [0, 1], module, what=build)
    fuzzing.check_source(SWAP_AFTER_A_FOLDED_BRANCH, "swap_after_return", (x0, x1, 2), [0, 1], module, what=build)
    gx0, gx1 = module.grad_dead_after_return(x0, x1)
    assert math.isclose(gx0, math.sin(x1), rel_tol=1e-12) and math.isclose(gx1, x0 * math.cos(x1), rel_tol=1e-12)
    gx0, gx1 = module.grad_swap_after_return(x0, x1, 2)
    assert math.isclose(gx0, 2 * x0 * x1, rel_tol=1e-12) and math.isclose(gx1, x0 * x0, rel_tol=1e-12)


SWAP_IN_A_LOOP = """\
def swap_in_a_loop(x0, x1, n: int):
    for i in range(n):
        x0, x1 = x1, x0 * 0.5
    return x0 * x1 + x0
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_tuple_swap_in_a_loop(build):
    module = _built(build, SWAP_IN_A_LOOP, "fuzz2_swap_in_a_loop.py")
    fuzzing.check_source(SWAP_IN_A_LOOP, "swap_in_a_loop", (0.5, 1.5, 3), [0, 1], module, what=build)
    # three swaps: x0 -> 0.5 x1, x1 -> 0.25 x0: f = 0.125 x0 x1 + 0.5 x1
    gx0, gx1 = module.grad_swap_in_a_loop(0.5, 1.5, 3)
    assert math.isclose(gx0, 0.125 * 1.5, rel_tol=1e-12) and math.isclose(gx1, 0.125 * 0.5 + 0.5, rel_tol=1e-12)


DOTS_OF_VECTORS = """\
import numpy as np

A0 = np.array([0.5, -1.0, 1.5])


def dot_of_a_filled_array(x0, a: np.ndarray):
    y = np.zeros_like(a)
    for e in range(len(a)):
        y[e] = x0 * a[e]
    t = np.dot(y, y)
    return np.tanh(t) + x0


def dot_of_a_constant(x0):
    t = x0 + np.dot(A0, A0)
    return t * t


def dot_of_a_parameter(x0, a: np.ndarray):
    x0 += np.dot(a, a) * x0
    return x0
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_dot_of_vectors_is_a_number(build):
    # np.dot was typed as an array whatever its operands, so t = np.dot(y, y) then np.tanh(t) +
    # x0, or x0 += np.dot(a, a), fell back ("assigning a ndarray value to the double variable").
    # Of two arrays known to be vectors it is a number; where a number is needed from arrays of
    # unknown rank, they are taken for vectors and checked when it runs.
    module = _built(build, DOTS_OF_VECTORS, "fuzz2_dots_of_vectors.py")
    a = np.array([1.0, -2.0, 0.5])
    for x0 in (0.3, -0.7):
        fuzzing.check_source(DOTS_OF_VECTORS, "dot_of_a_filled_array", (x0, a), [0, 1], module, what=build)
        fuzzing.check_source(DOTS_OF_VECTORS, "dot_of_a_constant", (x0,), [0], module, what=build)
        fuzzing.check_source(DOTS_OF_VECTORS, "dot_of_a_parameter", (x0, a), [0, 1], module, what=build)
        s = float(a @ a)
        gx, ga = module.grad_dot_of_a_filled_array(x0, a.copy())
        sech2 = 1 - math.tanh(x0 * x0 * s) ** 2
        assert math.isclose(gx, sech2 * 2 * x0 * s + 1, rel_tol=1e-12)
        np.testing.assert_allclose(ga, sech2 * x0 * x0 * 2 * a, rtol=1e-12)
        assert math.isclose(module.grad_dot_of_a_constant(x0), 2 * (x0 + 3.5), rel_tol=1e-12)
        gx, ga = module.grad_dot_of_a_parameter(x0, a.copy())
        assert math.isclose(gx, 1 + s, rel_tol=1e-12)
        np.testing.assert_allclose(ga, 2 * x0 * a, rtol=1e-12)
    # taken for a vector, a matrix is refused when it runs, not computed as something else
    with pytest.raises(TypeError, match="1-dimensional"):
        module.dot_of_a_parameter(0.3, np.ones((2, 2)))


LOCAL_ARRAYS_USED_ONLY_WHOLE = """\
import numpy as np


def zeros_like_only_reduced(a: np.ndarray, x):
    y = np.zeros_like(a)
    return x + np.mean(y * a) + np.sum(a * x)


def ones_like_and_copy(a: np.ndarray, x):
    y = np.ones_like(a)
    z = a.copy()
    return x * np.sum(y * a) + np.sum(np.sin(z) * z) * x
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_local_arrays_nothing_indexes(build):
    # made like a parameter nothing indexes, their rank is unknown, which an element loop needs:
    # "an array that is never indexed" fell back. They are whole-array values now.
    module = _built(build, LOCAL_ARRAYS_USED_ONLY_WHOLE, "fuzz2_local_arrays_used_whole.py")
    a, x = np.array([0.4, -1.5]), 0.7
    fuzzing.check_source(LOCAL_ARRAYS_USED_ONLY_WHOLE, "zeros_like_only_reduced", (a, x), [0, 1], module, what=build)
    fuzzing.check_source(LOCAL_ARRAYS_USED_ONLY_WHOLE, "ones_like_and_copy", (a, x), [0, 1], module, what=build)
    ga, gx = module.grad_zeros_like_only_reduced(a.copy(), x)
    np.testing.assert_allclose(ga, [x, x], rtol=1e-12)
    assert math.isclose(gx, 1 + float(np.sum(a)), rel_tol=1e-12)
    ga, gx = module.grad_ones_like_and_copy(a.copy(), x)
    np.testing.assert_allclose(ga, x + x * (np.cos(a) * a + np.sin(a)), rtol=1e-12)
    assert math.isclose(gx, float(np.sum(a) + np.sum(np.sin(a) * a)), rel_tol=1e-12)
    # the copy is a copy: the caller's array is left as it was
    assert a.tolist() == [0.4, -1.5]


STAIRCASE = """\
import math

import numpy as np


def staircase(x0, x2: float):
    return 0.25 * x0 - np.trunc(x2) * 0.25 + math.floor(x0) * x0 + round(x2 * 0.5) + (x0 // 0.75)
"""


class _WrongGradient:
    """A built module whose derivatives are those of `module` with 1e-3 added to the gradient's
    first entry (value_and_grad_, grad_, vjp_ and jvp_ consistent with each other)."""

    def __init__(self, module, name: str):
        self._module, self._name = module, name

    def _gradient(self, *args):
        g = getattr(self._module, "grad_" + self._name)(*args)
        return (g[0] + 1e-3,) + tuple(g[1:])

    def __getattr__(self, attribute):
        name = self._name
        wrong = {"grad_" + name: self._gradient,
                 "value_and_grad_" + name: lambda *args: (getattr(self._module, name)(*args), self._gradient(*args)),
                 "vjp_" + name: lambda *args: tuple(dout * g for dout in args[-1:] for g in self._gradient(*args[:-1])),
                 "jvp_" + name: lambda *args: sum(g * t for g, t in zip(self._gradient(*args[:-1]), args[-1]))}
        return wrong.get(attribute) or getattr(self._module, attribute)


@pytest.mark.parametrize("args", [(0.3, 1e6), (2.0, 0.5), (0.3, 3.0), (0.75, 0.3)])
def test_the_oracle_at_a_jump_compares_the_engines_only(args):
    """floor, trunc, rint, round, // and % at a point where they jump within the finite-difference
    step (an exact integer, a half-integer for round, anything near 1e6 where the step is 1):
    differences measure the jump, or a staircase as a slope (trunc(x) at 1e6 looked like slope 1:
    found by the fuzzer), so only the engines are compared there, and a wrong gradient is still
    caught by the eager engine."""
    _, module = fuzzing.pure_build(STAIRCASE)
    stats = fuzzing.Stats()
    fuzzing.check_source(STAIRCASE, "staircase", args, [0, 1], module, stats=stats)
    assert (stats.jumps_engines_only, stats.compared_fd) == (1, 0)
    gx0, gx2 = module.grad_staircase(*args)
    assert gx0 == 0.25 + math.floor(args[0]) and gx2 == 0.0
    with pytest.raises(fuzzing.Mismatch, match="eager engine"):
        fuzzing.check_source(STAIRCASE, "staircase", args, [0, 1], _WrongGradient(module, "staircase"))


def test_the_oracle_away_from_jumps_compares_differences():
    _, module = fuzzing.pure_build(STAIRCASE)
    stats = fuzzing.Stats()
    fuzzing.check_source(STAIRCASE, "staircase", (0.4, 0.2), [0, 1], module, stats=stats)
    assert (stats.jumps_engines_only, stats.compared_fd) == (0, 1)
    expected = central_differences(fuzzing.run_source(STAIRCASE, "staircase"), (0.4, 0.2), [0, 1])
    assert np.allclose(module.grad_staircase(0.4, 0.2), expected, rtol=1e-6)


MODULE_ARRAY_MESSAGES = """\
import numpy as np

A0 = np.array([0.5, -1.0, 1.5])


def element_in_a_loop(x, n: int):
    s = 0.0
    for i in range(n):
        s += A0[i] * x
    return s


def reduced_in_a_loop(x, n: int):
    s = 0.0
    for i in range(n):
        s += np.sum(A0[i:]) * x
    return s


def guarded_element(x, k: int):
    return (A0[k] if k < 3 else 0.0) * x
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_messages_name_a_module_array_as_written(build):
    # compiled code reads a module array's elements through a typed view, _A0_view: messages
    # named it so ("index out of range for array '_A0_view'")
    generated, module = BUILDS[build](MODULE_ARRAY_MESSAGES, "fuzz2_module_array_messages.py")
    assert [d.format().split(": ", 1)[1] for d in generated.diagnostics] == [
        "warning: guarded_element: an element of 'A0' read in a conditional expression whose condition may keep "
        "its index in bounds is not supported by the compiler; grad_guarded_element uses the eager tape"]
    assert math.isclose(module.element_in_a_loop(2.0, 3), 2.0, rel_tol=1e-12)
    assert math.isclose(module.grad_reduced_in_a_loop(2.0, 2), 1.0 + 0.5, rel_tol=1e-12)
    with pytest.raises(IndexError, match="index out of range for array 'A0' "):
        module.element_in_a_loop(2.0, 4)
    assert module.grad_guarded_element(2.0, 7) == 0.0 and module.grad_guarded_element(2.0, 1) == -1.0


DOT_WITH_A_NUMBER = """\
import numpy as np


def element_scales(x: np.ndarray, a: np.ndarray, n: int):
    s = 0.0
    for i in range(n):
        s += np.sum(np.dot(x[0], a) * a)
    return s


def annotated_number_scales(x: float, a: np.ndarray, n: int):
    s = 0.0
    for i in range(n):
        s += np.dot(x * a, a) + np.sum(np.dot(x, a))
    return s + np.sum(np.dot(x, a)) * x
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_dot_with_a_number_scales(build):
    # np.dot(x[0], a) is x[0] * a, an array; inside a loop it was summed as a dot of vectors, so
    # the primal was silently wrong (9.0 where Python gives 5.0 below). And np.dot(x, a) with
    # x: float took x for an array: the call was refused ("must be a 1-dimensional array").
    module = _built(build, DOT_WITH_A_NUMBER, "fuzz2_dot_with_a_number.py")
    x, a, n = np.array([0.5]), np.array([1.0, 2.0]), 2
    fuzzing.check_source(DOT_WITH_A_NUMBER, "element_scales", (x, a, n), [0, 1], module, what=build)
    assert math.isclose(module.element_scales(x.copy(), a.copy(), n), 5.0, rel_tol=1e-12)  # n x0 a.a
    gx, ga = module.grad_element_scales(x.copy(), a.copy(), n)
    np.testing.assert_allclose(gx, [10.0], rtol=1e-12)
    np.testing.assert_allclose(ga, 2 * n * 0.5 * a, rtol=1e-12)
    fuzzing.check_source(DOT_WITH_A_NUMBER, "annotated_number_scales", (0.5, a, n), [0, 1], module, what=build)
    # n (x a.a + x sum(a)) + x^2 sum(a) = 2 (2.5 + 1.5) + 0.75
    assert math.isclose(module.annotated_number_scales(0.5, a.copy(), n), 8.75, rel_tol=1e-12)
