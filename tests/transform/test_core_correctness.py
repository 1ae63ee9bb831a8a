"""Named regression tests for two silent wrong answers of the compiler core.

Issue 10.1: an if/else assigning one variable in each arm became a select, whose derivative code
evaluated the arm Python never ran (sqrt(-a), x ** p at x < 0, log, division, an index the
condition guards): grad was NaN in compiled code, `--pure` raised `math domain error`. A select is
now formed only where both arms are safe everywhere, and the adjoint of a select selects.

Issue 17: an element update that reads the element's old value (`y[i] *= g`, `y[i] = f(y[i])`,
`t = y[i]` before `y[i] = ...`) on a fresh local array was taken for "written once" and not
taped, so the reverse sweep read the new value.

Each function is checked, compiled and --pure, against the original Python, the eager engine
(where it can run the function: it cannot write elements yet) and central differences
(tests/fuzzing.py `check_source`), jvp_ against the gradient and hvp_ against differences of
grad_. `--pure` is also called directly, so a Python math error cannot be taken for a known one.
All functions share one source, so the Cython build happens once.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import fuzzing
from support import assert_close, central_differences, copied

SOURCE = '''
import math
import numpy as np


def sqrt_of_either_sign(a: float) -> float:
    if a >= 0:
        r = np.sqrt(a)
    else:
        r = np.sqrt(-a)
    return r


def power_guarded_by_sign(x: float, p: float) -> float:
    if x > 0:
        r = x ** p
    else:
        r = 0.5 * x
    return r


def log_guarded(x: float) -> float:
    if x > 0:
        r = math.log(x)
    else:
        r = x - 1.0
    return r


def division_guarded(x: float) -> float:
    if abs(x) > 1e-3:
        r = math.sin(x) / x
    else:
        r = 1.0 - x * x / 6.0
    return r


def asin_guarded(x: float) -> float:
    if abs(x) < 1.0:
        r = math.asin(x)
    else:
        r = 0.5 * x
    return r


def sqrt_in_loop(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        t = x - i
        if t > 0:
            s = s + math.sqrt(t)
        else:
            s = s + t * t
    return s


def power_in_loop(x: np.ndarray, p: float) -> float:
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s += x[i] ** p
        else:
            s += x[i] * p
    return s


def conditional_expression(a: float, b: float) -> float:
    r = math.sqrt(a * b) if a * b > 0 else a - b
    return r * a


def max_of_sqrt(x: float) -> float:
    return max(math.sqrt(x), 1.0) * x


def index_guarded(x: np.ndarray, k: int) -> float:
    if k < len(x):
        r = x[k] * 2.0
    else:
        r = x[0]
    return r


def index_guarded_in_loop(x: np.ndarray, a: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        if i < len(x):
            s += np.sin(x[i]) * a
        else:
            s += a * a
    return s


def huber_like(x: np.ndarray, delta: float) -> float:
    total = 0.0
    for i in range(len(x)):
        a = abs(x[i])
        if a <= delta:
            total += 0.5 * x[i] * x[i]
        else:
            total += delta * (a - 0.5 * delta)
    return total


def ones_times_update(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.ones(n)
    for i in range(n):
        y[i] *= np.sin(x[i]) * a
    s = 0.0
    for i in range(n):
        s += y[i] * a + x[i]
    return s


def ones_assign_product_of_old(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.ones(n)
    for i in range(n):
        y[i] = y[i] * np.cos(x[i]) + a
    s = 0.0
    for i in range(n):
        s += y[i] * y[i]
    return s


def zeros_plus_product_of_old(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] += y[i] * x[i] + a * x[i]
    for i in range(n):
        y[i] += y[i] * np.sin(x[i]) * a
    s = 0.0
    for i in range(n):
        s += y[i] * x[i]
    return s


def ones_plus_product_of_old(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.ones(n)
    for i in range(n):
        y[i] += y[i] * np.sin(x[i]) * a
    s = 0.0
    for i in range(n):
        s += y[i] * y[i]
    return s


def ones_function_of_old(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.ones(n)
    for i in range(n):
        y[i] = np.tanh(y[i] * a + x[i])
    s = 0.0
    for i in range(n):
        s += y[i] * x[i]
    return s


def empty_filled_then_updated(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.empty(n)
    for i in range(n):
        y[i] = x[i] * a
    for i in range(n):
        y[i] *= np.exp(y[i]) * x[i]
    s = 0.0
    for i in range(n):
        s += y[i]
    return s


def copy_times_update(x: np.ndarray, a: float) -> float:
    y = x.copy()
    for i in range(len(x)):
        y[i] *= np.sin(x[i]) * a
    s = 0.0
    for i in range(len(x)):
        s += y[i] * a
    return s


def copy_function_of_old(x: np.ndarray, a: float) -> float:
    y = x.copy()
    for i in range(len(x)):
        y[i] = np.sin(y[i] * a)
    s = 0.0
    for i in range(len(x)):
        s += y[i] * y[i]
    return s


def read_before_write(x: np.ndarray, a: float) -> float:
    n = len(x)
    y = np.ones(n)
    s = 0.0
    for i in range(n):
        t = y[i] * x[i]
        y[i] = t * a
        s += t * y[i]
    return s


def parameter_times_update(x: np.ndarray, y: np.ndarray, a: float) -> float:
    for i in range(len(x)):
        y[i] *= np.sin(x[i]) * a
    s = 0.0
    for i in range(len(x)):
        s += y[i] * a
    return s


def parameter_function_of_old(x: np.ndarray, y: np.ndarray, a: float) -> float:
    for i in range(len(x)):
        y[i] = np.cos(y[i] + x[i] * a)
    s = 0.0
    for i in range(len(x)):
        s += y[i] * x[i]
    return s


def ones_2d_times_update(X: np.ndarray, a: float) -> float:
    n = X.shape[0]
    m = X.shape[1]
    Y = np.ones((n, m))
    for i in range(n):
        for j in range(m):
            Y[i, j] *= np.sin(X[i, j]) * a
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += Y[i, j] * X[i, j]
    return s


def copy_2d_function_of_old(X: np.ndarray, a: float) -> float:
    Y = X.copy()
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i, j] = np.cos(Y[i, j] * a) + Y[i, j]
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s += Y[i, j] * Y[i, j]
    return s
'''

X3 = np.array([0.3, -0.7, 1.1])
X2D = np.array([[0.3, -0.7, 1.1], [0.5, 1.4, -0.2]])

# (function, arguments, positions of the differentiable ones)
ISSUE_10_CASES = [
    ("sqrt_of_either_sign", (0.7,), [0]),
    ("sqrt_of_either_sign", (-0.7,), [0]),
    ("power_guarded_by_sign", (0.7, 1.5), [0, 1]),
    ("power_guarded_by_sign", (-0.7, 1.5), [0, 1]),
    ("log_guarded", (0.4,), [0]),
    ("log_guarded", (-0.4,), [0]),
    ("division_guarded", (0.0,), [0]),
    ("division_guarded", (0.6,), [0]),
    ("asin_guarded", (1.5,), [0]),
    ("asin_guarded", (0.3,), [0]),
    ("sqrt_in_loop", (2.5, 5), [0]),
    ("power_in_loop", (X3, 1.5), [0, 1]),
    ("conditional_expression", (0.8, -1.3), [0, 1]),
    ("conditional_expression", (0.8, 1.3), [0, 1]),
    ("max_of_sqrt", (2.25,), [0]),
    ("index_guarded", (X3, 1), [0]),
    ("index_guarded", (X3, 5), [0]),
    ("index_guarded_in_loop", (X3, 1.5, 5), [0, 1]),
    ("huber_like", (np.array([0.3, -2.0, 1.1]), 1.0), [0, 1]),
]

ISSUE_17_CASES = [
    ("ones_times_update", (X3, 1.7), [0, 1]),
    ("ones_assign_product_of_old", (X3, 1.7), [0, 1]),
    ("zeros_plus_product_of_old", (X3, 1.7), [0, 1]),
    ("ones_plus_product_of_old", (X3, 1.7), [0, 1]),
    ("ones_function_of_old", (X3, 0.6), [0, 1]),
    ("empty_filled_then_updated", (X3, 0.8), [0, 1]),
    ("copy_times_update", (X3, 1.7), [0, 1]),
    ("copy_function_of_old", (X3, 1.3), [0, 1]),
    ("read_before_write", (X3, 1.7), [0, 1]),
    ("parameter_times_update", (X3, np.array([1.2, -0.4, 0.9]), 1.7), [0, 1, 2]),
    ("parameter_function_of_old", (X3, np.array([1.2, -0.4, 0.9]), 0.6), [0, 1, 2]),
    ("ones_2d_times_update", (X2D, 1.7), [0, 1]),
    ("copy_2d_function_of_old", (X2D, 0.9), [0, 1]),
]

CASES = ISSUE_10_CASES + ISSUE_17_CASES
IDS = [f"{name}{k}" for k, (name, _, _) in enumerate(CASES)]


@functools.lru_cache(maxsize=None)
def built(how: str):
    generated, module = (fuzzing.pure_build(SOURCE, "core_correctness.py") if how == "pure"
                         else fuzzing.compiled_build(SOURCE, "core_correctness.py"))
    assert [d.format() for d in generated.diagnostics] == [], "a function fell back to the eager tape"
    return generated, module


@functools.lru_cache(maxsize=None)
def original(name: str):
    return fuzzing.run_source(SOURCE, name)


@pytest.mark.parametrize("how", ["pure", "compiled"])
@pytest.mark.parametrize("name, args, positions", CASES, ids=IDS)
def test_against_python_eager_and_differences(how, name, args, positions):
    fuzzing.check_source(SOURCE, name, args, positions, built(how)[1], name, what=how)


def _flat(values) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def _directions(args, positions):
    return tuple(np.full(np.shape(args[p]), 0.6 - 0.35 * k) if np.ndim(args[p]) else 0.6 - 0.35 * k
                 for k, p in enumerate(positions))


def _pack(values: tuple):
    return values if len(values) > 1 else values[0]


def _moved(args, positions, direction, step):
    moved = list(copied(args))
    for p, v in zip(positions, direction):
        moved[p] = moved[p] + step * v
    return tuple(moved)


@pytest.mark.parametrize("how", ["pure", "compiled"])
@pytest.mark.parametrize("name, args, positions", CASES, ids=IDS)
def test_every_derivative_directly(how, name, args, positions):
    """value_and_grad_, jvp_ and hvp_ called without any error allowance, against the original
    Python's value, central differences and differences of grad_."""
    module = built(how)[1]
    expected = original(name)(*copied(args))
    value, gradient = getattr(module, "value_and_grad_" + name)(*copied(args))
    gradient = (gradient,) if len(positions) == 1 else tuple(gradient)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert np.all(np.isfinite(_flat(gradient))), f"non-finite gradient {gradient}"
    differences = central_differences(lambda *a: original(name)(*copied(a)), copied(args), positions)
    assert_close(gradient, differences, 1e-6, 1e-7, f"{how} gradient of {name} against central differences")

    direction = _directions(args, positions)
    derivative = getattr(module, "jvp_" + name)(*copied(args), _pack(direction))
    expected_derivative = sum(float(np.sum(np.asarray(g) * v)) for g, v in zip(gradient, direction))
    assert derivative == pytest.approx(expected_derivative, rel=1e-10, abs=1e-12)

    product = getattr(module, "hvp_" + name)(*copied(args), _pack(direction))
    product = (product,) if len(positions) == 1 else tuple(product)
    h = 1e-6

    def grad_at(step):
        return _flat(np.atleast_1d(getattr(module, "grad_" + name)(*_moved(args, positions, direction, step)))
                     if len(positions) == 1 else getattr(module, "grad_" + name)(*_moved(args, positions, direction, step)))

    estimate = (grad_at(h) - grad_at(-h)) / (2 * h)
    assert np.all(np.isfinite(_flat(product)))
    assert np.allclose(_flat(product), estimate, rtol=1e-5, atol=1e-6), \
        f"{how} hvp_ of {name}: {_flat(product)} against differences of grad_ {estimate}"


