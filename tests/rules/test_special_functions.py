"""math.erf, math.erfc, math.lgamma and math.gamma compile and run on the eager engine (they fell
back, and then failed there: "math.erf is not supported on Tensors"). Each function of
tests/programs/special_functions.py, compiled and --pure, every mode against the original, central
differences and the eager engine; the eager engine's second order (digamma's own derivative); the
runtime's digamma and trigamma (C and Python) against closed forms and a 50-digit reference
computed here another way; erf's derivative far out (0, not nan); the poles of lgamma and gamma."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, assert_close, compiled_module, generated_module, original_module, pure_module
from srcgrad.eager import GradientTape, Variable, constant, hvp_of, mathlib
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.rules.special import SPECIAL
from srcgrad.runtime import pyscalar

PATH = str(PROGRAMS / "special_functions.py")
_RANDOM = np.random.default_rng(30)


def _r(*shape):
    return _RANDOM.normal(size=shape)


POINTS = {
    "normal_cdf": [((0.3,), (0.7,)), ((-2.5,), (1.0,)), ((6.0,), (-1.0,))],
    "black_scholes_call": [((100.0, 95.0, 0.5, 0.02, 0.25), (1.0, -0.5, 0.3, 0.1, 0.2)),
                           ((50.0, 60.0, 2.0, 0.05, 0.4), (-0.3, 1.0, 0.5, -0.2, 1.0))],
    "normal_log_cdf": [((-3.0,), (1.0,)), ((1.2,), (-0.5,)), ((-20.0,), (1.0,))],
    "probit_nll": [((_r(2), 0.1, _r(5, 2), np.array([1.0, 0.0, 1.0, 1.0, 0.0])),
                    (_r(2), 0.5, _r(5, 2), _r(5)))],
    "student_t_nll": [((4.5, 1.3, 0.2, _r(6)), (1.0, -0.5, 0.3, _r(6))),
                      ((0.8, 0.4, -1.0, 3.0 * _r(4)), (0.2, 1.0, -1.0, _r(4)))],
    "poisson_regression_nll": [((0.3, -0.5, _r(5), np.array([0.0, 1.0, 3.0, 2.0, 7.0])),
                                (1.0, 0.5, _r(5), _r(5)))],
    "gamma_nll": [((0.4, -0.2, np.array([0.5, 1.7, 2.2, 0.1, 4.0])), (1.0, -1.0, _r(5))),
                  ((-1.5, 0.7, np.array([0.02, 0.3])), (0.5, 0.5, _r(2)))],
    "weibull_mean_loss": [((2.0, 1.5, 1.7), (1.0, -0.5, 0.2)), ((0.7, 0.4, 3.0), (0.3, 0.1, 1.0))],
    "log_beta": [((2.5, 0.7), (1.0, -0.5)), ((0.3, 4.0), (-0.2, 1.0))],
    "reflected": [((-2.5,), (1.0,)), ((-0.3,), (-1.0,)), ((3.7,), (0.5,)), ((-5.6,), (1.0,))],
    "erf_tails": [((0.4,), (1.0,)), ((-1.3,), (2.0,))],
    "lgamma_sum": [((np.array([0.7, 1.46, 2.5, 11.0, -1.5]),), (_r(5),))],
}
test_special_functions_compile_and_agree = each_point(PATH, POINTS)


@pytest.mark.parametrize("name, k", [(name, k) for name in sorted(POINTS) for k in range(len(POINTS[name]))])
def test_eager_second_order_agrees_with_the_compiled_hvp(name, k):
    """The eager engine differentiates lgamma's rule (digamma, a recorded primitive) again: its
    Hessian-vector product against the compiled one, which calls C's trigamma."""
    args, direction = POINTS[name][k]
    positions = [p for p, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    original = mathlib.tensor_math(getattr(original_module(PATH), name))
    eager = hvp_of(original, args, positions, [np.asarray(d, dtype=float) for d in direction])
    compiled = getattr(compiled_module(PATH), "hvp_" + name)(*args, direction if len(positions) > 1 else direction[0])
    compiled = compiled if len(positions) > 1 else (compiled,)
    assert_close(tuple(eager), compiled, 1e-10, 1e-12, f"hvp_{name}: eager against compiled")


@pytest.mark.parametrize("name", ["digamma", "erf", "erfc", "gamma", "lgamma"])
def test_each_rule_on_tensors_of_a_shape(name):
    """Each rule of the table on a (2, 3) Tensor, as the eager engine runs it: the gradient of
    sum(w f(x)) against central differences of f, its derivative along v (a second derivative,
    through the rule's own partial) against central differences of the gradient. digamma's
    second derivative would be lgamma's third: the error naming the missing rule."""
    function, rng = SPECIAL[name], np.random.default_rng(len(name))
    x, w, v = rng.uniform(0.3, 2.7, (2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))

    def gradient(at):
        t = constant(at)
        with GradientTape() as tape:
            tape.watch(t)
            total = np.sum(function(t) * w)
        return tape.gradient(total, t).numpy()

    step = 1e-6
    assert_close(gradient(x), w * (function(x + step) - function(x - step)) / (2 * step), 1e-8, 1e-9, name)
    if name == "digamma":
        with pytest.raises(NotImplementedError, match="no derivative rule for trigamma"):
            hvp_of(lambda t: np.sum(function(t) * w), (x,), [0], [v])
        return
    second = hvp_of(lambda t: np.sum(function(t) * w), (x,), [0], [v])[0]
    assert_close(second, (gradient(x + step * v) - gradient(x - step * v)) / (2 * step), 1e-7, 1e-8, name)


# ---------------------------------------------------------------------------------------- kernels
# A reference of 50 digits computed another way: Decimal arithmetic, the recurrence up to x >= 60,
# the asymptotic series with exact Bernoulli numbers (Fractions), reflection with sin and cos from
# their Taylor series.

def _bernoulli(count: int) -> list:
    """B_0 .. B_count (B_1 = +1/2), by the Akiyama-Tanigawa algorithm."""
    row, numbers = [], []
    for m in range(count + 1):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        numbers.append(row[0])
    return numbers


_B = _bernoulli(30)
_PI = Decimal("3.14159265358979323846264338327950288419716939937510582")
_EULER_GAMMA = Decimal("0.57721566490153286060651209008240243104215933593992360")
_LN2 = Decimal("0.69314718055994530941723212145817656807550013436025525")


def _sin_cos(t: Decimal):
    """sin t and cos t by their Taylor series (|t| <= pi/2: 80 terms leave less than 1e-100)."""
    sums, term = [Decimal(0), Decimal(0)], Decimal(1)  # [cos, sin]
    for k in range(80):
        sums[k % 2] += term if k % 4 < 2 else -term
        term = term * t / (k + 1)
    return sums[1], sums[0]


def _reference(x, order: int) -> Decimal:
    """digamma (order 0) or trigamma (order 1) of x (a float or a Decimal), to some 45 digits."""
    with localcontext() as context:
        context.prec = 60
        d = Decimal(x)
        if d <= 0:  # psi(x) = psi(1 - x) - pi cot(pi x); psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x)
            s, c = _sin_cos(_PI * (d - d.to_integral_value()))
            other = _reference(1 - d, order)
            return +(other - _PI * c / s) if order == 0 else +(_PI * _PI / (s * s) - other)
        shift = Decimal(0)
        while d < 60:
            shift += 1 / d if order == 0 else 1 / (d * d)
            d += 1
        bernoulli = [Decimal(_B[2 * k].numerator) / _B[2 * k].denominator for k in range(15)]
        if order == 0:
            return +(d.ln() - 1 / (2 * d) - sum(bernoulli[k] / (2 * k * d ** (2 * k)) for k in range(1, 15)) - shift)
        return +(1 / d + 1 / (2 * d * d) + sum(bernoulli[k] / d ** (2 * k + 1) for k in range(1, 15)) + shift)


def _closed_forms():
    """(x, digamma(x), trigamma(x)) where both are known exactly: psi(n) = H_(n-1) - gamma,
    psi1(n) = pi^2/6 - sum_(k<n) 1/k^2, psi(n + 1/2) = -gamma - 2 ln 2 + sum_(k<=n) 2/(2k - 1),
    psi1(n + 1/2) = pi^2/2 - 4 sum_(k<=n) 1/(2k - 1)^2, and at 1/2 - n (reflection: pi cot = 0,
    pi^2 / sin^2 = pi^2) psi(1/2 - n) = psi(1/2 + n), psi1(1/2 - n) = pi^2 - psi1(1/2 + n)."""
    with localcontext() as context:
        context.prec = 60
        found = []
        for n in range(1, 25):
            harmonic = sum(Fraction(1, k) for k in range(1, n))
            squares = sum(Fraction(1, k * k) for k in range(1, n))
            found.append((float(n), _decimal(harmonic) - _EULER_GAMMA, _PI * _PI / 6 - _decimal(squares)))
            odd = sum(Fraction(2, 2 * k - 1) for k in range(1, n))
            odd_squares = sum(Fraction(4, (2 * k - 1) ** 2) for k in range(1, n))
            half = (-_EULER_GAMMA - 2 * _LN2 + _decimal(odd), _PI * _PI / 2 - _decimal(odd_squares))
            found.append((n - 0.5, *half))
            if n > 1:
                found.append((1.5 - n, half[0], _PI * _PI - half[1]))
        return found


def _decimal(q: Fraction) -> Decimal:
    return Decimal(q.numerator) / q.denominator


_KERNEL_POINTS = np.concatenate([
    [1e-300, 1e-7, 0.003, 0.5, 1.0, 1.2, 1.2116, 1.4616321449683622, 1.7117, 2.0, 3.7, 9.99, 10.0, 42.0, 1e4, 1e9,
     -1e-300, -1e-200, -1e-9, -0.5, -1.3, -2.999, -7.25, -1e6 - 0.5],
    10.0 ** np.random.default_rng(1).uniform(-6, 6, 60),  # positive, over 12 decades
    1.4616321449683622 + np.random.default_rng(2).uniform(-0.4, 0.4, 40),  # about digamma's positive root
    -np.random.default_rng(3).uniform(0.0, 30.0, 40)])


def _condition(x: float, order: int) -> float:
    """The size of the terms digamma (order 0) or trigamma (1) of x is a sum of: the reference's
    magnitude for x > 0; for x < 0 the reflection's two terms, whose difference beside a root of
    digamma is any number however small."""
    if x > 0:
        return abs(float(_reference(x, order)))
    other = _reference(1 - Decimal(x), order)  # the reflection's term: psi(1 - x) - psi(x), psi1(1 - x) + psi1(x)
    reflected = other - _reference(x, order) if order == 0 else other + _reference(x, order)
    return float(abs(other) + abs(reflected))


def _assert_kernel(values, order: int, what: str, relative: float = 1e-13) -> None:
    for x, v in zip(_KERNEL_POINTS, values):
        expected = float(_reference(float(x), order))  # inf where it overflows (trigamma(1e-300))
        error = 0.0 if v == expected else abs(float(v) - expected)
        assert error <= relative * _condition(float(x), order), f"{what}({x!r}) = {v!r}: error {error:.3g}"


def test_the_reference_is_exact_at_the_closed_forms():
    for x, digamma, trigamma in _closed_forms():
        for order, exact in ((0, digamma), (1, trigamma)):
            assert abs((_reference(x, order) - exact) / exact) < Decimal("1e-40"), (x, order)


def test_python_digamma_and_trigamma_at_the_closed_forms():
    """Within a few units in the last place of the sizes summed (8 or fewer: measured 6)."""
    for x, digamma, trigamma in _closed_forms():
        assert abs(pyscalar.digamma(x) - float(digamma)) <= 1e-15 * _condition(x, 0), x
        assert abs(pyscalar.trigamma(x) - float(trigamma)) <= 1e-15 * _condition(x, 1), x


def test_python_kernels_against_the_reference():
    _assert_kernel([pyscalar.digamma(float(x)) for x in _KERNEL_POINTS], 0, "digamma")
    _assert_kernel([pyscalar.trigamma(float(x)) for x in _KERNEL_POINTS], 1, "trigamma")


def test_compiled_kernels_against_the_reference_and_the_python_ones():
    """C's digamma as lgamma's derivative (the gradient of a sum of lgamma), trigamma as its
    second (the Hessian's diagonal, hvp_ along ones), from the compiled module."""
    module = compiled_module(PATH)
    digamma = module.grad_lgamma_sum(_KERNEL_POINTS)
    trigamma = module.hvp_lgamma_sum(_KERNEL_POINTS, np.ones_like(_KERNEL_POINTS))
    _assert_kernel(digamma, 0, "compiled digamma")
    _assert_kernel(trigamma, 1, "compiled trigamma")
    for x, d, t in zip(_KERNEL_POINTS, digamma, trigamma):  # the same algorithm: a rounding or two apart
        x = float(x)
        assert d == pyscalar.digamma(x) or abs(d - pyscalar.digamma(x)) <= 4e-16 * _condition(x, 0), x
        assert t == pyscalar.trigamma(x) or abs(t - pyscalar.trigamma(x)) <= 4e-16 * _condition(x, 1), x


def test_kernels_at_the_poles_and_infinities():
    points = [0.0, -0.0, -1.0, -17.0, -2.0 ** 60, math.inf]
    digamma, trigamma = [pyscalar.digamma(x) for x in points], [pyscalar.trigamma(x) for x in points]
    assert all(math.isnan(v) for v in digamma[:5]) and digamma[5] == math.inf
    assert all(v == math.inf for v in trigamma[:5]) and trigamma[5] == 0.0
    assert math.isnan(pyscalar.digamma(math.nan)) and math.isnan(pyscalar.trigamma(math.nan))
    assert math.isnan(pyscalar.digamma(-math.inf))
    # C's digamma as the gradient; the Hessian there is nan as well (0 d_b times digamma's nan or inf)
    module = compiled_module(PATH)
    gradient = module.grad_lgamma_sum(np.array(points))
    assert np.isnan(gradient[:5]).all() and gradient[5] == math.inf
    assert np.isnan(module.hvp_lgamma_sum(np.array(points), np.ones(6))).all()


# ------------------------------------------------------------------------------------------ corners

@pytest.mark.filterwarnings("ignore:overflow encountered in multiply:RuntimeWarning")  # the eager engine's x * x
@pytest.mark.parametrize("x", [30.0, 40.0, 1e10, 1e200, -30.0, -1e200])
def test_erf_derivative_far_out_is_zero_not_nan(build, x):
    """erf' = 2/sqrt(pi) exp(-x^2) underflows to 0 (x * x overflowing to inf too): the gradient of
    erf(x) + x erfc(x) there is erfc(x), 0 or 2, in every mode and engine."""
    module = build(PATH)
    expected = 2.0 / math.sqrt(math.pi) * math.exp(-x * x) * (1.0 - x) + math.erfc(x)
    assert module.grad_erf_tails(x) == expected == (0.0 if x > 0 else 2.0)
    assert module.jvp_erf_tails(x, 1.0) == expected
    assert module.hvp_erf_tails(x, 1.0) == 0.0
    assert eager_value_and_gradient(original_module(PATH).erf_tails, (x,), (0,))[1] == expected
    density = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)  # 1e-196 at 30, 0 from 39
    assert_close(module.grad_normal_cdf(x), density, 1e-12, 0.0, "grad_normal_cdf")  # exp(-450) amplifies roundings
    assert math.isfinite(module.hvp_normal_cdf(x, 1.0))


