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
