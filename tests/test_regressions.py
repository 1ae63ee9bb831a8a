"""Named regression tests: each is a small program that once went wrong (most found by
tests/test_fuzz.py and the probes around it), checked against the original Python, the eager
engine and finite differences (tests/fuzzing.py `check_source`).

A test marked xfail(strict=True) is a failure not yet fixed: its reason names the cause. Fixing
the compiler makes it pass, strict xfail then fails the suite, and the marker comes off. When a
fix lands, also switch the matching `Features` flag of tests/fuzzing.py on, so the fuzzer draws
the construct again.
"""

from __future__ import annotations

import functools
import math
import signal
import textwrap

import numpy as np
import pytest

import fuzzing
from srcgrad.eager import value_and_grad_of


@functools.lru_cache(maxsize=None)
def pure(source: str):
    generated, module = fuzzing.pure_build(source, "regression.py")
    return generated, module


@functools.lru_cache(maxsize=None)
def compiled(source: str, name: str):
    return fuzzing.compiled_build(source, f"regression_{name}.py")


BUILDS = ["pure", "compiled"]


def build(how: str, source: str, name: str):
    generated, module = pure(source) if how == "pure" else compiled(source, name)
    assert [d.format() for d in generated.diagnostics] == [], "the function fell back to the eager tape"
    return module


def checked(how: str, source: str, name: str, args: tuple, positions: list, entry: str = "f") -> None:
    source = textwrap.dedent(source)
    fuzzing.check_source(source, entry, args, positions, build(how, source, name), entry, what=how)


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


# --------------------------------------------------------------------------- type inference


CONSTANT_ONLY = """
C1 = 0.7


def f(x):
    s = C1
    return s * x
"""


@pytest.mark.parametrize("how", BUILDS)
def test_local_assigned_only_a_module_constant(how):
    checked(how, CONSTANT_ONLY, "constant_only", (1.5,), [0])


CONSTANT_PLUS_INT = """
C = 0.7


def f(x):
    s = C + 1
    return s * x
"""


def test_float_module_constant_plus_an_int_stays_a_float():
    checked("compiled", CONSTANT_PLUS_INT, "constant_plus_int", (1.0,), [0])


def test_float_module_constant_plus_an_int_pure():
    checked("pure", CONSTANT_PLUS_INT, "constant_plus_int", (1.0,), [0])


class _Timeout(Exception):
    pass