@pytest.mark.parametrize("x", [0.0, -1.0, -3.0])
def test_lgamma_and_gamma_at_their_poles(x):
    """Python's math raises at a pole, and so do the --pure build and the eager engine; the
    compiled build computes as C does (lgamma inf, gamma +-inf or nan) and its derivatives are nan
    (digamma has opposite infinite limits on either side): never a finite number."""
    with pytest.raises(ValueError, match="math domain error"):
        original_module(PATH).reflected(x)
    pure = pure_module(PATH)
    for call in (lambda: pure.reflected(x), lambda: pure.grad_reflected(x), lambda: pure.hvp_reflected(x, 1.0)):
        with pytest.raises(ValueError, match="math domain error"):
            call()
    with pytest.raises(ValueError, match="math domain error"):
        eager_value_and_gradient(original_module(PATH).reflected, (x,), (0,))
    compiled = compiled_module(PATH)
    assert not math.isfinite(compiled.reflected(x))
    for derivative in (compiled.grad_reflected(x), compiled.jvp_reflected(x, 1.0), compiled.hvp_reflected(x, 1.0)):
        assert math.isnan(derivative)


@pytest.mark.parametrize("x", [-1.0 + 1e-7, -2.0 - 1e-9, 1e-8])
def test_beside_a_pole_the_builds_and_the_eager_engine_agree(x):
    original = original_module(PATH).reflected
    gradient = eager_value_and_gradient(original, (x,), (0,))[1]
    second = hvp_of(mathlib.tensor_math(original), (x,), [0], [np.array(1.0)])[0]
    for module in (compiled_module(PATH), pure_module(PATH)):
        assert_close(module.grad_reflected(x), gradient, 1e-12, 0.0, "grad_reflected")
        assert_close(module.hvp_reflected(x, 1.0), second, 1e-12, 0.0, "hvp_reflected")


