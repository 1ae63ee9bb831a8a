"""Failures the fuzzer (tests/fuzzing.py) found, each reduced to a minimal program.

A strict xfail here pairs with a flag that is off in fuzzing.Features (KNOWN_FAILURE_FLAGS): when
the fix lands the test passes, the strict xfail fails, and both the marker and the flag go.
Every check compares with central differences and with the other build (compiled vs --pure).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fuzzing
from support import central_differences

BUILDS = {"pure": lambda source, name: fuzzing.pure_build(source)[1],
          "compiled": lambda source, name: fuzzing.compiled_build(source, name)[1]}

UNUSED_SQRT = """\
import math


def unused_sqrt(x):
    r = math.sqrt(x)
    return x * 2.0


def guarded_unused_sqrt(x):
    if x >= 0.0:
        r = math.sqrt(x)
    else:
        r = math.sqrt(-x)
    return x * 2.0
"""


@pytest.mark.parametrize("name", ["unused_sqrt", "guarded_unused_sqrt"])
def test_pure_forward_mode_of_an_unused_sqrt_at_zero(name):
    # The derivative of the output is 2 everywhere; sqrt's infinite tangent at 0 never reaches it,
    # so forward mode does not compute it (Python's 0.5 / 0.0 would raise; C would carry inf).
    compiled = BUILDS["compiled"](UNUSED_SQRT, "fuzz_regression_unused_sqrt.py")
    assert getattr(compiled, "jvp_" + name)(0.0, 1.0) == 2.0
    assert getattr(compiled, "hvp_" + name)(0.0, 1.0) == 0.0
    pure = BUILDS["pure"](UNUSED_SQRT, name)
    assert getattr(pure, "jvp_" + name)(0.0, 1.0) == 2.0
    assert getattr(pure, "hvp_" + name)(0.0, 1.0) == 0.0


ELEMENT_WRITES = """\
import numpy as np


def scaled_square(x0, a: np.ndarray):
    y = np.zeros(len(a))
    for e in range(len(a)):
        y[e] = x0 * a[e]
    return np.sum(y * y)
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_forward_mode_through_element_writes_then_a_reduction(build):
    # Found when np.sum of an element-written local array fell back to the eager tape, whose jvp_
    # and hvp_ raised; it compiles now. f = x0^2 * sum(a^2).
    module = BUILDS[build](ELEMENT_WRITES, "fuzz_regression_element_writes.py")
    x0, a = 0.5, np.array([1.0, 2.0])
    (g0, ga), = [module.grad_scaled_square(x0, a.copy())]
    expected = central_differences(lambda x, v: float(np.sum((x * v) ** 2)), (x0, a), [0, 1])
    np.testing.assert_allclose(g0, expected[0], rtol=1e-6)
    np.testing.assert_allclose(ga, expected[1], rtol=1e-6)
    tangent = (1.0, np.array([0.5, -1.0]))
    assert math.isclose(module.jvp_scaled_square(x0, a.copy(), tangent), g0 * 1.0 + float(ga @ tangent[1]),
                        rel_tol=1e-12)
    # Hessian of x0^2 * s (s = a.a) along (1, t): (2 s + 4 x0 a.t, 4 x0 a + 2 x0^2 t)
    s, at = float(a @ a), float(a @ tangent[1])
    h0, ha = module.hvp_scaled_square(x0, a.copy(), tangent)
    assert math.isclose(h0, 2 * s + 4 * x0 * at, rel_tol=1e-12)
    np.testing.assert_allclose(ha, 4 * x0 * a + 2 * x0 ** 2 * tangent[1], rtol=1e-12)


DOT = """\
import numpy as np

A0 = np.array([0.5, -1.0, 1.5])


def dot_of_parameter(x0, a: np.ndarray):
    x0 += np.dot(a, a)
    return x0


def dot_of_constant(x0):
    x0 += np.dot(A0, A0)
    return x0 * x0
"""


def test_dot_of_two_vectors_is_a_float():
    generated, pure = fuzzing.pure_build(DOT)
    assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
    a = np.array([1.0, 2.0])
    gx, ga = pure.grad_dot_of_parameter(0.5, a.copy())
    assert gx == 1.0
    np.testing.assert_allclose(ga, 2 * a, rtol=1e-12)
    assert math.isclose(pure.grad_dot_of_constant(0.5), 2 * (0.5 + 3.5), rel_tol=1e-12)


