# Scalar helpers that generated code calls where C and Python disagree (floor division and
# remainder of negative numbers, max/min tie rules, sign of NaN) or where C has no function.
# All inline and free of Python, so loop bodies stay pure C. runtime/pyscalar.py is
# the same set for the pure-Python output.

cimport cython
from libc.math cimport exp, fabs, floor, ceil, fmod, isnan, log, log1p, rint, sin, tan, copysign, M_LN2, M_PI, NAN, INFINITY
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

cdef inline double sign(double x) noexcept nogil:
    # branch-free for numbers (a data-dependent branch here costs more than the derivative);
    # NaN stays NaN
    if x != x:
        return x
    return <double>(x > 0) - <double>(x < 0)

cdef inline double select(bint take_first, double first, double second) noexcept nogil:
    # `first if take_first else second`, both arms already evaluated, chosen by a bit mask: no
    # data-dependent branch to mispredict, and exactly the chosen arm's bits (NaN, -0.0, inf).
    # A C conditional lets the compiler move each arm's arithmetic back under a branch, which
    # it does unless told floating-point operations cannot trap (-ffast-math).
    cdef uint64_t chosen, other, mask = 0 - <uint64_t>(take_first != 0)
    memcpy(&chosen, &first, sizeof(double))
    memcpy(&other, &second, sizeof(double))
    chosen = (chosen & mask) | (other & ~mask)
    memcpy(&first, &chosen, sizeof(double))
    return first

cdef inline double maximum(double a, double b) noexcept nogil:
    return b if b > a else a  # Python's max(a, b): the first of equal values

cdef inline double minimum(double a, double b) noexcept nogil:
    return b if b < a else a

cdef inline Py_ssize_t iabs(Py_ssize_t a) noexcept nogil:
    return -a if a < 0 else a

