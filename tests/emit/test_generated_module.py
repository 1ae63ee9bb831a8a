"""The generated module's public functions: names, argument checks and result shapes (issues 10, 16, 17).

Every source here is built twice, compiled and --pure; values are checked against the original
Python, the eager engine and central finite differences (fuzzing.check_source), plus the
specific shapes and errors each test names.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

import fuzzing
from support import central_differences


def build(source: str, how: str, name: str):
    source = textwrap.dedent(source)
    if how == "pure":
        return fuzzing.pure_build(source, f"{name}.py")
    return fuzzing.compiled_build(source, f"generated_module_{name}.py")


def checked(source: str, how: str, name: str, cases: dict):
    """Build `source` and check each entry of `cases` ({function: args}) against the oracles."""
    generated, module = build(source, how, name)
    source = textwrap.dedent(source)
    for entry, args in cases.items():
        positions = [i for i, a in enumerate(args) if not isinstance(a, (bool, int))]
        fuzzing.check_source(source, entry, args, positions, module, entry, what=how)
    return generated, module


HOW = pytest.mark.parametrize("how", ["compiled", "pure"])


# --------------------------------------------------------------------------- issue 10.5

SCALAR_OVER_ARRAY = """
import numpy as np


def reciprocal_sum(x: np.ndarray) -> float:
    return np.sum(1.0 / x)


def siblings(x: np.ndarray) -> float:
    y = 2.0 - x
    z = 1.0 / x ** 2
    return np.sum(y * z) + np.sum(3.0 / (1.0 + x * x))
"""


@HOW
def test_scalar_over_whole_array_is_array_arithmetic(how):
    """np.sum(1.0 / x) raised `only 0-dimensional arrays can be converted` (a C double cast of
    an array) in compiled code; 2.0 - x and 1.0 / x ** 2 are the same construct path."""
    x = np.array([0.5, -1.3, 2.0])
    _, module = checked(SCALAR_OVER_ARRAY, how, "scalar_over_array",
                        {"reciprocal_sum": (x,), "siblings": (x,)})
    np.testing.assert_allclose(module.grad_reciprocal_sum(x), -1.0 / x ** 2, rtol=1e-14)
    np.testing.assert_allclose(module.reciprocal_sum(x), np.sum(1.0 / x), rtol=1e-14)


# --------------------------------------------------------------------------- issues 10.6 and 17

NAMESAKES = """
import math

import numpy as np


def tanh(x: float) -> float:
    return 2.0 * x


def exp(x: float) -> float:
    return x + 1.0


def sin(x: float) -> float:
    return x * x


def cube(x: float) -> float:
    return x + 10.0


def expm1(x: float) -> float:
    return np.exp(x) - 1.0 + math.tanh(x) + np.sin(x)


def calls_them(x: np.ndarray, a: float) -> float:
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 3 + cube(x[i]) + math.sin(x[i]) * sin(x[i])
    return s + tanh(a) + math.exp(a) + exp(a) + math.expm1(a) * expm1(a)
"""


@HOW
def test_user_functions_named_like_math_functions(how):
    """A user's tanh/exp/sin/cube/expm1 broke the C build ("Overriding a c(p)def method"),
    recursed in --pure, or was called for the runtime's helper (x ** 3 printed as cube(x));
    inside the user's expm1, np.exp became the user's exp."""
    x, a = np.array([0.3, -0.7, 1.1]), 0.4
    _, module = checked(NAMESAKES, how, "namesakes",
                        {"tanh": (0.3,), "exp": (0.3,), "sin": (0.3,), "cube": (0.3,), "expm1": (0.3,),
                         "calls_them": (x, a)})
    # the user's functions under their own names
    assert module.tanh(1.5) == 3.0 and module.exp(1.5) == 2.5 and module.sin(1.5) == 2.25
    assert module.cube(2.0) == 12.0
    assert module.expm1(0.3) == pytest.approx(math.exp(0.3) - 1.0 + math.tanh(0.3) + math.sin(0.3), rel=1e-15)
    assert module.grad_expm1(0.3) == pytest.approx(math.exp(0.3) + 1.0 - math.tanh(0.3) ** 2 + math.cos(0.3),
                                                   rel=1e-14)
    # d/dx of x**3 + (x + 10) + sin(x) * x**2, element by element
    elementwise = 3 * x ** 2 + 1.0 + np.cos(x) * x ** 2 + np.sin(x) * 2 * x
    gradient = module.grad_calls_them(x, a)
    np.testing.assert_allclose(gradient[0], elementwise, rtol=1e-13)
    assert gradient[1] == pytest.approx(3.0 + math.exp(a) + math.exp(a) * module.expm1(a)
                                        + math.expm1(a) * module.grad_expm1(a), rel=1e-13)


@HOW
def test_generated_code_reaches_the_runtime_through_private_aliases(how):
    generated, _ = build(NAMESAKES, how, "namesakes")
    text = generated.text
    assert "_math.exp(" in text and "_math.tanh(" in text
    assert "cimport exp" not in text and "import exp" not in text
    # x ** 3 stays the runtime's cube in C; the user's cube is called as its compiled primal
    if how == "compiled":
        assert "_scalar.cube(" in text
    assert "_cube_primal(" in text


# --------------------------------------------------------------------------- issue 10.4

SHAPES = """
import numpy as np