SHARED_CALL_AFTER_AN_UNSAFE_SELECT = """\
import math


def f(x):
    return (math.sqrt(x) * x * x if x > 0.0 else 0.0) + math.exp(x) * math.exp(x)
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_shared_call_after_an_unsafe_select_builds(build):
    # The adjoint of the statement starts with an `if` (the select's arm is not safe at x <= 0) and
    # calls exp(x) twice, so exp(x) is hoisted: moving the statement's comment read `if.comment`
    # ("'GIf' object has no attribute 'comment'"; 32 of 300 default fuzz programs).
    module = BUILDS[build](SHARED_CALL_AFTER_AN_UNSAFE_SELECT, "fuzz_regression_shared_call.py")
    pure = BUILDS["pure"](SHARED_CALL_AFTER_AN_UNSAFE_SELECT, "f")

    def f(x):
        return (math.sqrt(x) * x * x if x > 0.0 else 0.0) + math.exp(x) * math.exp(x)

    for x in (0.7, -0.5):
        expected = central_differences(f, (x,), [0])[0]
        assert math.isclose(module.grad_f(x), expected, rel_tol=1e-6)
        assert math.isclose(module.grad_f(x), pure.grad_f(x), rel_tol=1e-12)
        assert math.isclose(module.jvp_f(x, 1.0), module.grad_f(x), rel_tol=1e-12)
        h = (module.grad_f(x + 1e-5) - module.grad_f(x - 1e-5)) / 2e-5
        assert math.isclose(module.hvp_f(x, 1.0), h, rel_tol=1e-6)


NEGATIVE_CONSTANTS = """\
import math

T0 = (1.0, 1.5, -0.5)


def negated_constants(x):
    y = math.exp(-(T0[2]) * (T0[2])) * x
    return y - T0[2] * x - (-(-x)) * x
"""


def test_negative_constants_under_a_minus_are_parenthesized():
    # The module constant T0[2] is read as the constant -0.5; printed after a unary minus it was
    # `--0.5`, which Cython refused (in C, `--` is the decrement operator).
    from srcgrad.generate import generate

    for pure in (False, True):
        code = generate(NEGATIVE_CONSTANTS, "negative_constants.py", pure=pure).text
        assert "-(-0.5) * -0.5" in code and "- (-0.5 * x)" in code and "-(-x)" in code
        assert "--" not in code.replace("---", "").replace("-> ", "")
    compiled = BUILDS["compiled"](NEGATIVE_CONSTANTS, "fuzz_regression_negative_constants.py")
    pure = BUILDS["pure"](NEGATIVE_CONSTANTS, "negated_constants")

    def f(x):
        return math.exp(-0.25) * x + 0.5 * x - x * x

    for x in (0.3, -1.7):
        for module in (compiled, pure):
            assert math.isclose(module.negated_constants(x), f(x), rel_tol=1e-12)
            assert math.isclose(module.grad_negated_constants(x), central_differences(f, (x,), [0])[0], rel_tol=1e-6)
            assert math.isclose(module.hvp_negated_constants(x, 1.0), -2.0, rel_tol=1e-12)
        assert math.isclose(compiled.grad_negated_constants(x), pure.grad_negated_constants(x), rel_tol=1e-12)


CONSTANT_OUTPUT_FALLBACK = """\
import numpy as np


def constant_output(x, a: np.ndarray):
    print(end="")
    return 2.0
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_fallback_vjp_refuses_an_array_cotangent_for_a_float_output(build):
    # The eager tape checks dout only where it reaches a derivative: an output no parameter
    # reaches took any dout (compiled functions raise ValueError, as the contract says).
    module = BUILDS[build](CONSTANT_OUTPUT_FALLBACK, "fuzz_regression_constant_output.py")
    with pytest.raises(ValueError, match=r"dout has shape \(3,\), but the output of constant_output is a float"):
        module.vjp_constant_output(1.5, np.ones(2), np.ones(3))
    gx, ga = module.vjp_constant_output(1.5, np.ones(2), np.array(-2.5))
    assert gx == 0.0 and ga.tolist() == [0.0, 0.0]
    value, (gx, ga) = module.value_and_grad_constant_output(1.5, np.ones(2))
    assert value == 2.0 and gx == 0.0 and ga.tolist() == [0.0, 0.0]


SHARED_INTEGER_CALL = """\
import math

import numpy as np

A0 = np.array([0.5, -1.0, 1.5])


def integer_index_twice(x, m: int):
    return max(A0[(2 * min(m, 5)) % 3] - 2.0 * x, math.hypot(x, 0.5))
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_shared_integer_call_stays_an_integer(build):
    # min(m, 5) appears in both selects of max's adjoint, so it is computed once into a temporary;
    # declared a double, it could not index A0 (Cython: "Invalid index for memoryview").
    module = BUILDS[build](SHARED_INTEGER_CALL, "fuzz_regression_shared_integer_call.py")
    pure = BUILDS["pure"](SHARED_INTEGER_CALL, "integer_index_twice")
    A0 = np.array([0.5, -1.0, 1.5])

    def f(x, m):
        return max(A0[(2 * min(m, 5)) % 3] - 2.0 * x, math.hypot(x, 0.5))

    for x, m in ((0.3, 1), (1.0, 1), (1.0, 7), (-0.4, 0)):
        expected = central_differences(lambda v: f(v, m), (x,), [0])[0]
        assert math.isclose(module.grad_integer_index_twice(x, m), expected, rel_tol=1e-6)
        assert math.isclose(module.grad_integer_index_twice(x, m), pure.grad_integer_index_twice(x, m), rel_tol=1e-12)


# Found by a long run; reduced: SHARED_CALL_AFTER_AN_UNSAFE_SELECT above.
GUARDED_SQRT_IN_A_LOOP = """\
import math


