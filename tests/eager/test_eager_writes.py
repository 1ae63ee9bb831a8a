"""Element and slice assignment on the eager tape (issue 10.2), and math that raises where
Python's math raises (issue 10.3).

Every gradient is checked against central differences of the original Python function, and,
where the compiler accepts the function (or an element-only twin of it), against the compiled
build.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import srcgrad
import srcgrad.eager.mathlib as tmath
from srcgrad.eager import GradientTape, Tensor, constant
from srcgrad.eager.core import _BUFFER, MutableTensor
from srcgrad.eager.errors import DroppedGradientError
from srcgrad.eager.fallback import eager_value_and_gradient, traceable
from srcgrad.eager.functions import hvp_of
from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "element_writes.py")
X = np.array([0.7, -1.3, 0.4, 2.1])
A = np.array([1.5, 0.3, -0.8, 1.1])

WRITERS = {  # function -> arguments; each writes into arrays and then uses them whole
    "squares_of_products": (X, A),
    "running_update": (X,),
    "matrix_fill": (X,),
    "slices_and_copies": (X,),
    "constructors": (X,),
}


def _is_fallback(module, name: str) -> bool:
    """Whether the generated module runs `name` as its original source (on the eager tape)."""
    return getattr(module, name) is getattr(module, "_eager_namespace", {}).get(name)


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_generated_module_gradient_of_element_writes(build, name):
    module, original = build(PATH), original_module(PATH)
    args = WRITERS[name]
    positions = list(range(len(args)))
    expected = central_differences(getattr(original, name), args, positions)
    value, gradient = getattr(module, f"value_and_grad_{name}")(*[a.copy() for a in args])
    assert value == pytest.approx(getattr(original, name)(*args), rel=1e-12)
    assert_close(gradient if len(args) > 1 else (gradient,), expected, 1e-6, 1e-8, f"grad_{name}")
    assert np.any(np.abs(np.concatenate([np.ravel(e) for e in expected])) > 0.1)  # not a zero gradient


def test_eager_gradient_matches_the_compiled_build_of_an_element_only_twin():
    compiled, original = compiled_module(PATH), original_module(PATH)
    for name, args in (("squares_of_products", (X, A)), ("running_update", (X,))):
        twin = f"{name}_by_elements"
        assert not _is_fallback(compiled, twin), f"{twin} should compile"
        assert getattr(original, twin)(*args) == pytest.approx(getattr(original, name)(*args), rel=1e-12)
        _, eager = eager_value_and_gradient(getattr(original, name), args, tuple(range(len(args))))
        assert_close(eager, getattr(compiled, f"grad_{twin}")(*args), 1e-12, 1e-12, f"eager {name} vs compiled twin")
        if not _is_fallback(compiled, name):  # once the compiler accepts the function itself
            assert_close(eager, getattr(compiled, f"grad_{name}")(*args), 1e-12, 1e-12, f"eager vs compiled {name}")


@pytest.mark.parametrize("name", ["running_update", "matrix_fill", "slices_and_copies", "constructors"])
def test_second_order_through_element_writes(name):
    """hvp of the traced function (SETITEM's VJP recorded and differentiated again) against
    central differences of the gradient."""
    original = original_module(PATH)
    function = getattr(original, name)
    v = np.array([0.3, -0.5, 0.9, 0.2])
    (hv,) = hvp_of(traceable(function), (X.copy(),), [0], [v])

    def gradient(x):
        return eager_value_and_gradient(function, (x,), (0,))[1]

    h = 1e-6
    expected = (gradient(X + h * v) - gradient(X - h * v)) / (2 * h)
    assert_close(hv, expected, 1e-5, 1e-6, f"hvp_{name}")


def test_in_process_grad_of_a_writing_function():
    original = original_module(PATH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.FallbackWarning)
        gradient = srcgrad.grad(original.squares_of_products)(X, A)
    assert_close(gradient, central_differences(original.squares_of_products, (X, A), [0, 1]), 1e-6, 1e-8, "grad")


# --- Tensor index assignment (the contract: recorded on active tapes) --------------------------------
def test_assigning_into_a_watched_tensor_differentiates_with_respect_to_its_input_value():
    x = constant([1.0, 2.0, 3.0])
    with GradientTape() as tape:
        tape.watch(x)
        w = x * 2.0  # uses the value before the write
        x[1] = x[0] * 5.0
        z = np.sum(x * w)
    assert float(z) == 40.0 and x.numpy().tolist() == [1.0, 5.0, 3.0] and w.numpy().tolist() == [2.0, 4.0, 6.0]
    # z = 2 x0^2 + 10 x0 x1 + 2 x2^2 in the input values
    assert tape.gradient(z, x).numpy().tolist() == [4.0 + 10.0 * 2.0, 10.0, 12.0]


def test_gradient_with_respect_to_the_written_array_as_an_intermediate():
    x = constant([0.5, -1.5])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.zeros(2) + x  # a recorded Tensor, then written into
        y[0] = y[0] * y[1]
        z = np.sum(y ** 2)
    dy = tape.gradient(z, y)  # y as a source: its value when the tape first saw it (x + 0)
    dx = tape.gradient(z, x)
    # z = (y0 y1)^2 + y1^2
    assert dy.numpy() == pytest.approx([2 * 0.5 * 1.5 ** 2, 2 * 0.25 * -1.5 + 2 * -1.5])
    assert dx.numpy() == pytest.approx(dy.numpy())


def test_writes_after_the_tape_stopped_recording_do_not_change_recorded_values():
    x = constant([2.0, 3.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    x[0] = 100.0  # outside the tape: not recorded, and the records keep x's old value
    assert tape.gradient(y, x).numpy().tolist() == [4.0, 6.0]


def test_slice_assignment_broadcasts_and_sums_the_cotangent():
    x = constant(np.array([0.3, 0.8]))
    with GradientTape() as tape:
        tape.watch(x)
        m = srcgrad.zeros((3, 2))
        m[1:, :] = x  # x broadcast over two rows
        m[0] = x[0]  # a scalar over a row
        z = np.sum(m * np.arange(6.0).reshape(3, 2))
    # d z / d x0 = 2 + 4 + (0 + 1), d z / d x1 = 3 + 5
    assert tape.gradient(z, x).numpy().tolist() == [7.0, 8.0]


def test_augmented_assignment_keeps_the_array_and_its_aliases():
    x = constant([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = x.copy()
        alias = y
        y += x * x
        y *= 2.0
        z = np.sum(alias)
    assert alias is y and y.numpy().tolist() == [4.0, 12.0]
    assert tape.gradient(z, x).numpy().tolist() == [2.0 + 4.0 * 1.0, 2.0 + 4.0 * 2.0]


def test_second_order_of_a_tensor_write():
    def f(x):
        y = x.copy()
        y[0] = y[0] * y[1]
        y[1] = np.sin(y[0])
        return np.sum(y * y)

    x0 = np.array([0.6, 1.1])
    x = constant(x0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            z = f(x)
        g = inner.gradient(z, x)
        s = np.sum(g * np.array([1.0, -2.0]))
    hv = outer.gradient(s, x).numpy()

    def plain_grad(v):
        t = constant(v)
        with GradientTape() as tape:
            tape.watch(t)
            out = f(t)
        return np.sum(tape.gradient(out, t).numpy() * np.array([1.0, -2.0]))

    h = 1e-6
    expected = [(plain_grad(x0 + h * e) - plain_grad(x0 - h * e)) / (2 * h) for e in np.eye(2)]
    assert hv == pytest.approx(expected, rel=1e-6)


# --- the copy-on-write buffer ---------------------------------------------------------------------
def test_writes_go_in_place_until_the_value_is_used_then_copy():
    x = constant([1.0, 2.0, 3.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = traceable(lambda: np.zeros(3))()  # numpylib's zeros
        assert type(y) is MutableTensor
        buffer = _BUFFER.__get__(y)
        y[0] = x[0]
        y[1] = y[0] * x[1]  # element reads do not expose the buffer
        assert _BUFFER.__get__(y) is buffer
        before = y * 1.0  # a whole-array use: records the current value
        y[2] = x[2]
        assert _BUFFER.__get__(y) is not buffer  # copied, so `before` keeps its value
        assert before.numpy().tolist() == [1.0, 2.0, 0.0]
        z = np.sum(before * y)
    # z = x0^2 + (x0 x1)^2
    assert tape.gradient(z, x).numpy().tolist() == [2.0 + 2.0 * 4.0, 2.0 * 2.0, 0.0]


def test_element_reads_are_copies_not_views():
    y = traceable(lambda: np.ones((2, 2)))()
    row = y[0]
    y[0, 0] = 5.0
    assert row.numpy().tolist() == [1.0, 1.0] and y.numpy().tolist() == [[5.0, 1.0], [1.0, 1.0]]


def test_numpylib_keeps_numpy_dtypes():
    made = traceable(lambda: (np.zeros(3), np.zeros(3, dtype=int), np.arange(3), np.arange(3.0),
                              np.full(2, 1), np.full(2, 1.0), np.array([1, 2]), np.array([1.0, 2.0]),
                              np.linspace(0, 1, 3), np.eye(2)))()
    kinds = [type(m) is MutableTensor for m in made]
    assert kinds == [True, False, False, True, False, True, False, True, True, True]
    assert made[2].tolist() == [0, 1, 2] and made[8].tolist() == [0.0, 0.5, 1.0]


def test_array_of_tensors_and_arange_of_a_tensor_are_recorded():
    def f(x):
        v = np.array([x[0], [1.0, x[1]][1] * 2.0, 3.0])
        r = np.arange(x[0], 3.0)  # x0, x0 + 1, x0 + 2 (the count does not depend on x0 here)
        return np.sum(v * v) + np.sum(r * r)

    x0 = np.array([0.5, 0.25])
    _, gradient = eager_value_and_gradient(f, (x0,), (0,))
    assert_close(gradient, central_differences(f, (x0,), [0])[0], 1e-7, 1e-8, "array/arange")


# --- never drop a gradient silently ---------------------------------------------------------------
def test_storing_a_recorded_tensor_into_a_plain_array_is_an_error():
    x = constant([1.0, 2.0])
    plain = np.zeros(2)
    with GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(ValueError) as info:
            plain[0] = x[0] * 2.0  # NumPy calls float(), and reports its failure as a ValueError
        assert isinstance(info.value.__cause__, DroppedGradientError)
        with pytest.raises(TypeError, match="drop its gradient"):
            plain[:] = x * 2.0  # NumPy calls __array__
        with pytest.raises(TypeError, match="drop its derivative"):
            float(x[1])
    assert float(constant(2.5)) == 2.5  # a Tensor no tape records converts as before
    assert float(x[0]) == 1.0  # after the tape


def test_a_module_level_plain_array_written_with_a_recorded_value_is_an_error():
    namespace = {}
    exec("import numpy as np\nBUFFER = np.zeros(2)\n"
         "def f(x):\n    BUFFER[0] = x * 2.0\n    return np.sum(BUFFER)\n", namespace)
    with pytest.raises(DroppedGradientError, match="plain ndarray"):
        eager_value_and_gradient(namespace["f"], (1.5,), (0,))


def test_a_float_array_made_by_numpy_arithmetic_is_plain_and_writing_a_recorded_value_names_the_line():
    namespace = {}
    exec(compile("import numpy as np\ndef f(x):\n    r = np.arange(3) * 1.0\n    r[0] = x\n    return np.sum(r)\n",
                 "made_up.py", "exec"), namespace)
    with pytest.raises(DroppedGradientError, match="^made_up.py:4: float.. of a Tensor that a gradient tape records"):
        eager_value_and_gradient(namespace["f"], (1.5,), (0,))


def test_repeated_indices_in_a_recorded_assignment_are_an_error():
    x = constant([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = x.copy()
        with pytest.raises(ValueError, match="repeats an element"):
            y[[0, 0]] = x
        y[[1, 0]] = x  # a permutation is fine
        z = np.sum(y * np.array([1.0, 10.0]))
    assert tape.gradient(z, x).numpy().tolist() == [10.0, 1.0]


def test_variables_refuse_index_assignment():
    v = srcgrad.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match="Variable does not support index assignment"):
        v[0] = 3.0


# --- math raises where Python's math raises (issue 10.3) -------------------------------------------
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_caught_math_domain_error_takes_the_python_branch(build):
    module, original = build(PATH), original_module(PATH)
    assert module.value_and_grad_guarded_log(-1.5) == (0.0, 0.0)
    value, gradient = module.value_and_grad_guarded_log(1.5)
    assert value == pytest.approx(math.log(1.5)) and gradient == pytest.approx(1 / 1.5)
    assert module.value_and_grad_guarded_sqrt(-2.0) == (2.0, -1.0)
    value, gradient = module.value_and_grad_guarded_sqrt(2.0)
    assert value == pytest.approx(original.guarded_sqrt(2.0))
    assert gradient == pytest.approx(central_differences(original.guarded_sqrt, (2.0,), [0])[0], rel=1e-7)


DOMAIN_CASES = [
    ("log", (0.0,)), ("log", (-1.5,)), ("log", (2.0, 1.0)), ("log", (2.0, -3.0)), ("sqrt", (-1e-300,)),
    ("asin", (1.5,)), ("acos", (-1.0000001,)), ("acosh", (0.5,)), ("atanh", (1.0,)), ("atanh", (-1.0,)),
    ("log1p", (-1.0,)), ("log10", (0.0,)), ("log2", (-2.0,)), ("pow", (0.0, -1.0)), ("pow", (-2.0, 0.5)),
    ("pow", (10.0, 400.0)), ("exp", (710.0,)), ("expm1", (710.0,)), ("exp2", (1025.0,)),
    ("cosh", (711.0,)), ("sinh", (-711.0,)), ("sin", (math.inf,)), ("cos", (-math.inf,)),
    ("tan", (math.inf,)), ("fmod", (1.0, 0.0)), ("fmod", (math.inf, 2.0)),
    # and where math does not raise, neither does the Tensor version
    ("log", (1e-300,)), ("sqrt", (0.0,)), ("atanh", (0.999,)), ("pow", (-2.0, 3.0)), ("exp", (709.0,)),
    ("log", (math.nan,)), ("hypot", (1e308, 1e308)), ("pow", (0.0, 0.0)),
]


@pytest.mark.parametrize("name, args", DOMAIN_CASES, ids=[f"{n}{a}" for n, a in DOMAIN_CASES])
def test_tensor_math_raises_exactly_where_math_raises(name, args):
    try:
        expected = getattr(math, name)(*args)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        with pytest.raises(type(error), match=str(error)):
            getattr(tmath, name)(*[constant(a) for a in args])
        with pytest.raises(type(error)):  # a Tensor mixed with a plain float too
            getattr(tmath, name)(constant(args[0]), *args[1:])
        return
    result = getattr(tmath, name)(*[constant(a) for a in args])
    assert isinstance(result, Tensor)
    assert float(result) == pytest.approx(expected, nan_ok=True)


def test_math_on_an_array_tensor_checks_every_element():
    with pytest.raises(ValueError, match="math domain error"):
        tmath.log(constant([1.0, 2.0, -0.5]))
    assert tmath.sqrt(constant([1.0, 4.0])).numpy().tolist() == [1.0, 2.0]


def test_imports_inside_the_function_and_functions_behind_a_wrapper_are_traced():
    namespace = {}
    exec("from numpy import zeros\n"
         "def f(x):\n    import math\n    import numpy as np\n"
         "    y = zeros(3)\n    y[0] = math.sin(x)\n    y[1] = x\n    y[2] = np.ones(1)[0] * x\n"
         "    return np.sum(y * y)\n", namespace)

    def checked(function):  # as generated modules wrap fallbacks (a closure over the user's function)
        def run(*args):
            return function(*args)

        return run

    x = 0.7
    expected = 2 * math.sin(x) * math.cos(x) + 4 * x
    for function in (namespace["f"], checked(namespace["f"])):
        value, gradient = eager_value_and_gradient(function, (x,), (0,))
        assert value == pytest.approx(math.sin(x) ** 2 + 2 * x * x) and gradient == pytest.approx(expected)