def rosenbrock(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def weighted(x: np.ndarray, s: float) -> float:
    t = 0.0
    for i in range(len(x)):
        t += s * x[i] * x[i] * x[i] + np.sin(s * x[i])
    return t


def grid(a: np.ndarray, s: float) -> float:
    t = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            t += a[i, j] * a[j, i] * s + np.cos(a[i, j])
    return t


def whole(x: np.ndarray, w: np.ndarray) -> float:
    return np.sum(np.sin(x * w) / (1.0 + x * x))


def squares(x: np.ndarray) -> np.ndarray:
    return x * x
"""

X3 = np.array([0.3, -0.7, 1.1])
A2 = np.array([[0.3, -0.7], [1.1, 0.4]])


@HOW
def test_shapes_built_module_matches_the_oracles(how):
    checked(SHAPES, how, "shapes", {"rosenbrock": (X3,), "weighted": (X3, 0.8), "grid": (A2, 1.3),
                                     "whole": (X3, X3[::-1].copy())})


@HOW
def test_short_direction_is_a_value_error_not_a_segfault(how):
    """hvp_rosenbrock(np.ones(2_000_000), np.ones(1)) read past the end of v and crashed."""
    _, module = build(SHAPES, how, "shapes")
    message = r"v for parameter 'x' has shape \(1,\), but 'x' has shape \(2000000,\)"
    with pytest.raises(ValueError, match=message):
        module.hvp_rosenbrock(np.ones(2_000_000), np.ones(1))
    with pytest.raises(ValueError, match=r"tangents for parameter 'x' has shape \(1,\), but 'x' has shape \(5,\)"):
        module.jvp_rosenbrock(np.ones(5), np.ones(1))
    with pytest.raises(ValueError, match=r"tangents for parameter 'a' has shape \(2,\), but 'a' has shape \(2, 2\)"):
        module.jvp_grid(A2, 1.3, (np.ones(2), 1.0))
    with pytest.raises(ValueError, match=r"v for parameter 's' has shape \(3,\), but 's' has shape \(\) \(a float\)"):
        module.hvp_weighted(X3, 0.8, (X3, X3))
    with pytest.raises(ValueError, match=r"tangents for parameter 'w' has shape \(2,\), but 'w' has shape \(3,\)"):
        module.jvp_whole(X3, X3, (X3, np.ones(2)))
    with pytest.raises(ValueError, match=r"one entry per differentiable parameter \(x, s\), got 3 entries"):
        module.jvp_weighted(X3, 0.8, (X3, 1.0, 2.0))


@HOW
def test_cotangent_is_checked_against_the_output(how):
    _, module = build(SHAPES, how, "shapes")
    with pytest.raises(ValueError, match=r"dout has shape \(3,\), but the output of rosenbrock is a float"):
        module.vjp_rosenbrock(X3, np.ones(3))
    with pytest.raises(ValueError, match=r"dout has shape \(2,\), but the output has shape \(3,\)"):
        module.vjp_squares(X3, np.ones(2))
    assert module.vjp_rosenbrock(X3, np.float64(2.0)) == pytest.approx(2.0 * module.grad_rosenbrock(X3), rel=1e-15)
    np.testing.assert_allclose(module.vjp_squares(X3, np.array([1.0, 2.0, 3.0])), 2 * X3 * [1.0, 2.0, 3.0])


@HOW
def test_strided_views_give_the_answers_of_their_copies(how):
    _, module = build(SHAPES, how, "shapes")
    base = np.linspace(-1.0, 1.5, 12)
    view, copy = base[::2], base[::2].copy()
    direction = np.linspace(0.5, -0.5, 12)[::2]
    for name in ("rosenbrock", "squares"):
        np.testing.assert_array_equal(getattr(module, f"grad_{name}")(view), getattr(module, f"grad_{name}")(copy))
    np.testing.assert_array_equal(module.hvp_rosenbrock(view, direction), module.hvp_rosenbrock(copy, direction.copy()))
    assert module.jvp_rosenbrock(view, direction) == module.jvp_rosenbrock(copy, direction.copy())
    np.testing.assert_array_equal(module.vjp_squares(view, direction), module.vjp_squares(copy, direction.copy()))
    matrix = np.arange(1.0, 5.0).reshape(2, 2) / 4.0
    transposed = matrix.T  # Fortran-ordered view
    for got, expected in zip(module.grad_grid(transposed, 0.5), module.grad_grid(np.ascontiguousarray(transposed), 0.5)):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(module.hvp_grid(transposed, 0.5, (transposed, 1.0)),
                             module.hvp_grid(matrix.T.copy(), 0.5, (matrix.T.copy(), 1.0))):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(module.grad_whole(view, direction)[0], module.grad_whole(copy, direction.copy())[0])


# --------------------------------------------------------------------------- issue 10.9

@HOW
def test_jvp_takes_a_tuple_of_tangents_or_one_bare_value(how):
    _, module = build(SHAPES, how, "shapes")
    t = np.array([0.2, -0.1, 0.4])
    expected = float(np.dot(module.grad_rosenbrock(X3), t))
    assert module.jvp_rosenbrock(X3, (t,)) == pytest.approx(expected, rel=1e-13)
    assert module.jvp_rosenbrock(X3, t) == pytest.approx(expected, rel=1e-13)
    assert module.jvp_rosenbrock(X3, [0.2, -0.1, 0.4]) == pytest.approx(expected, rel=1e-13)  # array-like
    gx, gs = module.grad_weighted(X3, 0.8)
    assert module.jvp_weighted(X3, 0.8, (t, 0.5)) == pytest.approx(np.dot(gx, t) + 0.5 * gs, rel=1e-13)
    assert module.jvp_weighted(X3, 0.8, [t, 0.5]) == pytest.approx(np.dot(gx, t) + 0.5 * gs, rel=1e-13)
    np.testing.assert_allclose(module.hvp_rosenbrock(X3, (t,)), module.hvp_rosenbrock(X3, t), rtol=1e-15)


# --------------------------------------------------------------------------- issue 10.10

def _differences_of_gradient(module, name, args, positions, step=1e-5):
    """H[i][j] by central differences of grad_name, for each pair of parameter positions."""
    count = len(positions)

    def gradient(*point):
        g = getattr(module, f"grad_{name}")(*point)
        return (g,) if count == 1 else g

    blocks = [[None] * count for _ in range(count)]
    for j, position in enumerate(positions):
        base = np.asarray(args[position], dtype=float)
        shape = base.shape
        columns = [np.zeros(np.shape(args[p]) + shape) for p in positions]
        for index in np.ndindex(*shape):
            up, down = list(args), list(args)
            moved_up, moved_down = base.copy(), base.copy()
            moved_up[index] += step
            moved_down[index] -= step
            up[position] = moved_up if shape else float(moved_up)
            down[position] = moved_down if shape else float(moved_down)
            for i, (a, b) in enumerate(zip(gradient(*up), gradient(*down))):
                columns[i][(Ellipsis,) + index] = (np.asarray(a) - np.asarray(b)) / (2 * step)
        for i in range(count):
            blocks[i][j] = columns[i]
    return blocks


@HOW
def test_hessian_of_arrays_is_dense_like_jax(how):
    _, module = build(SHAPES, how, "shapes")
    hessian = module.hessian_rosenbrock(X3)
    assert isinstance(hessian, np.ndarray) and hessian.shape == (3, 3)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-12)
    expected = _differences_of_gradient(module, "rosenbrock", (X3,), [0])[0][0]
    np.testing.assert_allclose(hessian, expected, rtol=1e-6, atol=1e-6)
    # 2-D parameter: shape a.shape + a.shape
    blocks = module.hessian_grid(A2, 1.3)
    assert blocks[0][0].shape == (2, 2, 2, 2) and blocks[0][1].shape == (2, 2) and blocks[1][0].shape == (2, 2)
    assert isinstance(blocks[1][1], float)
    expected = _differences_of_gradient(module, "grid", (A2, 1.3), [0, 1])
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(blocks[i][j], expected[i][j], rtol=1e-6, atol=1e-6)
    flat = blocks[0][0].reshape(4, 4)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(blocks[0][1], blocks[1][0], rtol=1e-12)


@HOW
def test_hessian_of_an_array_and_a_float_is_nested_blocks(how):
    _, module = build(SHAPES, how, "shapes")
    (hxx, hxs), (hsx, hss) = module.hessian_weighted(X3, 0.8)
    assert hxx.shape == (3, 3) and hxs.shape == (3,) and hsx.shape == (3,) and isinstance(hss, float)
    expected = _differences_of_gradient(module, "weighted", (X3, 0.8), [0, 1])
    for got, want in zip((hxx, hxs, hsx, hss), (expected[0][0], expected[0][1], expected[1][0], expected[1][1])):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(hxs, hsx, rtol=1e-12)
    # two whole-array parameters
    w = X3[::-1].copy()
    blocks = module.hessian_whole(X3, w)
    expected = _differences_of_gradient(module, "whole", (X3, w), [0, 1])
    for i in range(2):
        for j in range(2):
            assert blocks[i][j].shape == (3, 3)
            np.testing.assert_allclose(blocks[i][j], expected[i][j], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(blocks[0][1], blocks[1][0].T, rtol=1e-12)
    # and each column is the hvp along a unit vector
    unit = np.zeros(3)
    unit[1] = 1.0
    column = module.hvp_weighted(X3, 0.8, (unit, 0.0))
    np.testing.assert_allclose(hxx[:, 1], column[0], rtol=1e-15)
    assert hsx[1] == pytest.approx(column[1], rel=1e-15)


SCALARS = """
import math


def two(a: float, b: float) -> float:
    return a * a * b + math.sin(b)


def one(a: float) -> float:
    return a ** 4
"""


@HOW
def test_hessian_of_floats_is_a_float_or_tuples_of_floats(how):
    _, module = build(SCALARS, how, "scalars")
    assert module.hessian_one(1.5) == pytest.approx(12 * 1.5 ** 2, rel=1e-14)
    hessian = module.hessian_two(1.2, 0.7)
    assert isinstance(hessian, tuple) and all(isinstance(h, float) for row in hessian for h in row)
    np.testing.assert_allclose(hessian, [[2 * 0.7, 2 * 1.2], [2 * 1.2, -math.sin(0.7)]], rtol=1e-14)


# --------------------------------------------------------------------------- issue 10.11

NO_GRADIENT = """
import numpy as np


class Model:
    def energy(self, x):
        return x * x


def no_return(x: float):
    y = x * 2.0


def pair(x: float):
    return x, x * 2.0


def counts(n: int) -> int:
    return n * 2


def constant() -> float:
    return 2.0


def array_output(x: np.ndarray) -> np.ndarray:
    return x * x
"""


@HOW
def test_functions_without_a_gradient_raise_type_error_saying_why(how):
    generated, module = build(NO_GRADIENT, how, "no_gradient")
    with pytest.raises(TypeError, match="no_return returned None: a function with no return value has no gradient"):
        module.grad_no_return(1.0)
    # a tuple output: the same refusal as srcgrad.grad (srcgrad/api.py _checked_output), not a sum
    with pytest.raises(TypeError, match="pair returns a tuple: a gradient needs one float or array output"):
        module.grad_pair(1.0)
    assert module.pair(1.5) == (1.5, 3.0)
    for prefix in ("grad_", "value_and_grad_", "vjp_", "jvp_", "hvp_", "hessian_"):
        with pytest.raises(TypeError, match=r"counts has no differentiable parameter \(n: none is a float"):
            getattr(module, prefix + "counts")(2, *([1.0] if prefix in ("vjp_", "jvp_", "hvp_") else []))
        with pytest.raises(TypeError, match="constant takes no parameters, so it has no gradient"):
            getattr(module, prefix + "constant")()
    assert module.counts(4) == 8 and module.constant() == 2.0
    # an array output is differentiated as the sum of its elements
    x = np.array([0.5, -2.0])
    np.testing.assert_allclose(module.grad_array_output(x), 2 * x, rtol=1e-15)
    np.testing.assert_allclose(module.grad_array_output(x), central_differences(
        lambda v: float(np.sum(module.array_output(v))), (x,), [0])[0], rtol=1e-7)
    [method] = [d for d in generated.diagnostics if "Model" in d.message]
    assert (method.line, method.column, method.severity) == (6, 5, "warning")
    assert method.message.startswith("Model.energy: a method of a class is not compiled")


def test_srcgrad_grad_agrees_on_a_tuple_output(tmp_path, monkeypatch):
    import importlib

    import srcgrad

    path = tmp_path / "tuple_output_module.py"
    path.write_text(textwrap.dedent(NO_GRADIENT))
    monkeypatch.syspath_prepend(str(tmp_path))
    user = importlib.import_module("tuple_output_module")
    from srcgrad.eager import FallbackWarning

    with pytest.raises(TypeError, match="returns a tuple: a gradient needs one float or array output"), \
            pytest.warns(FallbackWarning, match="pair: a tuple is not supported"):
        srcgrad.grad(user.pair)(1.0)


# --------------------------------------------------------------------------- issue 16.1

PRIVATE = """
def _private(x: float) -> float:
    return x * x * 3.0


def _private_fallback(x: float):
    return x, x


def public(x: float) -> float:
    return _private(x) + 1.0
"""

ONLY_PRIVATE = """
def _private(x: float) -> float:
    return x * x * 3.0
"""


@HOW
def test_private_functions_are_compiled_for_callers_but_not_exported(how):
    generated, module = build(PRIVATE, how, "private")
    exported = {n for n in dir(module) if not n.startswith("__")}
    assert not {n for n in exported if "_private" in n and not n.startswith("_")}, exported
    assert "_private" not in exported and "_private_fallback" not in exported
    assert module.public(1.5) == pytest.approx(3 * 1.5 ** 2 + 1.0, rel=1e-15)
    assert module.grad_public(1.5) == pytest.approx(6 * 1.5, rel=1e-15)
    assert module.hessian_public(1.5) == pytest.approx(6.0, rel=1e-15)
    assert module.grad_public(1.5) == pytest.approx(central_differences(module.public, (1.5,), [0])[0], rel=1e-8)
    assert [r.name for r in generated.reports] == ["public"]
    _, alone = build(ONLY_PRIVATE, how, "only_private")
    assert not [n for n in dir(alone) if n.endswith("_private") and not n.startswith("__")
                and n.startswith(("grad_", "vjp_", "jvp_", "hvp_", "hessian_", "value_and_"))]
    assert not hasattr(alone, "_private")


# --------------------------------------------------------------------------- issue 10.14

def test_show_of_a_fallback_function_is_that_function(tmp_path, capsys):
    from srcgrad.cli import main

    path = tmp_path / "shown.py"
    path.write_text(textwrap.dedent(NO_GRADIENT))
    assert main(["show", f"{path}:pair"]) == 0
    out = capsys.readouterr().out
    assert "def pair(x: float):\n    return x, x * 2.0" in out
    assert "outside the compiled subset (a tuple, line 15)" in out
    assert "def no_return" not in out and "_EAGER_SOURCE" not in out


# --------------------------------------------------------------------------- fallbacks: the same entries

FALLBACKS = """
import numpy as np


def cubes(x: np.ndarray, s: float) -> float:
    assert s > 0
    return float(np.sum(x * x * x)) * s
"""


@HOW
def test_fallback_functions_have_checked_jvp_hvp_and_a_dense_hessian(how):
    _, module = build(FALLBACKS, how, "fallbacks")
    x, s = np.array([0.5, -1.0, 2.0]), 2.0
    (hxx, hxs), (hsx, hss) = module.hessian_cubes(x, s)
    np.testing.assert_allclose(hxx, np.diag(6 * x * s), rtol=1e-14)
    np.testing.assert_allclose(hxs, 3 * x * x, rtol=1e-14)
    np.testing.assert_allclose(hsx, 3 * x * x, rtol=1e-14)
    assert hss == 0.0
    expected = _differences_of_gradient(module, "cubes", (x, s), [0, 1])
    np.testing.assert_allclose(hxx, expected[0][0], rtol=1e-6, atol=1e-6)
    t = np.array([1.0, 0.5, -0.25])
    assert module.jvp_cubes(x, s, (t, 0.3)) == pytest.approx(np.dot(3 * x * x * s, t) + 0.3 * np.sum(x ** 3), rel=1e-14)
    with pytest.raises(ValueError, match=r"v for parameter 'x' has shape \(1,\), but 'x' has shape \(3,\)"):
        module.hvp_cubes(x, s, (np.ones(1), 0.0))