def test_third_derivative_on_nested_tapes_names_the_missing_rule():
    """Eager tapes differentiate lgamma and gamma twice (trigamma); a third time needs
    tetragamma, which no rule gives: an error naming it, not a wrong number."""
    for function, second in ((mathlib.lgamma, lambda x: pyscalar.trigamma(x)),
                             (mathlib.gamma, lambda x: math.gamma(x) * (pyscalar.digamma(x) ** 2 + pyscalar.trigamma(x)))):
        x = Variable(2.5)
        with GradientTape() as third:
            with GradientTape() as outer:
                with GradientTape() as inner:
                    y = function(x)
                first = inner.gradient(y, x)
            first_expected = pyscalar.digamma(2.5) * (math.gamma(2.5) if function is mathlib.gamma else 1.0)
            assert math.isclose(first.numpy(), first_expected, rel_tol=1e-14)
            second_derivative = outer.gradient(first, x)
        assert math.isclose(second_derivative.numpy(), second(2.5), rel_tol=1e-14)
        with pytest.raises(NotImplementedError, match="no derivative rule for trigamma"):
            third.gradient(second_derivative, x)


def test_generated_code_calls_libm_and_the_runtime_kernels():
    pure, compiled = generated_module(PATH, pure=True).text, generated_module(PATH).text
    for spelled in ("_math.erf(", "_math.erfc(", "_math.lgamma(", "_math.tgamma(", "_scalar.digamma(",
                    "_scalar.trigamma("):
        assert spelled in pure and spelled in compiled, spelled
    assert "from libc cimport math as _math" in compiled and "cimport scalar as _scalar" in compiled
