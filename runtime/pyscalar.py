"""The scalar helpers of scalar.pxd for the pure-Python output (same names, same results)."""

import math


def select(take_first, first, second):
    """The compiled runtime's branch-free select; --pure output prints a conditional instead."""
    return first if take_first else second


def sign(x):
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return float(x) if x != x else 0.0  # nan stays nan; -0.0 gives 0.0, as NumPy and scalar.pxd's sign


def maximum(a, b):
    return b if b > a else a


def minimum(a, b):
    return b if b < a else a


imax, imin, iabs = maximum, minimum, abs


def square(x):
    return x * x


def reciprocal(x):
    if x == 0.0:  # as C: +-inf (Python's 1.0 / 0.0 raises)
        return math.copysign(math.inf, x)
    return 1.0 / x


def deg2rad(x):
    return x * (math.pi / 180.0)


def rad2deg(x):
    return x * (180.0 / math.pi)


def logaddexp(a, b):
    if a == b:  # NumPy's a + log(2), also at +-inf, where a - b is nan
        return a + math.log(2.0)
    top = a if a > b else b
    return top + math.log1p(math.exp(-abs(a - b)))


def _rounded(x, to_integer):
    """C's rounding functions: a float, inf and nan as given, and a zero result keeps x's sign
    (ceil(-0.3) is -0.0 in C, where Python's math.ceil gives the integer 0)."""
    if not math.isfinite(x):
        return float(x)
    r = float(to_integer(x))
    return math.copysign(0.0, x) if r == 0.0 else r


def floor(x):
    return _rounded(x, math.floor)


def ceil(x):
    return _rounded(x, math.ceil)


def trunc(x):
    return _rounded(x, math.trunc)


def rint(x):
    return _rounded(x, round)  # Python's round is C's rint: halves go to the even neighbour


def exp2(x):
    return 2.0 ** x


def cbrt(x):
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


def fmax(a, b):
    return b if (b > a or math.isnan(a)) else a


def fmin(a, b):
    return b if (b < a or math.isnan(a)) else a


def ifloor(x):
    return math.floor(x)


def iceil(x):
    return math.ceil(x)


def itrunc(x):
    return math.trunc(x)


def round_half_even(x):
    return round(x)


def range_length(start, stop, step):
    return len(range(start, stop, step))


def factorial(n):
    """math.factorial of an integer, as a float (scalar.pxd's); Python's errors for others."""
    return float(math.factorial(_integer(n)))


def comb(n, k):
    return float(math.comb(_integer(n), _integer(k)))


def perm(n, k):
    return float(math.perm(_integer(n), _integer(k)))


def _integer(n):
    return int(n) if isinstance(n, float) and n.is_integer() else n


# digamma (the derivative of lgamma) and trigamma (digamma's), which neither C's libm nor Python's
# math has; scalar.pxd's are the same algorithm. x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up
# to x >= 10, then the asymptotic series (its next terms are below 1e-17 relative there); within
# 0.25 of digamma's positive root, where that sum of terms near 1 cancels to nearly 0, the Taylor
# series about the root, psi(x0 + h) = sum_k (-1)^(k+1) zeta(k + 1, x0) h^k (coefficients computed
# to 50 digits). x < 0: the reflection formulas, with tan and sin of pi times x reduced exactly to
# [-1/2, 1/2] (beside digamma's negative roots its relative accuracy is lost, the absolute kept).
# The poles 0, -1, -2, ...: nan for digamma (-inf on one side, +inf on the other), inf for trigamma.
_ROOT_HIGH, _ROOT_LOW = 1.4616321449683622, 9.549995429965697e-17  # digamma(x0) = 0, x0 = high + low
_ROOT_SERIES = (  # (-1)^(k+1) zeta(k + 1, x0), k = 24 down to 1 (Horner's order)
    -7.569179582195066e-05, 0.0001106337276874741, -0.00016170622091974803, 0.00023635601564027053,
    -0.0003454680251063077, 0.000504953265834602, -0.0007380709389960052, 0.0010788252019162967,
    -0.0015769367714301972, 0.002305126326734928, -0.003369801655439328, 0.004926781395729853,
    -0.007204534386356869, 0.010538791616612175, -0.01542476590494896, 0.022597648232218104,
    -0.03316112647484736, 0.04880428816414311, -0.07219956125645471, 0.10782405069126237,
    -0.16394270544240652, 0.258499760955651, -0.4427631689835921, 0.9676722454476212)
_ASYMPTOTIC_FROM = 10.0


def _reduced(x):
    """x minus the nearest integer, exactly (x - floor(x) is not: -1e-9 + 1 rounds)."""
    return x - round(x)


def _pi_cot_pi(x):
    """pi cot(pi x) of a non-integer x, accurate near the half-integers too, where it is near 0:
    there it is pi tan(pi (1/2 - |r|)), r = x minus the nearest integer, 1/2 - |r| exact."""
    r = _reduced(x)
    if abs(r) > 0.25:
        return math.copysign(math.pi * math.tan(math.pi * (0.5 - abs(r))), r)
    return math.pi / math.tan(math.pi * r)


def digamma(x):
    shift = reflected = 0.0
    if x <= 0.0:
        if x == -math.inf or x == math.floor(x):  # a pole, or -inf, which C's floor leaves as it is
            return math.nan
        reflected = _pi_cot_pi(x)
        x = 1.0 - x
    h = (x - _ROOT_HIGH) - _ROOT_LOW
    if abs(h) < 0.25:
        total = 0.0
        for c in _ROOT_SERIES:
            total = total * h + c
        return total * h - reflected
    while x < _ASYMPTOTIC_FROM:
        shift += 1.0 / x
        x += 1.0
    z = 1.0 / (x * x)  # sum of B_2k / (2k x^2k), k = 1..8
    tail = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (
        1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12 - z * (3617.0 / 8160))))))))
    return math.log(x) - 0.5 / x - tail - shift - reflected


def trigamma(x):
    shift = reflected = 0.0
    sign = 1.0
    if x <= 0.0:
        if x == -math.inf or x == math.floor(x):  # a pole, or -inf, which C's floor leaves as it is
            return math.inf
        s = math.pi / math.sin(math.pi * _reduced(x))  # squared after the division: s * s underflows from 1e-162
        reflected, sign = s * s, -1.0
        x = 1.0 - x
    while x < _ASYMPTOTIC_FROM:
        shift += 1.0 / x / x  # not 1 / (x * x), which is 1 / 0 from x = 1e-162
        x += 1.0
    t = 1.0 / x
    z = t * t  # 1/x + 1/(2x^2) + sum of B_2k / x^(2k+1), k = 1..9
    tail = 1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (
        691.0 / 2730 - z * (7.0 / 6 - z * (3617.0 / 510 - z * (43867.0 / 798))))))))
    return reflected + sign * (t * (1.0 + t * (0.5 + t * tail)) + shift)