@pytest.mark.parametrize("how", ["pure", "compiled"])
def test_compiled_and_pure_agree(how):
    """The two printers give the same gradients (to rounding) on every case."""
    other = "compiled" if how == "pure" else "pure"
    for name, args, positions in CASES:
        mine = getattr(built(how)[1], "grad_" + name)(*copied(args))
        theirs = getattr(built(other)[1], "grad_" + name)(*copied(args))
        assert_close(mine, theirs, 1e-12, 1e-14, f"grad_{name}: {how} against {other}")


@pytest.mark.parametrize("how", ["pure", "compiled"])
def test_max_of_sqrt_at_zero_has_zero_gradient(how):
    """max(sqrt(x), 1) * x at x = 0: max takes 1, so the gradient is 1 * 1 + 0; the untaken
    sqrt's derivative (0.5 / 0 = inf) must not turn 0 * inf into nan."""
    module = built(how)[1]
    assert module.value_and_grad_max_of_sqrt(0.0) == (0.0, 1.0)
    assert module.hvp_max_of_sqrt(0.0, 1.0) == 0.0


def _function_text(text: str, name: str) -> str:
    start = text.index(f"def _{name}_adjoint")
    return text[start:text.index("\ndef ", start + 1)]


def test_safe_arms_stay_a_select_and_unsafe_arms_a_branch():
    """Huber's arms are safe everywhere: one select statement, no branch on the tape. sqrt's
    arms are not: a real if/else, with the condition recomputed in the reverse sweep."""
    text = built("pure")[0].text
    huber = _function_text(text, "huber_like")
    assert "if a <= delta else" in huber and "push_branch" not in huber and "\n        if a <= delta:" not in huber
    root = _function_text(text, "sqrt_of_either_sign")
    assert "\n    if a >= 0:" in root and " if a >= 0 else " not in root


def test_a_read_old_element_is_taped_and_a_fresh_write_is_not():
    text = built("pure")[0].text
    assert "push_double(tape, y[i])" in _function_text(text, "ones_times_update")
    # y[i] = x[i] * a on a fresh array, read only after the write: nothing to keep
    filled = _function_text(text, "empty_filled_then_updated")
    assert filled.count("push_double(tape, y[i])") == 1


def test_eager_engine_agrees():
    """The eager engine, running each function as the fallback does (NumPy arrays that record
    element writes), gives the compiled gradient."""
    from srcgrad.eager import value_and_grad_of
    from srcgrad.eager.mathlib import tensor_math

    module = built("compiled")[1]
    for name, args, positions in CASES:
        eager = tensor_math(fuzzing.run_source(SOURCE, name, eager=True))
        value, gradient = value_and_grad_of(eager, copied(args), positions)
        expected = getattr(module, "grad_" + name)(*copied(args))
        expected = (expected,) if len(positions) == 1 else tuple(expected)
        assert math.isclose(float(value), original(name)(*copied(args)), rel_tol=1e-12, abs_tol=1e-12)
        assert_close(tuple(gradient), expected, 1e-10, 1e-12, f"eager gradient of {name}")