import numpy as np




C0 = 2.0 * math.pi
C1 = 0.7
N_BASE = 4
N0 = N_BASE - 1
S0 = "smooth"
T0 = (0.5, -1.25, 2.0)
A0 = np.linspace(0.0, 1.0, 3)


def fn0(x0, x1, n: int):
    k1 = 0
    while k1 < 4:
        k1 = k1 + 1
        if not (x0 >= 0.0):
            r2 = np.sqrt(-x0)
        else:
            r2 = np.sqrt(x0)
        if math.exp(-(A0[1]) * (A0[1])) < C1 * max(min(k1, 5) // 2, 2 * min(k1, 5)):
            continue
    x0 = math.log((x0) * (x0) + 3.0, 2.0)
    k3 = 0
    while k3 < 8:
        k3 = k3 + 1
        x1 = np.absolute(x1)
    for i4 in range(min(min(k1, 5), 3), max(n, 1) + 3, 2):
        for i5 in range(min(k1, 5)):
            if np.reciprocal((A0[2]) * (A0[2]) + 1.0) >= (x0) ** 2:
                break
            for i6 in range(2 * min(i4, 5)):
                i6 = (i6 * 2 + 1) % 5
                x1 = float(A0[0]) + ((min(abs(min(k3, 5)), min(k1, 5) % 3) / 4 + x1) % 0.75)
    x1 *= math.tanh(np.hypot((float(x1) * (2 // 2)) * (float(x1) * (2 // 2)) + 0.5, (3 * abs(min(k3, 5))) / 4 + x1))
    k1 = (abs(2)) % -4
    return (((x1) * (x1) + 1.0) ** math.cos(x1) if math.fabs(C1) < (x1) * 0.5 - (x0) * 0.25 else math.atan2(x0, (x0) * (x0) + 0.5))
"""


@pytest.mark.parametrize("x0", [0.7, -0.7, 0.0])
def test_guarded_sqrt_in_a_loop_builds(x0):
    generated, module = fuzzing.pure_build(GUARDED_SQRT_IN_A_LOOP)
    assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
    fuzzing.check_source(GUARDED_SQRT_IN_A_LOOP, "fn0", (x0, 1.3, 2), [0, 1], module, "fn0", what="pure")



SQRT_AT_ZERO_OFF_THE_PATH = """\
import math


def f(x, n: int):
    u = 1.0 - x
    if u >= 0.0:
        r = math.sqrt(u)
    else:
        r = math.sqrt(-u)
    y = x
    for i in range(n):
        y = y + r
    return y * x
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_infinite_partial_times_a_zero_cotangent(build):
    """sqrt at exactly 0 on a path a zero-trip loop cuts off: the zero cotangent contributes 0,
    not 0 * inf (compiled nan, --pure ZeroDivisionError before); the eager engine gives 2x too."""
    module = BUILDS[build](SQRT_AT_ZERO_OFF_THE_PATH, "sqrt_at_zero_off_the_path")
    original = fuzzing.run_source(SQRT_AT_ZERO_OFF_THE_PATH, "f")
    with np.errstate(all="ignore"):
        gradient = module.grad_f(1.0, 0)
    expected = central_differences(lambda x: original(x, 0), (1.0,), [0])[0]
    assert math.isclose(gradient, 2.0) and math.isclose(expected, 2.0, rel_tol=1e-6)


WHOLE_MODULE_ARRAY_IN_SCALAR_CODE = """\
import numpy as np

A0 = np.linspace(0.0, 1.0, 3)


def helper(x):
    return x * np.sum(A0)


def caller(x):
    return helper(x) * x
"""


@pytest.mark.parametrize("build", ["pure", "compiled"])
def test_whole_module_array_in_scalar_code_keeps_the_gil(build):
    """A function of numbers that reads a module array constant whole (np.sum(A0)) holds a Python
    object: compiled, it (and its callers) keep the GIL; Cython refused it as nogil code."""
    module = BUILDS[build](WHOLE_MODULE_ARRAY_IN_SCALAR_CODE, "whole_module_array_in_scalar_code")
    original = fuzzing.run_source(WHOLE_MODULE_ARRAY_IN_SCALAR_CODE, "caller")
    x = 0.7
    assert math.isclose(module.caller(x), original(x), rel_tol=1e-12)
    expected = central_differences(original, (x,), [0])[0]
    assert math.isclose(module.grad_caller(x), expected, rel_tol=1e-6)
    assert math.isclose(module.grad_caller(x), 2 * x * 1.5, rel_tol=1e-12)


LOCAL_ARRAY_USED_ONLY_WHOLE = """\
import numpy as np


def f(a: np.ndarray, x):
    y = np.zeros_like(a)
    return x + np.mean(y * a) + np.sum(a * x)
"""


def test_a_local_array_used_only_whole_compiles():
    generated, module = fuzzing.pure_build(LOCAL_ARRAY_USED_ONLY_WHOLE)
    assert not fuzzing.unexpected_diagnostics(generated), fuzzing.unexpected_diagnostics(generated)
