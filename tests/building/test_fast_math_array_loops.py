"""`srcgrad build --fast-math`: whole-array elementwise expressions (tanh, exp, log, sin, cos and
arithmetic with them, tanh's adjoint g * (1 - h * h)) run as compiled loops that GCC vectorises
through glibc's libmvec (emit/loops.py, transform/fast_loops.py), in primals, adjoints, jvp_ and
hvp_. The default build prints no such loop and keeps NumPy's bits.

One source, built twice (fast-math and default) once per session; the fast-math entries are
checked against the default build (within a few ulps), the eager engine and central differences,
at empty arrays, 1x1, non-contiguous views and transposes, large |x| and NaN/inf inputs.
"""

from __future__ import annotations

import platform
import re
import sys
import warnings

import numpy as np
import pytest

from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate
from support import assert_close, central_differences

SOURCE = '''
import numpy as np


def mlp(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, X: np.ndarray, y: np.ndarray) -> float:
    hidden = np.tanh(X @ W1 + b1)
    prediction = hidden @ W2 + b2
    return np.mean((prediction - y) ** 2)


def chain(x: np.ndarray, w: np.ndarray) -> float:
    z = np.exp(-x * w) + np.log(1.0 + x * x) * np.sin(w) - np.cos(x) / 2.0
    return np.sum(np.tanh(z) * w)


def activations(A: np.ndarray, b: np.ndarray, s: float) -> float:
    t = np.tanh(A * s + b)
    e = np.exp(A - 1.0)
    return np.sum(t * t + e * b)
'''

# each function's arguments at a generic point; its parameters differentiated
RNG = np.random.default_rng(7)
POINTS = {
    "mlp": (RNG.standard_normal((5, 4)) * 0.5, RNG.standard_normal(4) * 0.3, RNG.standard_normal(4) * 0.5, 0.2,
            RNG.standard_normal((6, 5)), RNG.standard_normal(6)),
    "chain": (RNG.uniform(-1.5, 1.5, 7), RNG.uniform(-1.0, 1.0, 7)),
    "activations": (RNG.standard_normal((3, 4)), RNG.standard_normal(4), 0.7),
}
FEW_ULPS = 1e-13  # relative: the vector tanh and reassociation move the last bits only


def _built(fast_math: bool):
    name = "fast_loops_cases" + ("" if fast_math else "_default") + ".py"
    generated = generate(SOURCE, name, fast_math=fast_math)
    binary, _ = build.compile_cached(generated.text, generated.module_name, fast_math=fast_math)
    return generated.text, _import_extension(binary, generated.module_name)


@pytest.fixture(scope="module")
def builds():
    (fast_text, fast), (default_text, default) = _built(True), _built(False)
    return {"fast_text": fast_text, "fast": fast, "default_text": default_text, "default": default,
            "original": _original()}


def _original():
    namespace = {}
    exec(compile(SOURCE, "fast_loops_cases.py", "exec"), namespace)
    return namespace


def _float_positions(args) -> list:
    return list(range(len(args)))


def _gradients(module, name, args):
    value, gradient = getattr(module, "value_and_grad_" + name)(*args)
    return value, tuple(gradient)


def _direction(args, seed: int = 3):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal()) for a in args)


def test_the_loops_are_printed_under_fast_math_only(builds):
    fast, default = builds["fast_text"], builds["default_text"]
    assert "_loops_tanh(" in fast and "cdef void _loop_1_elements(" in fast
    # mlp's bias add and tanh are one loop, into the product's memory (nothing reads it again)
    assert "hidden = _loop_1(product, product, b1)" in fast or "_loop_1(product, product, b1) @ W2" in fast
    assert "_loop_" not in default and "cimport numpy" not in default


@pytest.mark.parametrize("name", sorted(POINTS))
def test_values_and_gradients_agree_with_the_default_build(builds, name):
    args = POINTS[name]
    fast_value, fast_gradient = _gradients(builds["fast"], name, args)
    default_value, default_gradient = _gradients(builds["default"], name, args)
    assert fast_value == pytest.approx(default_value, rel=FEW_ULPS, abs=1e-15)
    assert getattr(builds["fast"], name)(*args) == pytest.approx(default_value, rel=FEW_ULPS, abs=1e-15)
    for fast_part, default_part in zip(fast_gradient, default_gradient):
        scale = max(1.0, float(np.max(np.abs(default_part))) if np.size(default_part) else 1.0)
        assert_close(fast_part, default_part, FEW_ULPS, FEW_ULPS * scale, f"grad_{name} fast-math against default")
    # the default build computes NumPy's operations: its value is the original's, bit for bit
    assert default_value == builds["original"][name](*args)


