"""Conditional expressions and if/else of cheap arms compile to a select of both arms evaluated
(runtime/scalar.pxd's select, emit/printer.py): no data-dependent branch. The select keeps exactly
the bits of the arm taken, and the adjoint selects each arm's contributions rather than scaling a
zeroed cotangent by the arm's partials (0 * inf is nan): values and gradients agree with the
--pure build (which prints Python conditionals) bit for bit (nan's sign aside: NumPy's scalars
and C may give different ones), at ties, infinities and nan, and
with central differences and the eager engine elsewhere. Arms with a division, sqrt or log keep
their branch."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, compiled_module, original_module, pure_module
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad import ir
from srcgrad.generate import generate

PATH = str(PROGRAMS / "branch_free_selects.py")
# bit for bit with the branchy code, NaN signs included: those depend on the C compiler's operand
# order, which differs between the suite's quick -O0 builds and users' -O3 kernels
pytestmark = pytest.mark.usefixtures("optimised_builds")
INF, NAN = math.inf, math.nan
RNG = np.random.default_rng(13)


@pytest.fixture(scope="module")
def compiled():
    return compiled_module(PATH)


@pytest.fixture(scope="module")
def pure():
    return pure_module(PATH)


def _function_text(name: str) -> str:
    """The generated Cython of one function: its primal, adjoint, jvp and hvp kernels."""
    text = generate(Path(PATH).read_text(), PATH).text
    start = text.index(f"# {name}: ")
    end = text.find("\n# ", text.index("\n", start) + 1)
    while end != -1 and not text[end + 3:].split(":", 1)[0].isidentifier():
        end = text.find("\n# ", end + 1)
    return text[start:end if end != -1 else len(text)]


@pytest.mark.parametrize("name", ["huber", "leaky", "clipped"])
def test_cheap_arms_print_as_selects(name):
    text = _function_text(name)
    assert "_scalar.select(" in text
    # no conditional expression of numbers is left in the primal and adjoint kernels
    kernels = text[:text.index(f"cdef (double, double) _{name}_jvp")]
    conditionals = [line for line in kernels.splitlines() if re.search(r" if .* else ", line.split("  #")[0])]
    assert not conditionals


@pytest.mark.parametrize("name", ["reciprocal_guarded", "root_guarded", "log_guarded"])
def test_arms_that_may_fail_keep_their_branch(name):
    text = _function_text(name)
    assert "_scalar.select(" not in text
    guarded = {"reciprocal_guarded": "1.0 / x[i] if x[i] != 0.0 else x[i]",
               "root_guarded": "        if x[i] > 0.0:\n",
               "log_guarded": "_math.log(x) * y if x > 0.0 else x * y"}[name]
    assert guarded in text


def smooth_points():
    x = RNG.normal(size=9) * 2.0
    x[np.abs(np.abs(x) - 1.1) < 0.05] += 0.2  # keep off huber's kink at delta
    x[np.abs(x) < 0.05] += 0.2  # and off the kinks at 0
    return [
        ("huber", (x, 1.1), (RNG.normal(size=9), 0.4)),
        ("overflowing_arm", (x, 0.7), (RNG.normal(size=9), 0.3)),
        ("leaky", (x, 1.3), (RNG.normal(size=9), -0.2)),
        ("clipped", (0.3, 0.9, 1.7), (0.5, -0.3, 0.2)),
        ("clipped", (1.4, 0.9, 1.7), (0.5, -0.3, 0.2)),
        ("reciprocal_guarded", (x,), (RNG.normal(size=9),)),
        ("root_guarded", (x,), (RNG.normal(size=9),)),
        ("log_guarded", (0.8, 1.5), (0.3, -0.6)),
        ("log_guarded", (-0.8, 1.5), (0.3, -0.6)),
    ]


@pytest.mark.parametrize("name, args, direction", smooth_points())
@pytest.mark.parametrize("build", ["compiled", "pure"])
def test_every_mode_at_smooth_points(request, build, name, args, direction):
    module = request.getfixturevalue(build)
    check_every_mode(lambda path: module, PATH, name, args, direction)


def _bits(values) -> list:
    """Each number's IEEE bits (nan's sign and payload included, -0.0 apart from 0.0)."""
    flat = []
    for v in values if isinstance(values, tuple) else (values,):
        flat.extend(np.atleast_1d(np.asarray(v, dtype=np.float64)).view(np.uint64).tolist())
    return flat


SPECIAL = [
    # ties at the boundary a == delta take the first arm, as `<=` does
    ("huber", (np.array([1.5, -1.5, 0.0, -0.0, 2.0]), 1.5)),
    # infinite and nan elements: an arm not taken is inf or nan there
    ("huber", (np.array([INF, -INF, 0.5, NAN, -3.0]), 1.0)),
    ("huber", (np.array([INF, -INF, 0.5, 1e300]), INF)),  # delta inf: every element quadratic
    ("huber", (np.array([0.5, -2.0, 1e-300]), 0.0)),
    ("huber", (np.array([0.5, -2.0]), NAN)),  # every comparison false: the linear arm
    # x ** 2 * scale overflows to inf in the arm not taken
    ("overflowing_arm", (np.array([1e200, -1e300, 3.0, 1e149]), 0.5)),
    ("overflowing_arm", (np.array([INF, 2.0]), 0.5)),
    ("leaky", (np.array([INF, -INF, 0.0, -0.0, 2.0, NAN]), 1.5)),
    ("leaky", (np.array([1e308, -1e308, 3.0]), 1e10)),  # one arm overflows, the other not
    ("clipped", (INF, 0.9, 1.7)),
    ("clipped", (-INF, 0.9, 1.7)),
    ("clipped", (0.9, 0.9, 1.7)),  # the tie: x < low false
    ("clipped", (-1e200, 0.9, 1.7)),  # the quadratic arm taken, inf; x * high finite
    ("clipped", (1e200, 0.9, 1.7)),  # (x - low) ** 2 would be inf, not taken
    ("clipped", (NAN, 0.9, 1.7)),
    ("reciprocal_guarded", (np.array([0.0, -0.0, 2.0, INF, -4.0]),)),
    ("root_guarded", (np.array([0.0, -1.0, 4.0, INF]),)),
    ("log_guarded", (0.0, 2.0)),
    ("log_guarded", (-0.0, INF)),
]


def _canonical(values) -> list:
    """_bits with every nan alike: C and NumPy's scalars may give a nan another sign."""
    nan = _bits(NAN)[0]
    return [nan if (b >> 52) & 0x7FF == 0x7FF and b & ((1 << 52) - 1) else b for b in _bits(values)]


