"""An infinite partial times a zero cotangent or tangent contributes exactly 0 (issue 10).

sqrt and cbrt at 0, asin/acos at +-1, acosh at 1, x ** p (0 < p < 1) at 0, hypot and atan2 at
(0, 0) have an infinite (or nan) partial derivative where they themselves are finite. On a path
that is cut off (a zero-trip loop, a factor 0.0) the incoming derivative is 0 and so must be the
contribution: compiled code gave 0 * inf = nan and --pure raised ZeroDivisionError.

Each function below reaches its singular point at x = 1.0 through u = (x - 1) ** 2 (so the
function stays defined on both sides and central differences apply there), with n = 0 cutting
the path off. Gradients, jvp and hvp are checked against central differences (of the function,
or of grad_ for hvp), against the eager engine, and compiled against --pure.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fuzzing
from support import central_differences

SOURCE = """\
import math
import numpy as np


def cut_off_sqrt(x, n: int):
    r = math.sqrt((x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_guarded_sqrt(x, n: int):
    u = 1.0 - x
    if u >= 0.0:
        r = math.sqrt(u)
    else:
        r = math.sqrt(-u)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_asin(x, n: int):
    r = math.asin(1.0 - (x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_acos(x, n: int):
    r = math.acos((x - 1.0) ** 2 - 1.0)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_acosh(x, n: int):
    r = math.acosh(1.0 + (x - 1.0) ** 2)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_power(x, n: int):
    r = ((x - 1.0) ** 2) ** 0.3
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_varying_power(x, n: int):
    r = ((x - 1.0) ** 2) ** (0.5 * x)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def cut_off_hypot(x, n: int):
    u = (x - 1.0) ** 2
    r = math.hypot(u, u)
    y = x
    for i in range(n):
        y = y + r
    return y * x


def zero_factor(x, c):
    return x * x + c * math.sqrt((x - 1.0) ** 2)


def array_sqrt(x: np.ndarray, c):
    r = np.sqrt((x - 1.0) ** 2)
    return np.sum(x * x + c * r)
"""

CUT_OFF = ["cut_off_sqrt", "cut_off_guarded_sqrt", "cut_off_asin", "cut_off_acos", "cut_off_acosh",
           "cut_off_power", "cut_off_varying_power", "cut_off_hypot"]

_BUILT = {}


def built(kind: str):
    if kind not in _BUILT:
        if kind == "pure":
            generated, module = fuzzing.pure_build(SOURCE, "infinite_partials.py")
        else:
            generated, module = fuzzing.compiled_build(SOURCE, "infinite_partials.py")
        assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
        _BUILT[kind] = module
    return _BUILT[kind]


def eager_gradient(name, args, positions):
    from srcgrad.eager import value_and_grad_of

    with np.errstate(all="ignore"):
        _, gradient = value_and_grad_of(fuzzing.run_source(SOURCE, name, eager=True), args, positions)
    return [np.asarray(g, dtype=float) for g in gradient]


def eager_hvp(name, args, positions, v):
    from srcgrad.eager import hvp_of

    with np.errstate(all="ignore"):
        return np.asarray(hvp_of(fuzzing.run_source(SOURCE, name, eager=True), args, positions, v), dtype=float)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name", CUT_OFF)
def test_cut_off_path_at_the_singular_point(kind, name):
    module, original = built(kind), fuzzing.run_source(SOURCE, name)
    args = (1.0, 0)
    expected = central_differences(lambda x: original(x, 0), (1.0,), [0])[0]
    assert math.isclose(expected, 2.0, rel_tol=1e-6)  # y * x = x * x
    gradient = getattr(module, "grad_" + name)(*args)
    assert math.isclose(gradient, expected, rel_tol=1e-6)
    assert math.isclose(gradient, float(eager_gradient(name, args, [0])[0]), rel_tol=1e-12)
    # forward mode: d_u = 2 (x - 1) d_x = 0 meets the infinite partial too
    assert math.isclose(getattr(module, "jvp_" + name)(*args, 0.5), 0.5 * expected, rel_tol=1e-6)
    # hvp: differences of grad_ along v = 0.75, and the eager engine's
    h = 1e-5
    grad = getattr(module, "grad_" + name)
    second = (grad(1.0 + h * 0.75, 0) - grad(1.0 - h * 0.75, 0)) / (2 * h)
    hvp = getattr(module, "hvp_" + name)(*args, 0.75)
    assert math.isclose(hvp, second, rel_tol=1e-6) and math.isclose(hvp, 1.5, rel_tol=1e-12)
    assert math.isclose(hvp, float(eager_hvp(name, args, [0], [0.75])[0]), rel_tol=1e-12)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name", CUT_OFF)
def test_path_taken_away_from_the_singular_point(kind, name):
    """Where the path is taken (n = 2) and the function smooth (x = 0.6), nothing changed."""
    module, original = built(kind), fuzzing.run_source(SOURCE, name)
    args = (0.6, 2)
    expected = central_differences(lambda x: original(x, 2), (0.6,), [0])[0]
    gradient = getattr(module, "grad_" + name)(*args)
    assert math.isclose(gradient, expected, rel_tol=1e-6)
    assert math.isclose(gradient, float(eager_gradient(name, args, [0])[0]), rel_tol=1e-12)
    assert math.isclose(getattr(module, "jvp_" + name)(*args, 0.5), 0.5 * gradient, rel_tol=1e-12)
    h = 1e-5
    grad = getattr(module, "grad_" + name)
    second = (grad(0.6 + h, 2) - grad(0.6 - h, 2)) / (2 * h)
    assert math.isclose(getattr(module, "hvp_" + name)(*args, 1.0), second, rel_tol=1e-5)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_zero_factor_at_the_singular_point(kind):
    """x * x + c * sqrt((x - 1) ** 2) at c = 0, x = 1: the cotangent of the sqrt is c = 0."""
    module, original = built(kind), fuzzing.run_source(SOURCE, "zero_factor")
    args = (1.0, 0.0)
    expected = central_differences(original, args, [0, 1])
    assert math.isclose(expected[0], 2.0, rel_tol=1e-6) and abs(expected[1]) < 1e-9
    gradient = module.grad_zero_factor(*args)
    assert math.isclose(gradient[0], expected[0], rel_tol=1e-6) and gradient[1] == 0.0
    engine = eager_gradient("zero_factor", args, [0, 1])
    assert math.isclose(gradient[0], float(engine[0]), rel_tol=1e-12) and float(engine[1]) == 0.0
    assert math.isclose(module.jvp_zero_factor(*args, (0.5, 0.0)), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_whole_array_sqrt_at_a_zero_element(kind):
    """np.sqrt of an array with a 0 element, times c = 0: np.where, not 0 * inf."""
    module, original = built(kind), fuzzing.run_source(SOURCE, "array_sqrt")
    x = np.array([1.0, 0.5, 2.0])
    expected = central_differences(original, (x.copy(), 0.0), [0, 1])
    np.testing.assert_allclose(expected[0], 2 * x, rtol=1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        gradient = module.grad_array_sqrt(x.copy(), 0.0)
        engine = eager_gradient("array_sqrt", (x.copy(), 0.0), [0, 1])
        np.testing.assert_allclose(gradient[0], expected[0], rtol=1e-6)
        assert math.isclose(gradient[1], expected[1], rel_tol=1e-6)
        np.testing.assert_allclose(gradient[0], engine[0], rtol=1e-12)
        assert math.isclose(gradient[1], float(engine[1]), rel_tol=1e-12)
        v = np.array([0.75, -0.5, 1.0])
        assert math.isclose(module.jvp_array_sqrt(x.copy(), 0.0, (v, 0.0)), float(np.dot(gradient[0], v)), rel_tol=1e-12)


# ------------------------------------------------------------------------------------------------
# Defaults and keywords (issue 10.8), found by the fuzzer's defaults_and_keywords flag

KEYWORDS = """\
import math
import numpy as np

A0 = np.array([0.5, -1.0, 1.5])


def scaled(x, scale=2.0, *, k: int = 3, w=0.5):
    return x * scale * k + w * x * x


def caller(x, y=1.5, *, z, c=0.25):
    return scaled(x, y, w=z) + scaled(x, k=2) * c + scaled(c, scale=y)


def leaves_out_every_default(x):
    return scaled(x) * x


def keyword_only_without_default(x, *, z):
    return math.sin(x) * z * scaled(x, w=z)


def takes_a_sum(x0: float, y):
    return x0 * y * y


def passes_a_sum(x):
    return takes_a_sum(np.sum(A0), x)


def falls_back(x, y=0.5, *, z=2.0):
    table = {"a": x}
    return table["a"] * y * z + scaled(x, w=y)
"""


def keyword_module(kind: str):
    key = "keywords-" + kind
    if key not in _BUILT:
        build = fuzzing.pure_build if kind == "pure" else fuzzing.compiled_build
        generated, module = build(KEYWORDS, "keyword_calls.py")
        messages = [d.format() for d in generated.diagnostics]
        assert len(messages) == 1 and "falls_back: a dict" in messages[0], messages
        _BUILT[key] = module
    return _BUILT[key]


def _by_keyword(function, positional_count: int, names: tuple):
    return lambda *args: function(*args[:positional_count], **dict(zip(names, args[positional_count:])))


@pytest.mark.parametrize("kind", ["pure", "compiled"])
@pytest.mark.parametrize("name, args, keyword_only", [
    ("caller", (0.7, 1.5, 0.3, 0.25), ("z", "c")),
    ("leaves_out_every_default", (0.7,), ()),
    ("keyword_only_without_default", (0.7, 0.3), ("z",)),
    ("passes_a_sum", (0.7,), ()),
    ("falls_back", (0.7, 0.5, 2.0), ("z",)),
])
def test_call_leaving_out_a_default(kind, name, args, keyword_only):
    """Calls between module functions with keywords and left-out defaults compile (scaled(x) was
    compiled as a call with one argument, which Cython refused, and keywords fell back); a
    keyword-only parameter without a default after defaulted ones gave generated wrappers Python
    refuses ('non-default argument follows default argument'); falls_back's derivatives took no
    keywords; np.sum(A0) passed to a number parameter was taken for a whole array. Each checked
    against central differences, the eager engine, and every derivative with the defaults left
    out (fuzzing.check_defaults)."""
    module = keyword_module(kind)
    positions = list(range(len(args)))
    fuzzing.check_source(KEYWORDS, name, args, positions, module, name, what=kind, keyword_only=keyword_only)
    fuzzing.check_defaults(KEYWORDS, name, args, positions, module, name, keyword_only, what=kind)
    count = len(args) - len(keyword_only)
    original = _by_keyword(fuzzing.run_source(KEYWORDS, name), count, keyword_only)
    expected = central_differences(original, args, positions)
    gradient = _by_keyword(getattr(module, "grad_" + name), count, keyword_only)(*args)
    np.testing.assert_allclose(np.ravel(gradient), np.ravel(expected), rtol=1e-6)


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_keywords_reach_every_derivative(kind):
    """caller(x, z=...) with y and c left out: grad_, vjp_ (dout positional or by keyword), jvp_,
    hvp_ and hessian_ take the keyword and the defaults, as the primal does."""
    module = keyword_module(kind)
    full = (0.7, 1.5, 0.3, 0.25)
    gradient = module.grad_caller(0.7, z=0.3)
    np.testing.assert_array_equal(gradient, module.grad_caller(*full[:2], z=0.3, c=0.25))
    np.testing.assert_array_equal(module.vjp_caller(0.7, 2.0, z=0.3), module.vjp_caller(0.7, dout=2.0, z=0.3))
    np.testing.assert_allclose(module.vjp_caller(0.7, 2.0, z=0.3), 2.0 * np.asarray(gradient), rtol=1e-14)
    direction = (1.0, -0.5, 0.25, 2.0)
    assert math.isclose(module.jvp_caller(0.7, direction, z=0.3), float(np.dot(gradient, direction)), rel_tol=1e-12)
    hessian = np.array(module.hessian_caller(0.7, z=0.3))
    np.testing.assert_allclose(module.hvp_caller(0.7, direction, z=0.3), hessian @ np.array(direction), rtol=1e-12)
    h = 1e-5
    grad = lambda x: np.array(module.grad_caller(x, z=0.3))  # noqa: E731
    np.testing.assert_allclose(hessian[0], (grad(0.7 + h) - grad(0.7 - h)) / (2 * h), rtol=1e-6, atol=1e-9)


FALLBACK_SQRT_AT_ZERO = """\
import math

import numpy as np


def fn0(x0, n: int):
    r1 = math.sqrt((x0 - 0.5)) if (x0 - 0.5) >= 0.0 else math.sqrt(-(x0 - 0.5))
    table = {"n": n}  # a dict: the function falls back to the eager tape
    return r1 + 0.5 * table["n"]
"""


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_eager_jvp_is_linear_in_its_seed(kind):
    """A fallback's jvp_ is the derivative of a VJP with respect to its cotangent; seeded with 0,
    the guard of an infinite partial (used only where the cotangent is nonzero) made it 0 (found
    by the fuzzer: jvp_ gave -0.0 where the gradient says -0.354). Checked by fuzzing.check_source:
    central differences, the eager gradient, jvp_ against the gradient."""
    build = fuzzing.pure_build if kind == "pure" else fuzzing.compiled_build
    generated, module = build(FALLBACK_SQRT_AT_ZERO, "fallback_sqrt_at_zero.py")
    assert any("uses the eager tape" in d.format() for d in generated.diagnostics)
    fuzzing.check_source(FALLBACK_SQRT_AT_ZERO, "fn0", (0.0, 0), [0], module, what=kind)
    gradient = module.grad_fn0(0.0, 0)
    assert math.isclose(gradient, -0.5 / math.sqrt(0.5), rel_tol=1e-12)
    assert math.isclose(module.jvp_fn0(0.0, 0, 0.5), 0.5 * gradient, rel_tol=1e-12)


SQRT_OF_ABS_AT_ITS_KINK = """\
import numpy as np


def f(x0):
    u = np.maximum(-1.0, x0)
    if not (u >= 0.0):
        r2 = np.sqrt(-u)
    else:
        r2 = np.sqrt(u)
    return np.reciprocal(r2 * r2 + 1.0)
"""


@pytest.mark.parametrize("kind", ["pure", "compiled"])
def test_infinite_tangent_times_a_zero_partial(kind):
    """Found by the fuzzer (600 programs, seed 27182): forward mode multiplied the infinite tangent
    of sqrt(u) at u = 0 (d_u != 0) by the next rule's zero partial (d(r * r)/dr at r = 0), so jvp_
    was 0 * inf = nan where reverse mode, whose guard takes a zero cotangent times the infinite
    partial as 0, gives 0 (f is 1 / (1 + |x|), with a kink at 0). A zero partial times a tangent
    that may be infinite is 0 now, as in reverse mode."""
    build = fuzzing.pure_build if kind == "pure" else fuzzing.compiled_build
    _, module = build(SQRT_OF_ABS_AT_ITS_KINK, "sqrt_of_abs_at_its_kink.py")
    fuzzing.check_source(SQRT_OF_ABS_AT_ITS_KINK, "f", (0.0,), [0], module, what=kind)
    assert module.grad_f(0.0) == 0.0 and module.jvp_f(0.0, 0.5) == 0.0
    # away from the kink, f = 1 / (1 + |x|): jvp_ = -sign(x) / (1 + |x|)^2 * t, unguarded values
    for x in (0.7, -0.4):
        expected = -math.copysign(1.0, x) / (1 + abs(x)) ** 2 * 0.5
        assert math.isclose(module.jvp_f(x, 0.5), expected, rel_tol=1e-12)
        assert math.isclose(module.grad_f(x) * 0.5, expected, rel_tol=1e-12)