cdef inline Py_ssize_t imax(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return b if b > a else a

cdef inline Py_ssize_t imin(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return b if b < a else a

cdef inline double square(double x) noexcept nogil:
    return x * x

cdef inline double cube(double x) noexcept nogil:
    return x * x * x

cdef inline double reciprocal(double x) noexcept nogil:
    return 1.0 / x

cdef inline double deg2rad(double x) noexcept nogil:
    return x * (M_PI / 180.0)

cdef inline double rad2deg(double x) noexcept nogil:
    return x * (180.0 / M_PI)

cdef inline double logaddexp(double a, double b) noexcept nogil:
    if a == b:  # NumPy's a + log(2), also at +-inf, where a - b is nan
        return a + M_LN2
    cdef double top = a if a > b else b
    return top + log1p(exp(-fabs(a - b)))

cdef inline double mod(double a, double b) noexcept nogil:
    """Python's a % b: the result takes the sign of b."""
    cdef double m = fmod(a, b)
    if m != 0 and ((b < 0) != (m < 0)):
        m += b
    return m

cdef inline double floordiv(double a, double b) noexcept nogil:
    """Python's a // b on floats."""
    cdef double m = fmod(a, b)
    cdef double q = (a - m) / b
    cdef double f
    if m != 0 and ((b < 0) != (m < 0)):
        q -= 1.0
    f = floor(q)
    if q - f > 0.5:
        f += 1.0
    return f

@cython.cdivision(True)  # C's truncating division; the Python rounding is done here
cdef inline Py_ssize_t mod_int(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t m
    if b == 0:
        return 0  # Python raises ZeroDivisionError; compiled code must not crash
    m = a % b
    if m != 0 and ((b < 0) != (m < 0)):
        m += b
    return m

@cython.cdivision(True)  # C's truncating division; the Python rounding is done here
cdef inline Py_ssize_t floordiv_int(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t q
    if b == 0:
        return 0
    q = a // b
    if (a % b != 0) and ((a < 0) != (b < 0)):
        q -= 1
    return q

cdef inline Py_ssize_t ifloor(double x) noexcept nogil:
    return <Py_ssize_t> floor(x)

cdef inline Py_ssize_t iceil(double x) noexcept nogil:
    return <Py_ssize_t> ceil(x)

cdef inline Py_ssize_t itrunc(double x) noexcept nogil:
    return <Py_ssize_t> x

cdef inline Py_ssize_t round_half_even(double x) noexcept nogil:
    return <Py_ssize_t> rint(x)

@cython.cdivision(True)  # C's truncating division; the Python rounding is done here
cdef inline Py_ssize_t range_length(Py_ssize_t start, Py_ssize_t stop, Py_ssize_t step) noexcept nogil:
    if step > 0 and start < stop:
        return (stop - start - 1) // step + 1
    if step < 0 and start > stop:
        return (start - stop - 1) // (-step) + 1
    return 0

# math.factorial(n), math.comb(n, k), math.perm(n, k) of integers, as the doubles Python's integers
# convert to where code divides or multiplies by them: exact while they fit in 53 bits (n <= 22 for
# factorial); Python raises for a negative argument, where these give nan
cdef inline double factorial(double n) noexcept nogil:
    cdef double result = 1.0
    cdef double k = 2.0
    if n < 0 or n != floor(n):
        return NAN
    while k <= n:
        result *= k
        k += 1.0
    return result

cdef inline double comb(double n, double k) noexcept nogil:
    cdef double result = 1.0
    cdef double i = 0.0
    if n < 0 or k < 0 or n != floor(n) or k != floor(k):
        return NAN
    if k > n:
        return 0.0
    if k > n - k:
        k = n - k
    while i < k:
        result = result * (n - i) / (i + 1.0)  # C(n, i + 1), an integer at every step
        i += 1.0
    return result

cdef inline double perm(double n, double k) noexcept nogil:
    cdef double result = 1.0
    cdef double i = 0.0
    if n < 0 or k < 0 or n != floor(n) or k != floor(k):
        return NAN
    if k > n:
        return 0.0
    while i < k:
        result *= n - i
        i += 1.0
    return result


# digamma (the derivative of lgamma) and trigamma (digamma's), which C's libm lacks: the algorithm
# and constants of runtime/pyscalar.py's (read its comment), which the tests hold to 1e-13 relative
cdef inline double _digamma_root_series(double h) noexcept nogil:
    # pyscalar.py's _ROOT_SERIES by Horner's rule: (-1)^(k+1) zeta(k + 1, x0), k = 24 down to 1
    cdef double t = -7.569179582195066e-05
    t = t * h + 0.0001106337276874741
    t = t * h - 0.00016170622091974803
    t = t * h + 0.00023635601564027053
    t = t * h - 0.0003454680251063077
    t = t * h + 0.000504953265834602
    t = t * h - 0.0007380709389960052
    t = t * h + 0.0010788252019162967
    t = t * h - 0.0015769367714301972
    t = t * h + 0.002305126326734928
    t = t * h - 0.003369801655439328
    t = t * h + 0.004926781395729853
    t = t * h - 0.007204534386356869
    t = t * h + 0.010538791616612175
    t = t * h - 0.01542476590494896
    t = t * h + 0.022597648232218104
    t = t * h - 0.03316112647484736
    t = t * h + 0.04880428816414311
    t = t * h - 0.07219956125645471
    t = t * h + 0.10782405069126237
    t = t * h - 0.16394270544240652
    t = t * h + 0.258499760955651
    t = t * h - 0.4427631689835921
    t = t * h + 0.9676722454476212
    return t * h

cdef inline double _reduced(double x) noexcept nogil:
    # x minus the nearest integer, exactly (halves to even, as Python's round)
    return x - rint(x)

@cython.cdivision(True)  # C's division (inf), without Cython's check for a zero divisor
cdef inline double _pi_cot_pi(double x) noexcept nogil:
    # pi cot(pi x) of a non-integer x, accurate near the half-integers too (pyscalar.py's)
    cdef double r = _reduced(x)
    if fabs(r) > 0.25:
        return copysign(M_PI * tan(M_PI * (0.5 - fabs(r))), r)
    return M_PI / tan(M_PI * r)

@cython.cdivision(True)  # C's division (inf), without Cython's check for a zero divisor
cdef inline double digamma(double x) noexcept nogil:
    cdef double h, z, tail, shift = 0.0, reflected = 0.0
    if x <= 0.0:
        if x == floor(x):
            return NAN
        reflected = _pi_cot_pi(x)
        x = 1.0 - x
    h = (x - 1.4616321449683622) - 9.549995429965697e-17  # x minus the root, high + low parts
    if fabs(h) < 0.25:
        return _digamma_root_series(h) - reflected
    while x < 10.0:
        shift += 1.0 / x
        x += 1.0
    z = 1.0 / (x * x)
    tail = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (
        1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12 - z * (3617.0 / 8160))))))))
    return log(x) - 0.5 / x - tail - shift - reflected

@cython.cdivision(True)  # C's division (inf), without Cython's check for a zero divisor
cdef inline double trigamma(double x) noexcept nogil:
    cdef double s, t, z, tail, shift = 0.0, reflected = 0.0, sign = 1.0
    if x <= 0.0:
        if x == floor(x):
            return INFINITY
        s = M_PI / sin(M_PI * _reduced(x))  # squared after the division: s * s underflows from 1e-162
        reflected = s * s
        sign = -1.0
        x = 1.0 - x
    while x < 10.0:
        shift += 1.0 / x / x
        x += 1.0
    t = 1.0 / x
    z = t * t
    tail = 1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (
        691.0 / 2730 - z * (7.0 / 6 - z * (3617.0 / 510 - z * (43867.0 / 798))))))))
    return reflected + sign * (t * (1.0 + t * (0.5 + t * tail)) + shift)