def _within(seconds: int, work):
    def expire(signum, frame):
        raise _Timeout(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        return work()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_long_sum_generates_quickly():
    source = "def f(x):\n    return " + " + ".join(["x"] * 30) + "\n"
    generated = _within(5, lambda: fuzzing.pure_build(source, "long_sum.py")[1])
    assert generated.grad_f(1.0) == 30.0


# --------------------------------------------------------------------------- integers


ABS_OF_INT = """
def f(x, n: int):
    m = abs(n)
    return x * m
"""


def test_abs_of_an_int_pure():
    checked("pure", ABS_OF_INT, "abs_of_int", (1.5, -3), [0])


def test_abs_of_an_int_compiled():
    checked("compiled", ABS_OF_INT, "abs_of_int", (1.5, -3), [0])


INT_POWER = """
def f(x, n: int):
    return x * 2 ** (n - 3)
"""


def test_int_power_with_a_negative_exponent_pure():
    checked("pure", INT_POWER, "int_power", (1.3, 1), [0])


def test_int_power_with_a_negative_exponent_compiled():
    checked("compiled", INT_POWER, "int_power", (1.3, 1), [0])


FLOOR_AS_RANGE_BOUND = """
import math


def f(x):
    s = x
    for i in range(math.floor(x)):
        s = s * x
    return s
"""


@pytest.mark.parametrize("how", BUILDS)
def test_math_floor_as_a_range_bound(how):
    checked(how, FLOOR_AS_RANGE_BOUND, "floor_range", (3.5,), [0])


VARIABLE_NEGATIVE_STEP = """
def f(x, n: int):
    s = x
    for i in range(10, 0, -n):
        s = s * x + i
    return s
"""


def test_range_with_a_variable_negative_step_pure():
    checked("pure", VARIABLE_NEGATIVE_STEP, "variable_step", (0.5, 3), [0])


def test_range_with_a_variable_negative_step_compiled():
    checked("compiled", VARIABLE_NEGATIVE_STEP, "variable_step", (0.5, 3), [0])


# --------------------------------------------------------------------------- return types


RETURNS_INT = """
def f(x, n: int):
    return n * 2
"""

RETURNS_BOOL = """
def f(x):
    return x > 1.0
"""


@pytest.mark.parametrize("source", [RETURNS_INT, RETURNS_BOOL], ids=["int", "bool"])
def test_function_returning_an_int_or_bool_pure(source):
    module = build("pure", textwrap.dedent(source), "returns")
    args = (1.5, 2) if "n: int" in source else (1.5,)
    assert module.grad_f(*args) == 0.0


@pytest.mark.parametrize("source", [RETURNS_INT, RETURNS_BOOL], ids=["int", "bool"])
def test_function_returning_an_int_or_bool_compiles(source):
    module = build("compiled", textwrap.dedent(source), "returns_" + ("int" if "n: int" in source else "bool"))
    args = (1.5, 2) if "n: int" in source else (1.5,)
    assert module.grad_f(*args) == 0.0


# --------------------------------------------------------------------------- loops


LOOP_VARIABLE_REASSIGNED = """
def f(x, n: int):
    s = x
    for i in range(n):
        i = i * 2
        s = s + x * i
    return s
"""


@pytest.mark.parametrize("how", BUILDS)
def test_loop_variable_reassigned_in_the_body(how):
    checked(how, LOOP_VARIABLE_REASSIGNED, "loop_variable", (1.5, 3), [0])


# --------------------------------------------------------------------------- names


LOCAL_NAMED_LIKE_A_MATH_FUNCTION = """
import math


def f(x):
    sin = x * 2.0
    return math.sin(sin)
"""


@pytest.mark.parametrize("how", BUILDS)
def test_local_variable_named_like_a_math_function(how):
    checked(how, LOCAL_NAMED_LIKE_A_MATH_FUNCTION, "named_sin", (0.3,), [0])


LOCAL_NAMED_TAPE = """
def f(x, n: int):
    tape = x
    for i in range(n):
        tape = tape * x
    return tape
"""


@pytest.mark.parametrize("how", BUILDS)
def test_local_variable_named_tape(how):
    checked(how, LOCAL_NAMED_TAPE, "named_tape", (0.3, 3), [0])


# --------------------------------------------------------------------------- the eager engine


FLOAT_IN_A_FALLBACK = """
def f(x):
    values = {0: x, 1: x}
    return float(values[0]) * x
"""


def test_float_of_a_parameter_in_an_eager_fallback():
    generated, module = fuzzing.pure_build(FLOAT_IN_A_FALLBACK, "float_fallback.py")
    assert generated.diagnostics  # the dict makes f a fallback (a list compiles now)
    assert module.grad_f(1.5) == pytest.approx(3.0)


# --------------------------------------------------------------------------- forward mode


UNUSED_MATH_CALLS = """
import math


def f(x, y):
    unused = abs(y) + math.sin(x * y) + math.log(y * y + 1.0)
    return x * y
"""


@pytest.mark.parametrize("how", BUILDS)
def test_unused_math_calls_in_forward_mode(how):
    module = build(how, textwrap.dedent(UNUSED_MATH_CALLS), "unused_math")
    assert module.jvp_f(0.5, 2.0, (1.0, 0.0)) == pytest.approx(2.0)
    assert module.hvp_f(0.5, 2.0, (1.0, 0.0)) == pytest.approx((0.0, 1.0))


# --------------------------------------------------------------------------- derivative rules


COPYSIGN_OF_ZERO = """
import math


def f(x, y):
    return math.copysign(x, y)
"""


# d/dx copysign(x, y) was written np.sign(x) * np.sign(y), 0 for y = +-0.0, though copysign(x, 0.0)
# is |x| (slope sign(x)) and copysign(x, -0.0) is -|x|; now np.sign(x) * np.copysign(1.0, y). The
# eager tape shares the rule, so only finite differences saw it (found by the fuzzer)
@pytest.mark.parametrize("how", BUILDS)
@pytest.mark.parametrize("y", [0.0, -0.0], ids=["+0", "-0"])
def test_copysign_onto_a_signed_zero(how, y):
    module = build(how, textwrap.dedent(COPYSIGN_OF_ZERO), "copysign")
    gradient = module.grad_f(-0.5, y)
    assert gradient[0] == (-1.0 if y == 0.0 and math.copysign(1.0, y) > 0 else 1.0)
    assert gradient[1] == 0.0


# --------------------------------------------------------------------------- arrays


ARRAY_READ_AND_PASSED = """
import numpy as np


def g(x, a: np.ndarray):
    return x * a[0]


def f(x, a: np.ndarray):
    return g(x, a) + a[1] * x
"""


# An array parameter that the function both indexes (a[1]) and passes to another function of the
# module (g(x, a)) was refused as "the array 'a' used as a whole value (vectorised NumPy)" and fell
# back (found by the fuzzer with Features(arrays=True, array_arguments=True)); the callee that
# reads its elements is inlined now (transform/inline_helpers.py)
def test_array_read_and_passed_to_a_callee():
    generated, module = fuzzing.pure_build(textwrap.dedent(ARRAY_READ_AND_PASSED), "array_passed.py")
    assert [d.format() for d in generated.diagnostics] == []
    x, a = 0.5, np.array([2.0, 3.0])
    gx, ga = module.grad_f(x, a.copy())
    assert gx == pytest.approx(5.0) and ga == pytest.approx([0.5, 0.5])


LOGADDEXP = """
import numpy as np


def f(x, y):
    return np.logaddexp(x, y)
"""


# logaddexp of two equal infinities was nan (inf - inf in top + log1p(exp(-|a - b|))), where NumPy
# (and so the original) gives +-inf: a == b is now a + log(2), as NumPy computes it (found by the
# fuzzer: a loop that overflows)
@pytest.mark.parametrize("how", BUILDS)
@pytest.mark.parametrize("value", [math.inf, -math.inf], ids=["inf", "-inf"])
def test_logaddexp_of_two_equal_infinities(how, value):
    module = build(how, textwrap.dedent(LOGADDEXP), "logaddexp")
    assert module.f(value, value) == value
    assert module.f(1.5, 1.5) == pytest.approx(1.5 + math.log(2.0))


# --------------------------------------------------------------------------- whole arrays in loops


UNANNOTATED_ARRAY_IN_A_LOOP_REDUCTION = """
import numpy as np

C = np.array([[4.0, 1.0, 8.0], [4.0, 1.0, 8.0], [4.0, 1.0, 8.0]])
BETA = np.array([0.1, 0.2, 0.2])


def f(x):
    total = 0.0
    for i in range(C.shape[1]):
        total -= 1.0 / (np.sum((x - C[:, i]) ** 2) + BETA[i])
    return total
"""


@pytest.mark.parametrize("how", BUILDS)
def test_an_unannotated_parameter_in_a_reduction_inside_a_loop_stays_an_array(how):
    """Shekel's np.sum((x - C[:, i]) ** 2) in a loop, x unannotated and never indexed: written element
    by element, x was taken for a number, so the primal returned an array (--pure) or refused x
    (compiled). The reduction stays whole-array code; the gradient matches the original's."""
    source = textwrap.dedent(UNANNOTATED_ARRAY_IN_A_LOOP_REDUCTION)
    if how == "pure":
        _, module = pure(source)
    else:
        _, module = compiled(source, "unannotated_array_in_a_loop_reduction")
    x = np.array([3.9, 1.2, 7.7])
    fuzzing.check_source(source, "f", (x,), [0], module, "f", what=how)
    original = fuzzing.run_source(source, "f")
    assert math.isclose(module.f(x), original(x), rel_tol=1e-13)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "rint"])
