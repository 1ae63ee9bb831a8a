# Scalar helpers that generated code calls where C and Python disagree (floor division and
# remainder of negative numbers, max/min tie rules, sign of NaN) or where C has no function.
# All inline and free of Python, so loop bodies stay pure C. runtime/pyscalar.py is
# the same set for the pure-Python output.

cimport cython
from libc.math cimport exp, fabs, floor, ceil, fmod, isnan, log, log1p, rint, M_LN2, M_PI, NAN
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
