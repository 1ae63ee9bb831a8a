"""Helpers written for numbers and called with arrays (issue 12): `def sigmoid(z): return 1 / (1 +
np.exp(-z))` is compiled for a C double, and its public entries hand an ndarray argument to the
function's array version (the same body with z a whole array) while a number keeps the scalar
code. The contract's convention for an array output holds: grad_ is the gradient of the sum of the
outputs (for an elementwise helper, the derivative at each element), vjp_ takes a cotangent shaped
like the output, jvp_ returns the output's tangent (an array), hvp_ the Hessian of the sum times v.

Every entry is checked compiled and --pure against the original Python, central differences and
the eager engine, at numbers, 0-d arrays, float64, float32 and integer arrays, and through
srcgrad.grad / value_and_grad in process. tests/programs/helpers_on_arrays.py holds the functions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate
from support import (PROGRAMS, assert_close, central_differences, compiled_module, copied, function_source,
                     original_module, pure_module)

PATH = str(PROGRAMS / "helpers_on_arrays.py")
BUILDS = {"compiled": compiled_module, "pure": pure_module}

Z = np.array([0.3, -1.2, 2.1, -0.45])
HELPERS = ["sigmoid", "relu", "softplus", "cube", "smooth_abs"]
# the argument tuples each helper is checked at: numbers, arrays, and a 2-D array (no zero: relu's kink)
POINTS = [(0.3,), (-1.2,), (Z,), (Z.reshape(2, 2),)]


def original(name):
    return getattr(original_module(PATH), name)


def entries(build: str, name: str) -> dict:
    module = BUILDS[build](PATH)
    return {prefix: getattr(module, prefix + name)
            for prefix in ("", "grad_", "value_and_grad_", "vjp_", "jvp_", "hvp_", "hessian_")}


def summed(function, **keywords):
    return lambda *args: float(np.sum(function(*args, **keywords)))


def direction_like(args: tuple, positions: list) -> tuple:
    out = []
    for k, p in enumerate(positions):
        value = np.asarray(args[p], dtype=float)
        entries_ = np.cos(1.7 * np.arange(value.size) + 0.9 * k + 0.2).reshape(value.shape)
        out.append(entries_ if value.ndim else float(entries_))
    return tuple(out)


def moved(args: tuple, positions: list, direction: tuple, step: float) -> tuple:
    shifted = list(copied(args))
    for p, d in zip(positions, direction):
        shifted[p] = args[p] + step * d
    return tuple(shifted)


def check_every_entry(build: str, name: str, args: tuple, positions: list, keywords=None) -> None:
    """Value, grad_, value_and_grad_, vjp_, jvp_ and hvp_ of one build at one point, against the
    original, central differences and the eager engine."""
    keywords = keywords or {}
    f, where = original(name), f"{build} {name}{tuple(np.shape(a) for a in args)}"
    e = entries(build, name)
    expected = f(*copied(args), **keywords)
    value = e[""](*copied(args), **keywords)
    assert np.shape(value) == np.shape(expected), f"{where}: output shape {np.shape(value)}"
    assert_close(value, expected, 1e-12, 1e-14, f"{where} value")
    gradient = e["grad_"](*copied(args), **keywords)
    gradient = gradient if len(positions) > 1 else (gradient,)
    for g, p in zip(gradient, positions):  # a gradient is shaped like its parameter, a float for a number
        assert np.shape(g) == np.shape(args[p]) and isinstance(g, np.ndarray) == (np.ndim(args[p]) > 0), where
    differences = central_differences(summed(f, **keywords), copied(args), positions)
    assert_close(gradient, differences, 1e-6, 1e-8, f"{where} grad_ vs central differences")
    _, eager = eager_value_and_gradient(f, copied(args), tuple(positions), keywords=keywords)
    eager = eager if len(positions) > 1 else (eager,)
    assert_close(gradient, eager, 1e-12, 1e-14, f"{where} grad_ vs the eager engine")
    both = e["value_and_grad_"](*copied(args), **keywords)
    assert_close(both[0], expected, 1e-12, 1e-14, f"{where} value_and_grad_ value")
    assert_close(both[1] if len(positions) > 1 else (both[1],), gradient, 1e-14, 1e-15, f"{where} value_and_grad_")

    dout = np.linspace(-1.5, 2.0, np.size(expected)).reshape(np.shape(expected)) if np.ndim(expected) else -1.5
    vjp = e["vjp_"](*copied(args), dout, **keywords)
    _, eager_vjp = eager_value_and_gradient(f, copied(args), tuple(positions), dout, keywords)
    assert_close(vjp, eager_vjp, 1e-12, 1e-14, f"{where} vjp_ vs the eager engine")
    weighted = central_differences(lambda *a: float(np.sum(dout * f(*a, **keywords))), copied(args), positions)
    assert_close(vjp if len(positions) > 1 else (vjp,), weighted, 1e-6, 1e-8, f"{where} vjp_ vs differences")

    direction = direction_like(args, positions)
    bare = direction if len(positions) > 1 else direction[0]
    step = 1e-6
    jvp = e["jvp_"](*copied(args), bare, **keywords)
    along = (f(*moved(args, positions, direction, step), **keywords)
             - f(*moved(args, positions, direction, -step), **keywords)) / (2 * step)
    assert np.shape(jvp) == np.shape(expected), f"{where}: jvp_ shape {np.shape(jvp)}"
    assert_close(jvp, along, 1e-6, 1e-8, f"{where} jvp_ vs differences of the original")

    hvp = e["hvp_"](*copied(args), bare, **keywords)
    up, down = (eager_value_and_gradient(f, moved(args, positions, direction, sign * step), tuple(positions),
                                         keywords=keywords)[1] for sign in (1, -1))
    up, down = (g if len(positions) > 1 else (g,) for g in (up, down))
    expected_hvp = tuple((np.asarray(u) - np.asarray(d)) / (2 * step) for u, d in zip(up, down))
    assert_close(hvp if len(positions) > 1 else (hvp,), expected_hvp, 1e-5, 1e-7,
                 f"{where} hvp_ vs differences of the eager gradient")


def test_the_helpers_compile_with_an_array_version_and_the_branchy_one_without():
    generated = generate((PROGRAMS / "helpers_on_arrays.py").read_text(), PATH)
    compiled = {r.name for r in generated.reports if r.compiled}
    assert set(HELPERS) | {"scaled_tanh", "gaussian_bump", "leaky", "log_loss", "relu_softplus_net",
                           "helpers_in_a_loop", "curve", "activation", "activated_net"} <= compiled
    assert "activation_value = _activation_on_arrays_primal(" in generated.text
    for name in HELPERS + ["scaled_tanh", "gaussian_bump"]:
        assert f"def _{name}_on_arrays(" in generated.text, name
    # a branch, a conditional expression or max(z, 0.0) has no array version: Python refuses an array
    # there (the truth value of an array), and whole-array code would take them for np.where, np.maximum
    for name in ("leaky", "leaky_expression", "clipped"):
        assert name in compiled and f"_{name}_on_arrays" not in generated.text, name
    # the scalar entry of a function of numbers stays a C double underneath
    assert "cdef double _sigmoid_primal(double z) noexcept nogil:" in generated.text
    # the array versions' entries are private: the module's public names are the source's and their entries
    either = "float | numpy.typing.NDArray[numpy.float64]"
    assert f"def grad_sigmoid(z: {either}) -> {either}: ..." in generated.stub.splitlines()
    assert "def grad_leaky(z: float) -> float: ..." in generated.stub.splitlines()
    for build in BUILDS.values():
        versions = [n for n in dir(build(PATH)) if "on_arrays" in n]
        assert "_grad_sigmoid_on_arrays" in versions and all(n.startswith("_") for n in versions), versions


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("name", HELPERS)
@pytest.mark.parametrize("point", range(len(POINTS)))
def test_a_helper_at_numbers_and_arrays(build, name, point):
    check_every_entry(build, name, POINTS[point], [0])


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("args", [
    (0.4, 1.5, 2.0, 0.5),
    (Z, 1.5, 2.0, 0.5),  # an array and numbers: a number's gradient sums over the elements
    (0.4, Z, 0.7, -0.2),
    (Z, -Z[::-1].copy(), 0.7, Z * 0.1),  # every float an array
    (Z.reshape(2, 2), 1.5, 0.7, np.array([0.2, -0.3])),  # broadcasting
])
def test_several_numbers_any_of_them_an_array(build, args):
    check_every_entry(build, "scaled_tanh", args, [0, 1, 2, 3])


@pytest.mark.parametrize("build", BUILDS)
def test_a_keyword_only_number_passed_an_array(build):
    f, e = original("shifted_cube"), entries(build, "shifted_cube")
    shift = np.array([0.1, -0.2, 0.3, 0.0])
    assert_close(e[""](Z, shift=shift), f(Z, shift=shift), 1e-12, 1e-14, "value")
    gradient = e["grad_"](Z, shift=shift)
    expected = (3 * (Z - shift) ** 2, -3 * (Z - shift) ** 2)
    assert_close(gradient, expected, 1e-12, 1e-14, f"{build} grad_shifted_cube")
    assert_close(gradient[0], central_differences(summed(f, shift=shift), (Z,), [0])[0], 1e-6, 1e-8, "differences")
    assert_close(e["grad_"](Z), (3 * (Z - 0.5) ** 2, -3 * float(np.sum((Z - 0.5) ** 2))), 1e-12, 1e-14,
                 f"{build} grad_shifted_cube with the default shift")
    assert_close(e["vjp_"](Z, 2 * Z, shift=shift), (2 * Z * expected[0], 2 * Z * expected[1]), 1e-12, 1e-14, "vjp")
    tangent = (np.ones(4), np.full(4, 0.5))
    assert_close(e["jvp_"](Z, tangent, shift=shift), 0.5 * expected[0], 1e-12, 1e-14, f"{build} jvp_shifted_cube")


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("args", [(np.array([2.0, 0.5, 0.1]), np.linspace(0.0, 3.0, 5)), (np.array([2.0, 0.5, 0.1]), 1.2)])
def test_a_model_of_parameters_and_a_number_called_with_data(build, args):
    check_every_entry(build, "curve", args, [0, 1])


@pytest.mark.parametrize("build", BUILDS)
def test_annotated_and_integer_parameters_beside_arrays(build):
    check_every_entry(build, "gaussian_bump", (Z, 0.2, 0.8, 3), [0, 1, 2])
    check_every_entry(build, "gaussian_bump", (0.1, Z, 0.8, 3), [0, 1, 2])
    check_every_entry(build, "gaussian_bump", (0.1, 0.2, 0.8, 3), [0, 1, 2])


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("array", [np.array(0.7), np.array([0.7, -0.2], dtype=np.float32),
                                   np.array([2, -1, 3]), np.float32(0.7), np.float64(-0.3), 2])
def test_0d_float32_and_integer_arguments(build, array):
    f, e = original("sigmoid"), entries(build, "sigmoid")
    as_float = np.asarray(array, dtype=float)
    assert_close(e[""](array), f(as_float), 1e-7 if np.asarray(array).dtype == np.float32 else 1e-14, 1e-15,
                 f"{build} sigmoid({array!r})")
    expected = f(as_float) * (1 - f(as_float))
    gradient = e["grad_"](array)
    assert np.shape(gradient) == np.shape(array)
    if np.ndim(array) == 0:  # a number or a 0-d array: the scalar code, a float back
        assert type(gradient) is float
    assert_close(gradient, expected, 1e-12, 1e-14, f"{build} grad_sigmoid({array!r})")
    assert_close(e["jvp_"](array, np.ones_like(as_float) if np.ndim(array) else 1.0), expected, 1e-12, 1e-14,
                 f"{build} jvp_sigmoid({array!r})")


@pytest.mark.parametrize("build", BUILDS)
def test_hessian_of_an_array_argument_is_diagonal(build):
    hessian = entries(build, "cube")["hessian_"](Z)
    assert_close(hessian, np.diag(6.0 * Z), 1e-12, 1e-14, f"{build} hessian_cube")
    assert_close(entries(build, "cube")["hessian_"](0.5), 3.0, 1e-12, 1e-14, f"{build} hessian_cube(0.5)")


@pytest.mark.parametrize("build", BUILDS)
def test_a_cotangent_of_the_wrong_shape_is_refused(build):
    with pytest.raises(ValueError, match="shape"):
        entries(build, "sigmoid")["vjp_"](Z, np.ones(3))


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("name", ["leaky", "leaky_expression", "clipped"])
def test_a_truth_value_of_the_number_still_refuses_an_array(build, name):
    with pytest.raises((TypeError, ValueError)):  # as the original does (the truth value of an array)
        original(name)(Z)
    for prefix in ("", "grad_"):
        with pytest.raises((TypeError, ValueError)):
            entries(build, name)[prefix](Z)
    assert_close(entries(build, name)["grad_"](-2.0), central_differences(original(name), (-2.0,), [0])[0],
                 1e-6, 1e-8, f"{build} grad_{name} at a number")


W = np.array([[0.4, -0.3], [0.1, 0.8], [-0.6, 0.2]])
X = np.array([[0.5, -1.0, 0.3], [1.2, 0.4, -0.7], [-0.2, 0.9, 1.1], [0.6, 0.6, -0.4]])
CALLERS = [
    ("log_loss", (np.array([0.3, -0.2, 0.5]), X, np.array([1.0, 0.0, 1.0, 0.0])), [0]),
    ("relu_softplus_net", (W, np.array([0.7, -1.1]), X), [0, 1]),
    ("helpers_in_a_loop", (Z,), [0]),
    # activation's annotated k keeps its body from being inlined: the caller calls its array version
    ("activated_net", (np.array([0.3, -0.2, 0.5]), X, 1.5), [0, 2]),
]


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("name, args, positions", CALLERS, ids=[c[0] for c in CALLERS])
def test_callers_passing_arrays_or_elements(build, name, args, positions):
    f, module = original(name), BUILDS[build](PATH)
    assert_close(getattr(module, name)(*copied(args)), f(*copied(args)), 1e-12, 1e-14, f"{build} {name}")
    gradient = getattr(module, "grad_" + name)(*copied(args))
    gradient = gradient if isinstance(gradient, tuple) else (gradient,)
    gradient = tuple(gradient[k] for k in positions) if len(gradient) > len(positions) else gradient
    assert_close(gradient, central_differences(f, copied(args), positions), 1e-6, 1e-8, f"{build} grad_{name}")
    _, eager = eager_value_and_gradient(f, copied(args), tuple(positions))
    assert_close(gradient, eager if len(positions) > 1 else (eager,), 1e-12, 1e-14, f"{build} grad_{name} vs eager")


def test_helper_of_an_array_inside_a_loop_is_right_whichever_engine_takes_it():
    f, module = original("helper_of_arrays_in_a_loop"), pure_module(PATH)
    args = (Z, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, gradient = module.value_and_grad_helper_of_arrays_in_a_loop(*copied(args))
    assert_close(value, f(*copied(args)), 1e-12, 1e-14, "value")
    assert_close(gradient, central_differences(f, copied(args), [0])[0], 1e-6, 1e-8, "gradient")


def test_in_process_grad_and_value_and_grad_take_numbers_and_arrays():
    f = original("sigmoid")
    # the module original_module runs has its file's source, which srcgrad.grad reads
    expected = f(Z) * (1 - f(Z))
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)  # compiled, not the eager tape
        assert_close(srcgrad.grad(f)(Z), expected, 1e-12, 1e-14, "srcgrad.grad(sigmoid)(array)")
        assert_close(srcgrad.grad(f)(0.3), f(0.3) * (1 - f(0.3)), 1e-12, 1e-14, "srcgrad.grad(sigmoid)(0.3)")
        value, gradient = srcgrad.value_and_grad(original("scaled_tanh"))(Z, 1.5, 2.0, 0.5)
    assert_close(value, original("scaled_tanh")(Z, 1.5), 1e-12, 1e-14, "value_and_grad value")
    assert_close(gradient, central_differences(summed(original("scaled_tanh")), (Z, 1.5, 2.0, 0.5), [0, 1, 2, 3]),
                 1e-6, 1e-8, "value_and_grad gradient")


def test_nested_grad_of_a_helper_at_an_array_is_compiled_to_the_third_order(tmp_path):
    # sigmoid on its own in a file: srcgrad.grad compiles the whole file of the function it is given,
    # and the third order of every function of helpers_on_arrays.py is a module of 337K characters
    alone = tmp_path / "sigmoid_alone.py"
    alone.write_text("import numpy as np\n\n\n" + function_source(PATH, "sigmoid"))
    f = original_module(str(alone)).sigmoid
    s = f(Z)
    derivatives = [s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        nested = srcgrad.grad(f)
        for order, expected in enumerate(derivatives, 1):
            assert_close(nested(Z), expected, 1e-12, 1e-14, f"order {order} at an array")
            assert_close(nested(0.3), float(expected[0]), 1e-12, 1e-14, f"order {order} at a number")
            nested = srcgrad.grad(nested) if order < 3 else nested
    # the third order against central differences of the second, elementwise
    second = srcgrad.grad(srcgrad.grad(f))
    assert_close(nested(Z), (second(Z + 1e-6) - second(Z - 1e-6)) / 2e-6, 1e-6, 1e-8, "third order vs differences")


def test_wrt_takes_the_array_version_with_respect_to_the_same_parameters():
    source = (PROGRAMS / "helpers_on_arrays.py").read_text()
    generated = generate(source, PATH, pure=True, wrt={"activation": ("z",), "scaled_tanh": ("gain",)})
    module = {}
    exec(compile(generated.text, "helpers_on_arrays_grad.py", "exec"), module)
    f = original("activation")
    expected = central_differences(summed(f), (Z, 1.5), [0])[0]
    assert_close(module["grad_activation"](Z, 1.5), expected, 1e-6, 1e-8, "grad_activation(array), wrt z")
    assert_close(module["grad_activation"](0.3, 1.5), 1.5 * (1 - np.tanh(0.45) ** 2), 1e-12, 1e-14, "at a number")
    assert_close(module["grad_scaled_tanh"](Z, 1.5), float(np.sum(np.tanh(2.0 * Z))), 1e-12, 1e-14, "wrt gain")
    # the caller needs activation's adjoint in k too, which a version taken wrt z lacks: it is right either way
    args = (np.array([0.3, -0.2, 0.5]), X, 1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = module["grad_activated_net"](*copied(args))
    assert_close((gradient[0], gradient[2]), central_differences(original("activated_net"), args, [0, 2]),
                 1e-6, 1e-8, "activated_net beside a wrt")