@pytest.mark.parametrize("name", sorted(POINTS))
def test_gradients_against_the_eager_engine_and_central_differences(builds, name):
    args = POINTS[name]
    positions = _float_positions(args)
    _, fast_gradient = _gradients(builds["fast"], name, args)
    _, eager = eager_value_and_gradient(builds["original"][name], args, tuple(positions))
    assert_close(fast_gradient, tuple(eager), 1e-12, 1e-13, f"grad_{name} against the eager engine")
    differences = central_differences(getattr(builds["fast"], name), args, positions)
    assert_close(fast_gradient, differences, 1e-6, 1e-7, f"grad_{name} against central differences")


@pytest.mark.parametrize("name", sorted(POINTS))
def test_jvp_and_hvp_agree_with_the_default_build_and_differences(builds, name):
    args, direction = POINTS[name], _direction(POINTS[name])
    fast, default = builds["fast"], builds["default"]
    jvp = getattr(fast, "jvp_" + name)(*args, direction)
    assert jvp == pytest.approx(getattr(default, "jvp_" + name)(*args, direction), rel=FEW_ULPS, abs=1e-14)
    _, gradient = _gradients(fast, name, args)
    assert jvp == pytest.approx(sum(float(np.sum(g * d)) for g, d in zip(gradient, direction)), rel=1e-12)
    hvp = tuple(getattr(fast, "hvp_" + name)(*args, direction))
    assert_close(hvp, tuple(getattr(default, "hvp_" + name)(*args, direction)), 1e-12, 1e-13,
                 f"hvp_{name} fast-math against default")
    step = 1e-5
    up = _gradients(fast, name, tuple(a + step * d for a, d in zip(args, direction)))[1]
    down = _gradients(fast, name, tuple(a - step * d for a, d in zip(args, direction)))[1]
    expected = tuple((u - d) / (2 * step) for u, d in zip(up, down))
    assert_close(hvp, expected, 1e-6, 1e-7, f"hvp_{name} against differences of gradients")


def _layouts():
    """chain's and activations' arguments as views, transposes, empties and 1x1."""
    base = RNG.uniform(-1.0, 1.0, (4, 6))
    wide = RNG.uniform(-1.0, 1.0, 14)
    return {
        "strided views": ("chain", (wide[::2], wide[1::2])),
        "reversed view": ("chain", (wide[::-2], wide[:7])),
        "empty": ("chain", (np.zeros(0), np.zeros(0))),
        "one element": ("chain", (np.array([0.4]), np.array([-0.3]))),
        "transpose": ("activations", (base.T, base[0, :4].copy(), 0.3)),
        "strided row as the bias": ("activations", (base[:, :3], base[1, ::2], -1.1)),
        "1x1": ("activations", (np.array([[0.5]]), np.array([0.25]), 2.0)),
        "empty rows": ("activations", (np.zeros((0, 3)), np.ones(3), 1.5)),
        "mlp transposed weights": ("mlp", (RNG.standard_normal((4, 5)).T, RNG.standard_normal(4), RNG.standard_normal(4),
                                           -0.3, RNG.standard_normal((6, 5)), RNG.standard_normal(6))),
        "mlp one sample": ("mlp", (np.array([[0.7]]), np.array([0.1]), np.array([1.3]), 0.0, np.array([[2.0]]),
                                   np.array([0.5]))),
    }


@pytest.mark.parametrize("case", sorted(_layouts()))
def test_views_transposes_empties_and_one_element(builds, case):
    name, args = _layouts()[case]
    fast_value, fast_gradient = _gradients(builds["fast"], name, args)
    default_value, default_gradient = _gradients(builds["default"], name, args)
    assert fast_value == pytest.approx(default_value, rel=FEW_ULPS, abs=1e-15)
    assert_close(fast_gradient, default_gradient, FEW_ULPS, 1e-14, f"{case}: fast-math against default")
    for part, arg in zip(fast_gradient, args):
        assert np.shape(part) == np.shape(arg)
    _, eager = eager_value_and_gradient(builds["original"][name], args, tuple(_float_positions(args)))
    assert_close(fast_gradient, tuple(eager), 1e-12, 1e-13, f"{case}: against the eager engine")
    if all(np.size(a) for a in args):
        differences = central_differences(getattr(builds["fast"], name), args, _float_positions(args))
        assert_close(fast_gradient, differences, 1e-6, 1e-7, f"{case}: against central differences")