def test_pure_rounding_keeps_the_sign_of_zero_and_passes_inf_and_nan(name):
    """The --pure runtime's floor/ceil/trunc/rint give C's (and NumPy's) results: ceil(-0.3) is -0.0,
    which math.copysign(x, ceil(...)) then reads (found by the fuzzer: a primal differed from the
    original), and inf/nan pass through where math.ceil raises."""
    from srcgrad.runtime import pyscalar

    for x in [-0.3, -0.0, 0.0, 0.3, -0.7, 2.5, -2.5, 1.5, -0.5, 0.5, -1e-300, 1e300, math.inf, -math.inf, math.nan]:
        ours, numpys = getattr(pyscalar, name)(x), float(getattr(np, name)(x))
        assert type(ours) is float
        if math.isnan(numpys):
            assert math.isnan(ours)
        else:
            assert ours == numpys and math.copysign(1.0, ours) == math.copysign(1.0, numpys), (x, ours, numpys)


NON_INTEGER_POWER_OFF_ITS_DOMAIN_UNUSED = """
def f(x, y):
    r = (x * x - 1.5) ** 1.5
    return y * x
"""


@pytest.mark.parametrize("how", BUILDS)
def test_a_non_integer_power_computed_off_its_domain_and_unused_leaves_the_gradient_alone(how):
    """(x * x - 1.5) ** 1.5 at x = 0.5 is complex in Python (nan in C), and nothing uses it: the
    adjoint multiplied its zero cotangent by the partial, giving 0j (--pure) or nan (compiled) for
    b_x, where the eager engine gives y. Found by the fuzzer."""
    source = textwrap.dedent(NON_INTEGER_POWER_OFF_ITS_DOMAIN_UNUSED)
    module = pure(source)[1] if how == "pure" else compiled(source, "non_integer_power_unused")[1]
    with np.errstate(invalid="ignore"):
        gradient = module.grad_f(0.5, 3.0)
        tangent = module.jvp_f(0.5, 3.0, (1.0, 0.0))
    assert gradient == (3.0, 0.5) and type(gradient[0]) is float
    assert tangent == 3.0
    eager = value_and_grad_of(fuzzing.run_source(source, "f"), (0.5, 3.0), [0, 1])[1]
    assert np.allclose(eager, gradient)


CALL_INTO_AN_ELEMENT = """
import math
import numpy as np


def h(x, y):
    return x * math.sin(y)


def f(a: np.ndarray, x):
    y = np.zeros(len(a))
    for k in range(len(a)):
        y[k] = h(a[k], x)
        y[k] += h(x, a[k])
    return np.sum(y * y)
"""


@pytest.mark.parametrize("how", BUILDS)
def test_a_call_stored_into_an_element_is_differentiated(how):
    """y[k] = h(a[k], x): the reverse sweep took b_y[k] and cleared it but never called h's adjoint
    (a silently wrong gradient), and forward mode printed an unpack into an element (an internal
    error, found by the fuzzer)."""
    checked(how, CALL_INTO_AN_ELEMENT, "call_into_an_element", (np.array([0.3, -1.2, 0.8]), 0.7), [0, 1])
