"""libc.math for the pure-Python output: the same names as the C functions the compiled output
uses, with C's results (floor and friends return floats), so both outputs read `_math.NAME(x)`."""

from math import (acos, acosh, asin, asinh, atan, atan2, atanh, copysign, cos, cosh, erf, erfc, exp, expm1, fabs,
                  fmod, hypot, lgamma, log, log1p, log2, log10, sin, sinh, sqrt, tan, tanh)
from math import gamma as tgamma  # C's name

from .pyscalar import cbrt, ceil, exp2, floor, fmax, fmin, rint, trunc

NAN = float("nan")
INFINITY = float("inf")

__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign", "cos", "cosh",
           "erf", "erfc", "exp", "exp2", "expm1", "fabs", "floor", "fmax", "fmin", "fmod", "hypot", "lgamma", "log",
           "log1p", "log2", "log10", "rint", "sin", "sinh", "sqrt", "tan", "tanh", "tgamma", "trunc", "NAN",
           "INFINITY"]