def test_arguments_are_not_written(builds):
    args = POINTS["activations"]
    kept = tuple(np.copy(a) for a in args)
    builds["fast"].value_and_grad_activations(*args)
    builds["fast"].hvp_activations(*args, _direction(args))
    for a, k in zip(args, kept):
        assert np.array_equal(a, k)


def test_large_magnitudes_saturate_as_numpy_does(builds):
    x = np.array([-40.0, -19.5, -1e-300, 0.0, 1e-8, 19.5, 40.0, 700.0])
    w = np.array([1.0, -1.0, 0.5, 2.0, -0.25, 1.0, -1.0, 0.0])  # exp(-x * w) from exp(-700) to exp(40)
    fast_value, fast_gradient = _gradients(builds["fast"], "chain", (x, w))
    default_value, default_gradient = _gradients(builds["default"], "chain", (x, w))
    assert fast_value == pytest.approx(default_value, rel=FEW_ULPS)
    # 1 - tanh(z)^2 near tanh(z) = 1 cancels: a last-bit difference in tanh(z) is a relative one of
    # 1e-12 in the derivative there, in either build; both are within ulps of the largest entry
    for fast_part, default_part in zip(fast_gradient, default_gradient):
        scale = float(np.max(np.abs(default_part)))
        assert_close(fast_part, default_part, FEW_ULPS, FEW_ULPS * scale, "large |x|: fast-math against default")
        assert np.array_equal(fast_part == 0.0, default_part == 0.0)
    A = np.array([[-30.0, 30.0, 400.0, -400.0]])  # tanh saturates to -1 and 1; exp(399) is finite
    b = np.array([0.1, -0.1, 0.0, 0.0])
    fast_value, fast_gradient = _gradients(builds["fast"], "activations", (A, b, 1.0))
    default_value, default_gradient = _gradients(builds["default"], "activations", (A, b, 1.0))
    assert np.isfinite(fast_value) and fast_value == pytest.approx(default_value, rel=FEW_ULPS)
    assert_close(fast_gradient, default_gradient, FEW_ULPS, 1e-300, "saturated tanh: fast-math against default")


@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_inputs_give_what_the_default_build_gives(builds, special):
    A = np.array([[0.5, special, -0.25], [special, 1.0, 0.0]])
    b = np.array([0.1, 0.2, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's invalid-value warnings in the default build
        fast_value, fast_gradient = _gradients(builds["fast"], "activations", (A, b, 1.0))
        default_value, default_gradient = _gradients(builds["default"], "activations", (A, b, 1.0))
    assert np.isnan(fast_value) == np.isnan(default_value)
    assert fast_value == default_value or np.isnan(default_value)
    for fast_part, default_part in zip(fast_gradient, default_gradient):
        fast_part, default_part = np.asarray(fast_part), np.asarray(default_part)
        assert np.array_equal(np.isnan(fast_part), np.isnan(default_part))
        assert np.array_equal(np.isinf(fast_part), np.isinf(default_part))
        finite = np.isfinite(default_part)
        assert np.allclose(fast_part[finite], default_part[finite], rtol=FEW_ULPS, atol=1e-14)


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.machine() == "x86_64"),
                    reason="glibc's vector math library (libmvec) is linked on x86-64 Linux")
def test_the_math_functions_are_vectorised_through_libmvec(builds):
    binary = builds["fast"].__file__
    data = open(binary, "rb").read()
    # GCC names the vector variants _ZGV<isa><mask><lanes>v_<name>: 4 doubles at once with AVX2;
    # tanh is computed from expm1 (emit/loops.py)
    for function in (b"expm1", b"exp", b"log", b"sin", b"cos"):
        assert re.search(rb"_ZGV\w+v_" + function + rb"\b", data), function
    assert b"_ZGV" not in open(builds["default"].__file__, "rb").read()


def test_setuptools_fast_math_wheels_get_the_loops(tmp_path, monkeypatch):
    from srcgrad.setuptools import grad_extensions

    source = tmp_path / "layer.py"
    # a named array, then reduced: whole-array code, which --fast-math writes as loops
    source.write_text("import numpy as np\n\n\ndef layer(x: np.ndarray) -> float:\n    y = np.tanh(x) * x\n"
                      "    return np.sum(y)\n")
    monkeypatch.chdir(tmp_path)
    (extension,) = grad_extensions("layer.py", fast_math=True)
    assert "_loop_1(" in (tmp_path / "layer_grad.pyx").read_text()
    assert "-ffast-math" in extension.extra_compile_args
    if sys.platform.startswith("linux"):
        assert extension.libraries == ["m"]
    grad_extensions("layer.py")
    assert "_loop_" not in (tmp_path / "layer_grad.pyx").read_text()