def _gradients(module, name, args):
    value, gradient = getattr(module, "value_and_grad_" + name)(*args)
    return value, gradient if isinstance(gradient, tuple) else (gradient,)


@pytest.mark.parametrize("name, args", SPECIAL)
def test_special_values_match_the_branchy_code_bit_for_bit(compiled, pure, name, args):
    original = getattr(original_module(PATH), name)
    with np.errstate(all="ignore"):
        value, gradient = _gradients(compiled, name, args)
        pure_value, pure_gradient = _gradients(pure, name, args)
        assert _canonical(value) == _canonical(original(*args)), "value against the original Python"
        assert _bits(getattr(compiled, name)(*args)) == _bits(value), "compiled primal against value_and_grad"
    assert _canonical(value) == _canonical(pure_value)
    assert _canonical(gradient) == _canonical(pure_gradient), f"{gradient} != {pure_gradient}"


# the eager engine differentiates only the branch Python took: where its gradient is finite, the
# arm not taken must not have put a nan (0 * inf) or an inf into the compiled one
NOT_TAKEN_ARMS = [
    ("huber", (np.array([INF, -INF, 0.5, -3.0]), 1.0)),
    ("overflowing_arm", (np.array([1e200, -1e300, 3.0]), 0.5)),
    ("leaky", (np.array([1e308, -1e308, 3.0]), 1e10)),
    ("clipped", (1e200, 0.9, 1.7)),
    ("reciprocal_guarded", (np.array([0.0, 2.0, -4.0]),)),
    ("root_guarded", (np.array([0.0, -1.0, 4.0]),)),
    ("log_guarded", (0.0, 2.0)),
]


@pytest.mark.parametrize("name, args", NOT_TAKEN_ARMS)
def test_the_arm_not_taken_leaks_nothing_into_the_gradient(compiled, name, args):
    original = getattr(original_module(PATH), name)
    positions = tuple(range(len(args)))
    with np.errstate(all="ignore"):
        _, eager = eager_value_and_gradient(original, args, positions)
        _, gradient = _gradients(compiled, name, args)
    eager = eager if len(positions) > 1 else (eager,)
    for ours, theirs in zip(gradient, eager):
        ours, theirs = np.atleast_1d(np.asarray(ours, float)), np.atleast_1d(np.asarray(theirs, float))
        finite = np.isfinite(theirs)
        assert np.isfinite(ours[finite]).all(), (ours, theirs)
        np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-12)


def _printer(pure: bool):
    from srcgrad.emit.printer import ExpressionPrinter
    kinds = {"x": ir.DOUBLE, "y": ir.DOUBLE, "i": ir.INT, "v": "array1"}

    def type_of(e):
        if isinstance(e, ir.Name):
            return kinds.get(e.id)
        if isinstance(e, ir.IfExp):
            return ir.INT if type_of(e.body) == ir.INT else ir.DOUBLE
        return ir.INT if isinstance(e, ir.Compare) else ir.DOUBLE

    return ExpressionPrinter(pure, type_of)


def test_the_printer_selects_only_cheap_arms_that_cannot_fail():
    x, y, element = ir.Name("x"), ir.Name("y"), ir.Index("v", (ir.Name("i"),))
    test = ir.Compare("<=", x, y)
    cheap = ir.IfExp(test, ir.BinOp("*", ir.Const(0.5), ir.BinOp("*", element, element)), ir.BinOp("-", x, y))
    assert _printer(False)(cheap) == "_scalar.select(x <= y, 0.5 * (v[i] * v[i]), x - y)"
    assert _printer(True)(cheap) == "0.5 * (v[i] * v[i]) if x <= y else x - y"  # --pure: Python's conditional
    assert _printer(False)(ir.IfExp(test, x, ir.Const(0.0))) == "_scalar.select(x <= y, x, 0.0)"
    divided = ir.IfExp(test, ir.BinOp("/", ir.Const(1.0), x), y)
    assert _printer(False)(divided) == "1.0 / x if x <= y else y"
    rooted = ir.IfExp(test, ir.Call("sqrt", (x,)), y)
    assert _printer(False)(rooted).endswith(" if x <= y else y")
    long_arm = x
    for _ in range(9):
        long_arm = ir.BinOp("*", long_arm, y)
    assert " if x <= y else " in _printer(False)(ir.IfExp(test, long_arm, y))
    integers = ir.IfExp(test, ir.Name("i"), ir.Const(0))
    assert _printer(False)(integers) == "i if x <= y else 0"
